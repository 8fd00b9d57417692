import Datasets
import Foundation
import QLSTM
import QuantumSimulator
import VariationalCircuits

/// A trained model read back from its `model.json`, ready to predict in process.
struct LoadedModel {
    let file: ModelFile
    let trainer: Trainer

    /// Rebuilds the model with its trained parameters and loads its circuits on a local executor.
    /// - Parameters:
    ///   - path: a model.json, or the run directory that holds one.
    ///   - threads: threads per circuit batch (`qlstm serve` uses 1: its concurrent requests
    ///     already keep every core busy, and a batch that stays on its caller's thread saves
    ///     two thread hops per time step).
    static func load(_ path: String, threads: Int = Parallel.threadCount) async throws -> LoadedModel {
        var isDirectory: ObjCBool = false
        var url = URL(fileURLWithPath: path)
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            url = url.appendingPathComponent("model.json")
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw CommandLineError.invalidFile(
                    path: path,
                    message:
                        "is a directory without a model.json: give a run directory written by qlstm train, or its model.json"
                )
            }
        }
        let file = try ModelFile.read(from: url)
        let specification = file.specification
        let executor = LocalExecutor(threads: threads)
        let runtime =
            specification.model.kind == .qlstm
            ? QuantumRuntime(
                executor: executor,
                mode: .init(method: nil, shots: nil, seed: specification.training.seed)
            )
            : nil
        let model = try TrainableModel.make(specification.model, seed: specification.training.seed, runtime: runtime)
        let empty = SequenceData(
            inputs: [],
            targets: [],
            timeSteps: specification.data.windows.sequenceLength,
            inputWidth: specification.model.inputWidth
        )
        let trainer: Trainer
        do {
            trainer = try Trainer(
                model: model,
                settings: specification.training,
                runtime: runtime,
                train: empty,
                test: empty,
                resume: file.checkpoint
            )
        } catch {
            throw CommandLineError.invalidFile(
                path: url.path,
                message: "its parameters do not fit its configuration: \(error)"
            )
        }
        try await trainer.prepareExecutor()
        return LoadedModel(file: file, trainer: trainer)
    }

    /// Predictions (scaled units) for windows of scaled inputs, each `T x d_x` flat.
    func predict(_ windows: [[Double]]) async throws -> [Double] {
        let width = file.specification.model.inputWidth
        let data = SequenceData(
            inputs: windows,
            targets: Array(repeating: 0, count: windows.count),
            timeSteps: file.specification.data.windows.sequenceLength,
            inputWidth: width
        )
        return try await trainer.predict(data)
    }

    /// Every sub-VQC with its trained parameters.
    var circuits: [(circuit: SubVQC, parameters: [Double])] { trainer.model.circuits }
}
