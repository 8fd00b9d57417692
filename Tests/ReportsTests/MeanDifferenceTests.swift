import Reports
import Testing

@Suite("Student t and Welch intervals")
struct MeanDifferenceTests {
    /// Quantiles from standard tables (R's qt).
    @Test(
        "t quantiles match the tables",
        arguments: [
            (0.975, 1.0, 12.706204736), (0.975, 2.0, 4.302652730), (0.975, 4.0, 2.776445105),
            (0.975, 30.0, 2.042272456), (0.95, 10.0, 1.812461123), (0.975, 1e7, 1.959964222),
            (0.025, 2.0, -4.302652730),
            (0.975, 2.5, 3.574654842),
        ]
    )
    func quantiles(probability: Double, freedom: Double, expected: Double) {
        let t = StudentT.quantile(probability, degreesOfFreedom: freedom)
        #expect(abs(t - expected) < 2e-6 * max(1, abs(expected)), "t(\(probability), \(freedom)) = \(t)")
        #expect(abs(StudentT.cumulativeProbability(t, degreesOfFreedom: freedom) - probability) < 1e-10)
    }

    @Test("Welch: equal spreads and sizes give the pooled interval with n1 + n2 - 2 degrees of freedom")
    func welch() throws {
        let interval = try #require(MeanDifference([1, 2, 3], [4, 5, 6]))
        #expect(interval.difference == -3)
        #expect(abs((interval.degreesOfFreedom ?? 0) - 4) < 1e-12)
        // 2.776445 x sqrt(1/3 + 1/3)
        #expect(abs(interval.upper - (-3 + 2.776445105 * (2.0 / 3).squareRoot())) < 1e-8)
        #expect(!interval.isWithinNoise)
        #expect(try #require(MeanDifference([0.9979, 0.9971, 0.9987], [0.9987, 0.9985, 0.9989])).isWithinNoise)
    }

    @Test("one value, or no spread at all")
    func degenerate() throws {
        #expect(MeanDifference([1], [1, 2]) == nil)
        let flat = try #require(MeanDifference([2, 2], [1, 1]))
        #expect(flat.lower == 1 && flat.upper == 1 && flat.degreesOfFreedom == nil && !flat.isWithinNoise)
    }
}
