import Datasets
import Foundation
import Testing

@Suite("Series transforms")
struct SeriesTransformTests {
    /// A positive random walk with drift, from a seeded linear congruential generator.
    static func randomSeries(count: Int, seed: UInt64) -> [Double] {
        var state = seed
        var level = 50.0
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            level *= 1 + 0.01 + 0.05 * (Double(state >> 11) * 0x1p-53 - 0.5)
            return level
        }
    }

    static let chains: [[SeriesTransform.Step]] = [
        [.difference], [.logReturn], [.log], [.log, .difference], [.difference, .difference],
        [.logReturn, .difference],
    ]

    @Test(
        "transform then inverse is the identity on random series, for every horizon",
        arguments: chains,
        [1, 3]
    )
    func roundTrip(steps: [SeriesTransform.Step], horizon: Int) throws {
        let transform = try SeriesTransform(steps)
        for seed in [1, 2, 3] as [UInt64] {
            let values = Self.randomSeries(count: 60, seed: seed)
            let column = try transform.apply(toColumn: values, named: "v", times: values.indices.map(Double.init))
            let d = transform.differenceOrder
            for r in (d - 1 + horizon)..<values.count where r >= horizon {
                let change = column.target(atRow: r, horizon: horizon)
                let back = column.level(change, anchor: column.anchor(atRow: r - horizon))
                #expect(abs(back - values[r]) <= 1e-12 * values[r], "row \(r): \(back) != \(values[r])")
            }
            // Recursion: from the state after row d - 1, adding each Δ^d x rebuilds every level.
            var continuation = column.continuation(afterRow: max(d - 1, 0))
            for t in max(d, 1)..<values.count {
                let level = continuation.advance(by: column.input(atRow: t))
                #expect(abs(level - values[t]) <= 1e-11 * values[t], "row \(t): \(level) != \(values[t])")
            }
        }
    }

    @Test(
        "a perfect model's forecasts, inverted, equal the truth on every split",
        arguments: chains,
        [Scaler.Kind.minMax(), .zScore]
    )
    func perfectForecastsInvertToTheTruth(steps: [SeriesTransform.Step], scaling: Scaler.Kind) throws {
        let values = Self.randomSeries(count: 80, seed: 7)
        let series = try TimeSeries(univariate: values, name: "v")
        for horizon in [1, 2] {
            let dataset = try WindowedDataset(
                series,
                configuration: .init(
                    sequenceLength: 4,
                    horizon: horizon,
                    validationFraction: 0.2,
                    scaling: scaling,
                    transform: try SeriesTransform(steps)
                )
            )
            for (windows, truth) in [
                (dataset.train, dataset.trainTargets), (dataset.validation, dataset.validationTargets),
                (dataset.test, dataset.testTargets),
            ] {
                let restored = dataset.originalUnits(windows.map(\.target), of: windows)
                #expect(zip(restored, truth).allSatisfy { abs($0 - $1) <= 1e-11 * abs($1) })
            }
        }
    }

    @Test func differenceWindowsByHand() throws {
        // Δ of 1, 4, 9, 16, 25 is 3, 5, 7, 9 at rows 1...4.
        let series = try TimeSeries(univariate: [1, 4, 9, 16, 25], name: "v")
        let dataset = try WindowedDataset(
            series,
            configuration: .init(
                sequenceLength: 2,
                trainFraction: 0.5,
                scaling: .identity,
                transform: try SeriesTransform([.difference])
            )
        )
        let train = try #require(dataset.train.first)
        #expect(dataset.train.count == 1 && dataset.test.count == 1)
        #expect(train.inputs == [[3], [5]] && train.target == 7 && train.row == 3 && train.anchor == 9)
        let test = try #require(dataset.test.first)
        #expect(test.inputs == [[5], [7]] && test.target == 9 && test.row == 4 && test.anchor == 16)
        #expect(dataset.originalUnits([10], of: [test]) == [26])
        #expect(dataset.testTargets == [25])
        #expect(dataset.fittedRows == 0..<4)
    }

    @Test func secondDifferenceAtHorizonTwoByHand() throws {
        // Squares: x_r - x_l - Δx_l from the window's last row l = r - 2; row 4: 16 - 4 - 3 = 9.
        let values = (0..<9).map { Double($0 * $0) }
        let column = try SeriesTransform([.difference, .difference])
            .apply(toColumn: values, named: "v", times: values)
        #expect(column.input(atRow: 5) == 2)
        #expect(column.anchor(atRow: 2) == 7)
        #expect(column.target(atRow: 4, horizon: 2) == 9)
        #expect(column.level(9, anchor: 7) == 16)
        // A forecast of no change continues the last step's trend: 4 + 3.
        #expect(column.level(0, anchor: column.anchor(atRow: 2)) == 7)
    }

    @Test func logReturnIsTheLogOfTheRatio() throws {
        let values = [1, M_E, M_E * M_E * M_E, 1]
        let column = try SeriesTransform([.logReturn]).apply(toColumn: values, named: "v", times: [0, 1, 2, 3])
        #expect(abs(column.input(atRow: 1) - 1) < 1e-15)
        #expect(abs(column.input(atRow: 2) - 2) < 1e-15)
        #expect(abs(column.input(atRow: 3) + 3) < 1e-15)
        #expect(abs(column.level(-3, anchor: column.anchor(atRow: 2)) - 1) < 1e-14)
    }

    @Test func univariateDifferencesShareOneScaler() throws {
        // Predict's recursive forecasts feed a forecast back as an input: with horizon 1 the
        // target is the input column, fitted on the same rows.
        let series = try TimeSeries(univariate: Self.randomSeries(count: 50, seed: 3), name: "v")
        let dataset = try WindowedDataset(
            series,
            configuration: .init(sequenceLength: 3, transform: try SeriesTransform([.log, .difference]))
        )
        #expect(dataset.preprocessing.featureScalers == [dataset.preprocessing.targetScaler])
        #expect(dataset.preprocessing.transform.steps == [.log, .difference])
    }

    @Test func scalersSeeOnlyTheTrainingChanges() throws {
        // Steps of 1 while training, a jump of 1000 in the test part: the fitted range is [1, 1].
        var values = (0..<30).map(Double.init)
        values[28] = 1000
        let series = try TimeSeries(univariate: values, name: "v")
        let dataset = try WindowedDataset(
            series,
            configuration: .init(sequenceLength: 3, trainFraction: 0.5, transform: try SeriesTransform([.difference]))
        )
        #expect(dataset.preprocessing.targetScaler.location == 1 && dataset.preprocessing.targetScaler.spread == 0)
        #expect(dataset.fittedRows.upperBound <= 20)
    }

    @Test func logarithmsOfValuesAtOrBelowZeroNameTheFirstBadRow() throws {
        let series = try TimeSeries(
            time: [10, 11, 12, 13, 14, 15],
            features: [[1, 2], [2, -1], [3, 2], [0, 2], [5, 2], [6, 2]],
            featureNames: ["price", "volume"],
            target: [1, 2, 3, 0, 5, 6],
            targetName: "price"
        )
        let error = DatasetError.nonPositiveValue(
            column: "volume",
            row: 1,
            time: 11,
            value: -1,
            transform: "log-return"
        )
        #expect(throws: error) {
            try WindowedDataset(
                series,
                configuration: .init(sequenceLength: 2, transform: try SeriesTransform([.logReturn]))
            )
        }
        #expect(
            error.description.hasPrefix(
                "column 'volume' holds -1.0 in data row 2 (counting from 1 after any header; time 11)"
            )
        )
        // Differences need no sign.
        #expect(throws: Never.self) {
            try WindowedDataset(
                series,
                configuration: .init(sequenceLength: 2, transform: try SeriesTransform([.difference]))
            )
        }
    }

    @Test func chainsParseInOrderAndRefuseLogarithmsOfChanges() throws {
        #expect(try SeriesTransform(parsing: "log,difference").steps == [.log, .difference])
        #expect(try SeriesTransform(parsing: "log-return").differenceOrder == 1)
        #expect(try SeriesTransform(parsing: "difference, difference").differenceOrder == 2)
        #expect(try SeriesTransform(parsing: "log").takesLogarithm)
        #expect(throws: DatasetError.self) { try SeriesTransform(parsing: "difference,log") }
        #expect(throws: DatasetError.self) { try SeriesTransform(parsing: "log,log-return") }
        #expect(throws: DatasetError.self) { try SeriesTransform(parsing: "diff") }
        #expect(SeriesTransform.none.description == "none")
    }

    @Test func configurationsWithoutATransformEncodeAsBefore() throws {
        let plain = WindowedDataset.Configuration(sequenceLength: 4)
        let text = String(decoding: try JSONEncoder().encode(plain), as: UTF8.self)
        #expect(!text.contains("transform"))
        #expect(try JSONDecoder().decode(WindowedDataset.Configuration.self, from: Data(text.utf8)) == plain)
        let chained = WindowedDataset.Configuration(
            sequenceLength: 4,
            transform: try SeriesTransform([.log, .difference])
        )
        let encoded = try JSONEncoder().encode(chained)
        #expect(String(decoding: encoded, as: UTF8.self).contains(#""transform":["log","difference"]"#))
        #expect(try JSONDecoder().decode(WindowedDataset.Configuration.self, from: encoded) == chained)
        let bad = Data(
            #"{"sequenceLength":4,"horizon":1,"trainFraction":0.67,"scaling":{"identity":{}},"scalingScope":"trainingRows","referenceWindowing":false,"transform":["difference","log"]}"#
                .utf8
        )
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(WindowedDataset.Configuration.self, from: bad) }
    }
}
