import Datasets
import Foundation
import QLSTM
import QuantumSimulator

extension DataSpecification {
    /// The windows `qlstm train` cuts by default: 4 steps, the next value, 67 % train with the
    /// last 10 % of the training windows held out for validation, min-max scaling fitted on
    /// the training rows.
    public static let defaultWindows = WindowedDataset.Configuration(sequenceLength: 4, validationFraction: 0.1)

    /// A built-in benchmark series (`seed` only matters for `narma10-random`).
    public static func benchmark(
        _ task: BenchmarkTask,
        windows: WindowedDataset.Configuration = defaultWindows,
        seed: UInt64 = 0
    ) -> DataSpecification {
        DataSpecification(
            task: task,
            csvPath: nil,
            targetColumn: nil,
            featureColumns: [],
            timeColumn: nil,
            windows: windows,
            seriesSeed: seed
        )
    }

    /// A column of a CSV file (by header name or 0-based index), optionally with feature
    /// columns; without features the target's own past is the input.
    public static func csv(
        _ path: String,
        column: CSVColumn,
        features: [CSVColumn] = [],
        time: CSVColumn? = nil,
        windows: WindowedDataset.Configuration = defaultWindows
    ) -> DataSpecification {
        DataSpecification(
            task: nil,
            csvPath: path,
            targetColumn: column,
            featureColumns: features,
            timeColumn: time,
            windows: windows,
            seriesSeed: 0
        )
    }
}

extension TrainingRun {
    /// The run `specification` describes, in `directory`: a new run in an empty (or new)
    /// directory, or the same run continued from the checkpoint it stopped at.
    ///
    /// Loads the data first (so a bad file is refused before anything is written) and sets the
    /// model's input width from it; a classifier (K `model.outputs`, cross-entropy) gets its
    /// classes of the next move fitted on the training windows.
    /// - Parameters:
    ///   - backend: where the circuits run; by default in this process on every core.
    ///   - replacing: remove another run found in `directory` instead of refusing it.
    /// - Throws: `RunFileError.invalid` when `directory` holds a run with other settings (its
    ///   files are left untouched), data and configuration errors from the modules below.
    public static func open(
        _ specification: RunSpecification,
        in directory: URL,
        backend: ExecutionBackend? = nil,
        replacing: Bool = false
    ) async throws -> TrainingRun {
        var specification = specification
        let data = try specification.data.load()
        specification.model.inputWidth = data.dataset.inputWidth
        specification.data.classes = try specification.fittedClasses(to: data)
        var checkpoint: Trainer.Checkpoint?
        switch RunDirectoryState.inspect(directory, for: try RunIdentity(specification), specification: specification) {
        case .empty:
            break
        case .finished(let file), .unfinished(let file):
            checkpoint = file.checkpoint
        case .different(let reason):
            guard replacing else {
                throw RunFileError.invalid(
                    path: directory.path,
                    message: "holds another run: \(reason); choose another directory or pass replacing: true"
                )
            }
            try RunDirectoryState.clear(directory)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let threads = ProcessInfo.processInfo.activeProcessorCount
        return try await TrainingRun(
            specification: specification,
            data: data,
            directory: directory,
            backend: backend
                ?? .inProcess(ExecutionBackend.inProcessExecutor(threads: threads, profile: specification.profile)),
            checkpoint: checkpoint
        )
    }
}
