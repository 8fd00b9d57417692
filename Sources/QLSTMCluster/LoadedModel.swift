import Datasets
import Foundation
import QLSTM
import VariationalCircuits

/// A trained model read back from its `model.json`, ready to predict in process.
///
/// `forecast` takes windows in the series' original units; `predict` takes them already
/// scaled, as the trainer sees them.
public struct LoadedModel {
    public let file: ModelFile
    public let trainer: Trainer

    /// Rebuilds the model with its trained parameters and loads its circuits on a local executor.
    /// - Parameter path: a model.json, or the run directory that holds one.
    public static func load(_ path: String) async throws -> LoadedModel {
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
                executor: LocalExecutor(),
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

    /// Forecasts in the series' original units: each window is `L` rows of the model's input
    /// columns (one value per row for a univariate model), scaled as in training, predicted,
    /// and unscaled.
    public func forecast(_ windows: [[[Double]]]) async throws -> [Double] {
        let preprocessing = file.preprocessing
        let scaled = windows.map { rows in rows.map(preprocessing.transformFeatures).flatMap { $0 } }
        return preprocessing.unscaleTargets(try await predict(scaled))
    }

    /// Every sub-VQC with its trained parameters.
    public var circuits: [(circuit: SubVQC, parameters: [Double])] { trainer.model.circuits }
}
