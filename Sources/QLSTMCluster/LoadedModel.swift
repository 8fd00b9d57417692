import Datasets
import Foundation
import QLSTM
import QuantumSimulator
import VariationalCircuits

/// A trained model read back from its `model.json`, ready to predict in process.
///
/// `forecast` takes windows in the series' original units; `predict` takes them already
/// scaled, as the trainer sees them.
public struct LoadedModel: Sendable {
    public let file: ModelFile
    public let trainer: Trainer

    /// Rebuilds the model with its trained parameters and loads its circuits on a local executor.
    /// - Parameters:
    ///   - path: a model.json, or the run directory that holds one.
    ///   - threads: threads per circuit batch (`qlstm serve` uses 1: its concurrent requests
    ///     already keep every core busy, and a batch that stays on its caller's thread saves
    ///     two thread hops per time step).
    public static func load(_ path: String, threads: Int = Parallel.threadCount) async throws -> LoadedModel {
        var isDirectory: ObjCBool = false
        var url = URL(fileURLWithPath: path)
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            url = url.appendingPathComponent("model.json")
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw RunFileError.invalid(
                    path: path,
                    message:
                        "is a directory without a model.json: give a run directory written by qlstm train, or its model.json"
                )
            }
        }
        let file = try ModelFile.read(from: url)
        let specification = file.specification
        let empty = SequenceData(
            inputs: [],
            targets: [],
            timeSteps: specification.data.windows.sequenceLength,
            inputWidth: specification.model.inputWidth
        )
        let trainer: Trainer
        do {
            trainer = try await Trainer.assemble(
                specification.model,
                settings: specification.training,
                executor: LocalExecutor(threads: threads),
                train: empty,
                test: empty,
                resume: file.checkpoint
            )
        } catch let error as QLSTMError {
            throw RunFileError.invalid(path: url.path, message: "its parameters do not fit its configuration: \(error)")
        }
        return LoadedModel(file: file, trainer: trainer)
    }

    /// Predictions (scaled units) for windows of scaled inputs, each `T x d_x` flat.
    public func predict(_ windows: [[Double]]) async throws -> [Double] {
        let width = file.specification.model.inputWidth
        let data = SequenceData(
            inputs: windows,
            targets: Array(repeating: 0, count: windows.count),
            timeSteps: file.specification.data.windows.sequenceLength,
            inputWidth: width
        )
        return try await trainer.predict(data)
    }

    /// Forecasts in the series' original units.
    ///
    /// - Parameters:
    ///   - windows: per window, `L + d` rows of the model's input columns in original units
    ///     (`L` the sequence length, `d` the number of differences of its `--transform`; one
    ///     value per row for a univariate model), oldest first.
    ///   - targets: per window, the target's values on the same rows, when the target is not
    ///     one of the input columns and the transform differences it (the forecast continues
    ///     from the last level).
    /// - Throws: `ForecastError.classifier` for a model that predicts classes (`classify`).
    public func forecast(_ windows: [[[Double]]], targets: [[Double]]? = nil) async throws -> [Double] {
        guard file.specification.data.classes == nil else { throw ForecastError.classifier }
        let (inputs, anchors) = try prepare(windows, targets: targets)
        return zip(try await predict(inputs), anchors).map { file.preprocessing.originalUnits($0, anchor: $1) }
    }

    /// Windows in original units (as `forecast` takes them) prepared as the model reads them,
    /// with each window's anchor for the inverse transform.
    func prepare(_ windows: [[[Double]]], targets: [[Double]]?) throws -> (inputs: [[Double]], anchors: [Double]) {
        let preprocessing = file.preprocessing
        let rowsPerWindow = file.specification.data.windows.sequenceLength + preprocessing.transform.differenceOrder
        let names = file.trainedOn?.features ?? (0..<preprocessing.featureScalers.count).map { "x\($0)" }
        let targetColumn = file.trainedOn.flatMap { names.firstIndex(of: $0.target) } ?? (names.count == 1 ? 0 : nil)
        var inputs: [[Double]] = []
        var anchors: [Double] = []
        for (index, window) in windows.enumerated() {
            guard window.count == rowsPerWindow, window.allSatisfy({ $0.count == names.count }) else {
                throw ForecastError.windowShape(
                    window: index,
                    rows: rowsPerWindow,
                    columns: names.count,
                    found: "\(window.count) rows of \(Set(window.map(\.count)).sorted().map(String.init).joined(separator: "/")) values"
                )
            }
            let target: [Double]
            if let targets {
                guard index < targets.count, targets[index].count == rowsPerWindow else {
                    throw ForecastError.targetShape(window: index, rows: rowsPerWindow)
                }
                target = targets[index]
            } else if let targetColumn {
                target = window.map { $0[targetColumn] }
            } else {
                throw ForecastError.targetNeeded
            }
            let series = try TimeSeries(
                time: window.indices.map(Double.init),
                features: window,
                featureNames: names,
                target: target,
                targetName: file.trainedOn?.target ?? "target"
            )
            let prepared = try preprocessing.prepare(series)
            inputs.append(prepared.rows.flatMap { $0 })
            anchors.append(prepared.target.anchor(atRow: rowsPerWindow - 1))
        }
        return (inputs, anchors)
    }

    /// The rows a window of `forecast` holds: the sequence length, plus one per difference of
    /// the model's transform.
    public var windowLength: Int {
        file.specification.data.windows.sequenceLength + file.preprocessing.transform.differenceOrder
    }

    /// The values in a row: the feature columns the model reads (before any PCA).
    public var featureCount: Int { file.preprocessing.featureScalers.count }

    /// Every sub-VQC with its trained parameters.
    public var circuits: [(circuit: SubVQC, parameters: [Double])] { trainer.model.circuits }
}

/// Windows `LoadedModel.forecast` cannot use.
public enum ForecastError: Error, Equatable, CustomStringConvertible {
    case windowShape(window: Int, rows: Int, columns: Int, found: String)
    case targetShape(window: Int, rows: Int)
    case targetNeeded
    case classifier
    case notAClassifier

    public var description: String {
        switch self {
        case .windowShape(let window, let rows, let columns, let found):
            "window \(window) has \(found): the model reads \(rows) rows of \(columns) value(s) each (the sequence length plus one row per difference of its transform)"
        case .targetShape(let window, let rows):
            "the targets of window \(window) must be \(rows) values, one per row of the window"
        case .targetNeeded:
            "the model's target is not one of its input columns: give each window's target values (targets:)"
        case .classifier:
            "the model classifies the next move (--objective classification) and forecasts no value: ask for its classes (classify)"
        case .notAClassifier:
            "the model forecasts values and has no classes: ask for its forecasts (forecast)"
        }
    }
}
