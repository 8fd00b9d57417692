import Datasets
import Testing

@Suite("Windows, split and scaling")
struct WindowedDatasetTests {
    @Test func referenceWindowingGivesThePapersSplits() throws {
        let pendulum = try WindowedDataset(BenchmarkTask.pendulum.series(), configuration: .reference)
        #expect(pendulum.train.count == 157)
        #expect(pendulum.test.count == 78)
        let narma = try WindowedDataset(BenchmarkTask.narma5.series(), configuration: .reference)
        #expect(narma.train.count == 197)
        #expect(narma.test.count == 98)
    }

    @Test func defaultWindowingKeepsEveryWindow() throws {
        let series = try BenchmarkTask.pendulum.series()
        let dataset = try WindowedDataset(series, configuration: .init(sequenceLength: 4))
        #expect(dataset.train.count + dataset.test.count == 236)
        #expect(dataset.train.count == 158)
        #expect(dataset.test.last?.row == 239)
        #expect(dataset.inputWidth == 1)
        // Univariate: the feature and the target share one scaler.
        #expect(dataset.preprocessing.featureScalers == [dataset.preprocessing.targetScaler])
    }

    @Test func windowReadsRowsAndTargetsTheRowAfterTheHorizon() throws {
        let values = (0..<20).map(Double.init)
        let series = try TimeSeries(univariate: values, name: "v", time: values.map { 100 + $0 })
        let dataset = try WindowedDataset(
            series,
            configuration: .init(sequenceLength: 3, horizon: 4, trainFraction: 0.5, scaling: .identity)
        )
        #expect(dataset.train.count + dataset.test.count == 20 - 3 - 4 + 1)
        let first = try #require(dataset.train.first)
        #expect(first.inputs == [[0], [1], [2]])
        #expect(first.target == 6)
        #expect(first.row == 6)
        #expect(first.time == 106)
        let last = try #require(dataset.test.last)
        #expect(last.inputs == [[13], [14], [15]])
        #expect(last.target == 19)
        #expect(dataset.testTargets.last == 19)
    }

