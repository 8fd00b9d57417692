import Datasets
import Foundation
import Testing

@Suite("Naive baselines")
struct BaselineTests {
    /// 1, 2, 4, 7, 11, 16, 22, 29 in windows of 2: training targets rows 2...4, test rows 5...7.
    static func dataset(horizon: Int = 1) throws -> (TimeSeries, WindowedDataset) {
        let series = try TimeSeries(univariate: [1, 2, 4, 7, 11, 16, 22, 29, 37, 46], name: "v")
        let dataset = try WindowedDataset(
            series,
            configuration: .init(sequenceLength: 2, horizon: horizon, trainFraction: 0.5, scaling: .identity)
        )
        return (series, dataset)
    }

    @Test func persistenceRepeatsTheLastObservedValue() throws {
        let (series, dataset) = try Self.dataset()
        #expect(dataset.test.map(\.row) == [6, 7, 8, 9])
        #expect(try dataset.forecasts(.persistence, for: dataset.test, series: series) == [16, 22, 29, 37])
        // Three steps ahead: still the window's last row, three before the target.
        let (_, ahead) = try Self.dataset(horizon: 3)
        #expect(ahead.test.map(\.row) == [7, 8, 9])
        #expect(try ahead.forecasts(.persistence, for: ahead.test, series: series) == [11, 16, 22])
    }

    @Test func seasonalNaiveGoesBackWholePeriods() throws {
        let (series, dataset) = try Self.dataset()
        #expect(
            try dataset.forecasts(.seasonalNaive(period: 2), for: dataset.test, series: series) == [11, 16, 22, 29]
        )
        #expect(try dataset.forecasts(.seasonalNaive(period: 3), for: dataset.test, series: series) == [7, 11, 16, 22])
        // Period 1 is persistence.
        #expect(
            try dataset.forecasts(.seasonalNaive(period: 1), for: dataset.test, series: series)
                == dataset.forecasts(.persistence, for: dataset.test, series: series)
        )
        // Horizon 3 with period 2: two periods back (row 7 <- row 3), the first observed one.
        let (_, ahead) = try Self.dataset(horizon: 3)
        #expect(try ahead.forecasts(.seasonalNaive(period: 2), for: ahead.test, series: series) == [7, 11, 16])
        #expect(throws: DatasetError.self) {
            try dataset.forecasts(.seasonalNaive(period: 7), for: dataset.test, series: series)
        }
        #expect(throws: DatasetError.self) {
            try dataset.forecasts(.seasonalNaive(period: 0), for: dataset.test, series: series)
        }
    }

    @Test func linearAutoregressionMatchesAHandFit() throws {
        // Inputs u = 0, 1, 2, 3 predict y = 1, 3, 2, 5 in the training windows: least squares
        // gives slope Sxy / Sxx = 5.5 / 5 = 1.1 and intercept 2.75 - 1.1 x 1.5 = 1.1.
        let u: [Double] = [0, 1, 2, 3, 4, 0]
        let y: [Double] = [0, 1, 3, 2, 5, 9]
        let series = try TimeSeries(
            time: u.indices.map(Double.init),
            features: u.map { [$0] },
            featureNames: ["u"],
            target: y,
            targetName: "y"
        )
        let dataset = try WindowedDataset(
            series,
            configuration: .init(sequenceLength: 1, trainFraction: 0.8, scaling: .identity)
        )
        #expect(dataset.train.count == 4 && dataset.test.count == 1)
        let model = LinearAutoregression.fit(dataset.train)
        #expect(abs(model.weights[0] - 1.1) < 1e-14 && abs(model.intercept - 1.1) < 1e-14)
        #expect(model.parameterCount == 2)
        let forecast = try dataset.forecasts(.linearAutoregression, for: dataset.test, series: series)
        #expect(abs(forecast[0] - 5.5) < 1e-13)
    }

    @Test(
        "a noise-free AR(2) is recovered exactly, in the series' units whatever the scaling",
        arguments: [Scaler.Kind.identity, .minMax(), .zScore]
    )
    func linearAutoregressionRecoversAnAR2(scaling: Scaler.Kind) throws {
        // y_t = 2 cos(0.5) y_{t-1} - y_{t-2} + 1: a sinusoid about a level, which never decays,
        // so the inputs stay spread out.
        let a = 2 * cos(0.5)
        var values: [Double] = [1, 2]
        for _ in 0..<40 { values.append(a * values[values.count - 1] - values[values.count - 2] + 1) }
        let series = try TimeSeries(univariate: values, name: "v")
        let dataset = try WindowedDataset(series, configuration: .init(sequenceLength: 2, scaling: scaling))
        let forecast = try dataset.forecasts(.linearAutoregression, for: dataset.test, series: series)
        #expect(maximumDifference(forecast, dataset.testTargets) < 1e-9)
        if scaling == .identity {
            let model = LinearAutoregression.fit(dataset.train)
            #expect(abs(model.weights[0] + 1) < 1e-9 && abs(model.weights[1] - a) < 1e-9)
            #expect(abs(model.intercept - 1) < 1e-9)
        }
    }

    @Test func anInputThatRepeatsTheInterceptGetsWeightZero() throws {
        // A constant feature beside the intercept: any split of their sum fits, the solver
        // keeps the intercept and leaves the constant out.
        let u = (0..<12).map(Double.init)
        let series = try TimeSeries(
            time: u,
            features: u.map { [$0, 5] },
            featureNames: ["u", "constant"],
            target: u.map { 2 * $0 + 3 },
            targetName: "y"
        )
        let dataset = try WindowedDataset(
            series,
            configuration: .init(sequenceLength: 1, horizon: 1, trainFraction: 0.5, scaling: .identity)
        )
        let model = LinearAutoregression.fit(dataset.train)
        #expect(model.weights[1] == 0)
        #expect(abs(model.weights[0] - 2) < 1e-12 && abs(model.intercept - 5) < 1e-12)
    }

    @Test func namesAndTitles() {
        #expect(Baseline.persistence.name == "persistence")
        #expect(Baseline.seasonalNaive(period: 4).name == "seasonal-naive-4")
        #expect(Baseline.linearAutoregression.name == "linear-ar")
        #expect(Baseline.persistence.title.contains("tomorrow = today"))
    }
}
