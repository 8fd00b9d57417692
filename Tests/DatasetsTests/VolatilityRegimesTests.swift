import Datasets
import Testing

@Suite("Volatility regimes")
struct VolatilityRegimesTests {
    @Test("the rolling volatility is the sample standard deviation of the window's one-step changes")
    func rollingVolatility() {
        // Changes: 1, 3, -2, 4.
        let values = [0.0, 1, 4, 2, 6]
        let volatility = VolatilityRegimes.rollingVolatility(values, window: 3)
        #expect(volatility[0] == nil && volatility[1] == nil && volatility[2] == nil)
        // Rows 3: changes 1, 3, -2 (mean 2/3); row 4: 3, -2, 4 (mean 5/3).
        let row3 = ((1 - 2.0 / 3) * (1 - 2.0 / 3) + (3 - 2.0 / 3) * (3 - 2.0 / 3) + (-2 - 2.0 / 3) * (-2 - 2.0 / 3)) / 2
        let row4 = ((3 - 5.0 / 3) * (3 - 5.0 / 3) + (-2 - 5.0 / 3) * (-2 - 5.0 / 3) + (4 - 5.0 / 3) * (4 - 5.0 / 3)) / 2
        #expect(abs(volatility[3]! - row3.squareRoot()) < 1e-12)
        #expect(abs(volatility[4]! - row4.squareRoot()) < 1e-12)
    }

    @Test("thresholds are quantiles of the training rows only; later rows never move them")
    func thresholdsFromTrainingRows() throws {
        // Calm first half, wild second half: fitted on the calm rows, almost all wild rows
        // fall in the top regime.
        let calm = (0..<60).map { Double($0 % 2) * 0.1 }
        let wild = (0..<60).map { Double($0 % 2) * 5.0 }
        let values = calm + wild
        let regimes = try VolatilityRegimes(fitting: values, rows: 0..<60, regimes: 2, window: 4)
        let refitted = try VolatilityRegimes(fitting: values + wild, rows: 0..<60, regimes: 2, window: 4)
        #expect(regimes == refitted)
        let labels = regimes.regimes(of: values)
        #expect(labels[70...].allSatisfy { $0 == 1 })
        #expect(regimes.name(of: 0) == "calm" && regimes.name(of: 1) == "volatile")
    }

    @Test("three regimes cut at the terciles, by numpy's linear interpolation")
    func terciles() throws {
        let regimes = VolatilityRegimes(window: 2, thresholds: [1, 2])
        #expect(regimes.regime(ofVolatility: 0.5) == 0)
        #expect(regimes.regime(ofVolatility: 1) == 1)
        #expect(regimes.regime(ofVolatility: 5) == 2)
        // Sorted 1...10: the 1/3 quantile at position 3 is 4, the 2/3 at position 6 is 7.
        #expect(abs(VolatilityRegimes.quantile((1...10).map(Double.init), 1.0 / 3) - 4) < 1e-12)
        #expect(abs(VolatilityRegimes.quantile((1...10).map(Double.init), 2.0 / 3) - 7) < 1e-12)
    }

    @Test("one regime, a window of 1, or too few rows: refused with what to change")
    func refusals() {
        let values = (0..<30).map(Double.init)
        #expect(throws: DatasetError.self) { try VolatilityRegimes(fitting: values, rows: 0..<30, regimes: 1, window: 4) }
        #expect(throws: DatasetError.self) { try VolatilityRegimes(fitting: values, rows: 0..<30, regimes: 2, window: 1) }
        #expect(throws: DatasetError.self) { try VolatilityRegimes(fitting: values, rows: 0..<6, regimes: 2, window: 4) }
    }
}