    @Test func validationWindowsAreTheLastTrainingWindowsAndShapeNoScaler() throws {
        // The pendulum's 158 training windows: the last 15 validate, in time order.
        let series = try BenchmarkTask.pendulum.series()
        let whole = try WindowedDataset(series, configuration: .init(sequenceLength: 4))
        let split = try WindowedDataset(series, configuration: .init(sequenceLength: 4, validationFraction: 0.1))
        #expect(split.train.count == 143 && split.validation.count == 15 && split.test.count == 78)
        #expect(split.train.map(\.row) + split.validation.map(\.row) == whole.train.map(\.row))
        #expect(split.test.map(\.row) == whole.test.map(\.row))
        #expect(split.validationTargets == split.validation.map { series.target[$0.row] })
        // Scalers see only the rows the fitted windows read or predict.
        #expect(split.fittedRows == 0..<(split.train.last!.row + 1))
        #expect(whole.validation.isEmpty)

        let few = try TimeSeries(univariate: (0..<12).map(Double.init), name: "v")
        #expect(
            throws: DatasetError.validationDoesNotFit(trainingWindows: 4, fraction: 0.1, validation: 0)
        ) {
            try WindowedDataset(
                few,
                configuration: .init(sequenceLength: 3, trainFraction: 0.5, validationFraction: 0.1)
            )
        }
        #expect(throws: DatasetError.self) {
            try WindowedDataset(few, configuration: .init(sequenceLength: 3, validationFraction: 1))
        }
    }

    @Test func scalersAreFittedOnTrainingRowsOnly() throws {
        // A test part with a huge excursion must not change the fitted range.
        var values = (0..<30).map { Double($0 % 5) }
        values[28] = 1000
        let series = try TimeSeries(univariate: values, name: "v")
        let dataset = try WindowedDataset(series, configuration: .init(sequenceLength: 3, trainFraction: 0.5))
        // 27 windows, 13 train; the last training target is row 13 + 3 - 1 = 15.
        #expect(dataset.train.count == 13)
        #expect(dataset.fittedRows == 0..<16)
        let scaler = dataset.preprocessing.targetScaler
        #expect(scaler.location == 0)
        #expect(scaler.spread == 4)
        #expect(dataset.train.allSatisfy { (-1...1).contains($0.target) })

        let leaky = try WindowedDataset(
            series,
            configuration: .init(sequenceLength: 3, trainFraction: 0.5, scalingScope: .wholeSeries)
        )
        #expect(leaky.preprocessing.targetScaler.spread == 1000)
        #expect(leaky.fittedRows == 0..<30)
    }

    @Test func originalUnitsRestoreTheSeriesUnits() throws {
        let series = try BenchmarkTask.narma10.series()
        let dataset = try WindowedDataset(series, configuration: .init(sequenceLength: 4, scaling: .zScore))
        let restored = dataset.originalUnits(dataset.test.map(\.target), of: dataset.test)
        #expect(maximumDifference(restored, dataset.testTargets) < 1e-12)
        #expect(dataset.trainTargets == dataset.train.map { series.target[$0.row] })
        // NARMA: inputs come from u, targets from y, with separate scalers.
        #expect(dataset.preprocessing.featureScalers[0] != dataset.preprocessing.targetScaler)
    }

    @Test func pcaReducesTheInputWidth() throws {
        let rows = (0..<40).map { i -> [Double] in
            let x = Double(i) / 4
            return [x, 2 * x + 0.1 * Double(i % 3), -x + 0.05 * Double(i % 2)]
        }
        let series = try TimeSeries(
            time: (0..<40).map(Double.init),
            features: rows,
            featureNames: ["a", "b", "c"],
            target: rows.map { $0[1] },
            targetName: "b"
        )
        let dataset = try WindowedDataset(series, configuration: .init(sequenceLength: 5, principalComponents: 2))
        #expect(dataset.inputWidth == 2)
        #expect(dataset.train.allSatisfy { $0.inputs.count == 5 && $0.inputs.allSatisfy { $0.count == 2 } })
        let pca = try #require(dataset.preprocessing.pca)
        #expect(pca.explainedVarianceRatio[0] > 0.9)
        #expect(throws: DatasetError.componentCountOutOfRange(requested: 4, featureCount: 3)) {
            try WindowedDataset(series, configuration: .init(sequenceLength: 5, principalComponents: 4))
        }
    }

    @Test func windowsThatDoNotFitAreReported() throws {
        let series = try TimeSeries(univariate: [1, 2, 3, 4, 5, 6], name: "v")
        let error = DatasetError.windowsDoNotFit(rows: 6, sequenceLength: 4, horizon: 1, windows: 2, train: 1, test: 1)
        #expect(throws: Never.self) {
            try WindowedDataset(series, configuration: .init(sequenceLength: 4, trainFraction: 0.5))
        }
        #expect(
            throws: DatasetError.windowsDoNotFit(rows: 6, sequenceLength: 4, horizon: 1, windows: 2, train: 0, test: 2)
        ) {
            try WindowedDataset(series, configuration: .init(sequenceLength: 4, trainFraction: 0.4))
        }
        #expect(
            throws: DatasetError.windowsDoNotFit(rows: 6, sequenceLength: 6, horizon: 1, windows: 0, train: 0, test: 0)
        ) {
            try WindowedDataset(series, configuration: .init(sequenceLength: 6))
        }
        #expect(error.description.contains("2 window(s) of length 4"))
    }

    @Test func badConfigurationsAreRejected() throws {
        let series = try TimeSeries(univariate: (0..<10).map(Double.init), name: "v")
        #expect(throws: DatasetError.invalidParameter(name: "sequenceLength", value: "0", expected: "at least 1")) {
            try WindowedDataset(series, configuration: .init(sequenceLength: 0))
        }
        #expect(throws: DatasetError.invalidParameter(name: "horizon", value: "0", expected: "at least 1")) {
            try WindowedDataset(series, configuration: .init(sequenceLength: 2, horizon: 0))
        }
        #expect(throws: DatasetError.self) {
            try WindowedDataset(series, configuration: .init(sequenceLength: 2, trainFraction: 1))
        }
        #expect(throws: DatasetError.self) {
            try WindowedDataset(series, configuration: .init(sequenceLength: 2, scaling: .minMax(lower: 1, upper: 1)))
        }
    }
}
