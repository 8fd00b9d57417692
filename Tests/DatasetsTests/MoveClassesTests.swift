import Datasets
import Foundation
import Testing

@Suite("Classes of the next move")
struct MoveClassesTests {
    /// Windows of 2 predicting 1 ahead, half of them training (no validation split).
    static func dataset(_ values: [Double], horizon: Int = 1) throws -> (TimeSeries, WindowedDataset) {
        let series = try TimeSeries(univariate: values, name: "y")
        return (
            series,
            try WindowedDataset(series, configuration: .init(sequenceLength: 2, horizon: horizon, trainFraction: 0.5))
        )
    }

    @Test("direction: up above 0, a flat step is not up")
    func direction() throws {
        let (series, dataset) = try Self.dataset([0, 1, 3, 2, 2, 5, 4, 4, 6, 7])
        let classes = try MoveClasses.fitted(count: 2, to: dataset, of: series)
        #expect(classes == .direction)
        // Windows predict rows 2...9; moves 2, -1, 0, 3, -1, 0, 2, 1.
        #expect(
            MoveClasses.moves(of: dataset.train + dataset.test, in: series, horizon: 1) == [2, -1, 0, 3, -1, 0, 2, 1]
        )
        #expect(classes.labels(of: dataset.train + dataset.test, in: series, horizon: 1) == [1, 0, 0, 1, 0, 0, 1, 1])
        // Persistence: the class of the move into each window's last row (rows 1...8: moves
        // 1, 2, -1, 0, 3, -1, 0, 2).
        #expect(
            classes.persistenceLabels(of: dataset.train + dataset.test, in: series, horizon: 1)
                == [1, 1, 0, 0, 1, 0, 0, 1]
        )
        // With horizon 2 the move spans both steps: y[r] - y[r - 2].
        let (far, farWindows) = try Self.dataset([0, 1, 3, 2, 2, 5, 4, 4, 6, 7], horizon: 2)
        #expect(MoveClasses.moves(of: farWindows.train, in: far, horizon: 2) == [1, -1, 3])
    }

    @Test("quantile thresholds are numpy's linear quantiles of the training moves only")
    func quantilesOfTheTrainingPart() throws {
        // Training targets are rows 2...11 with moves 0 ... 9 in a scrambled order; the test
        // part moves by 100 a step and must not shift the thresholds.
        let steps: [Double] = [5, 0, 9, 3, 7, 1, 8, 2, 6, 4]
        var values: [Double] = [0, 0]
        for step in steps { values.append(values.last! + step) }
        for _ in 0..<10 { values.append(values.last! + 100) }
        let (series, dataset) = try Self.dataset(values)
        #expect(dataset.train.count == 10)
        let classes = try MoveClasses.fitted(count: 4, to: dataset, of: series)
        // numpy.quantile(range(10), [0.25, 0.5, 0.75]) == [2.25, 4.5, 6.75].
        #expect(classes.thresholds == [2.25, 4.5, 6.75])
        #expect(classes.labels(of: dataset.train, in: series, horizon: 1) == [2, 0, 3, 1, 3, 0, 3, 0, 2, 1])
        #expect(classes.labels(of: dataset.test, in: series, horizon: 1).allSatisfy { $0 == 3 })
        // A move equal to a threshold belongs to the lower class.
        #expect(classes.label(ofMove: 4.5) == 1 && classes.label(ofMove: 4.5.nextUp) == 2)
    }

    @Test("a class without a training window is refused, naming it")
    func emptyClasses() throws {
        // Training moves 0, 0, 0, 0, 1: the 1/3 and 2/3 quantiles coincide at 0.
        let (flat, flatWindows) = try Self.dataset([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
        #expect(throws: DatasetError.classesDoNotFit(classes: 3, thresholds: [0, 0], emptyClass: nil)) {
            try MoveClasses.fitted(count: 3, to: flatWindows, of: flat)
        }
        // A training part that never moves up has no "up" window to learn from.
        let (falling, fallingWindows) = try Self.dataset([9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
        #expect(throws: DatasetError.classesDoNotFit(classes: 2, thresholds: [0], emptyClass: 1)) {
            try MoveClasses.fitted(count: 2, to: fallingWindows, of: falling)
        }
        #expect(throws: DatasetError.self) { try MoveClasses.fitted(count: 1, to: fallingWindows, of: falling) }
    }

    @Test("decoding refuses thresholds that do not make the classes")
    func decoding() throws {
        let classes = try MoveClasses(count: 3, thresholds: [-0.5, 0.25])
        #expect(try JSONDecoder().decode(MoveClasses.self, from: JSONEncoder().encode(classes)) == classes)
        for bad in [#"{"count": 3, "thresholds": [0]}"#, #"{"count": 3, "thresholds": [1, 0]}"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(MoveClasses.self, from: Data(bad.utf8)) }
        }
    }
}
