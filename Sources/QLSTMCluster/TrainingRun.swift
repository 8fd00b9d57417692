import Datasets
import Foundation
import QLSTM
import QPUProfiles
import Reports
import VariationalCircuits

/// What a training run reports while it trains.
public enum TrainingEvent: Sendable {
    /// Training starts (or resumes) at `nextEpoch` of `epochs`; with pinned placement, each
    /// sub-VQC's QPU (`forget/0 -> qpu-a (profile)`).
    case started(nextEpoch: Int, epochs: Int, placement: [String]?)
    /// An epoch finished and its checkpoint is on disk; `secondsLeft` extrapolates the last
    /// five epochs.
    case epochFinished(EpochRecord, epochs: Int, secondsLeft: Double)
}

/// One training run and its directory: `manifest.json`, `metrics.jsonl`, `summary.json`,
/// `model.json` (a checkpoint after every epoch) and `predictions.csv`, each written atomically.
///
/// `qlstm train`, `qlstm compare` and library users (`TrainingRun.open`) all train through it,
/// so every run directory has the same files with the same meaning.
public struct TrainingRun {
    public let specification: RunSpecification
    /// What `compare` and `train` check before reusing or resuming this directory.
    public let identity: RunIdentity
    public let directory: URL
    public let series: TimeSeries
    public let dataset: WindowedDataset
    public private(set) var trainer: Trainer
    public let backend: ExecutionBackend

    /// - Parameter data: the loaded series and its windows; `specification.model.inputWidth`
    ///   must already be their width.
    public init(
        specification: RunSpecification,
        data: (series: TimeSeries, dataset: WindowedDataset),
        directory: URL,
        backend: ExecutionBackend,
        checkpoint: Trainer.Checkpoint?
    ) async throws {
        (series, dataset) = data
        self.specification = specification
        identity = try RunIdentity(specification)
        self.directory = directory
        self.backend = backend
        trainer = try await Trainer.assemble(
            specification.model,
            settings: specification.training,
            executor: backend.executor,
            train: Self.sequences(dataset.train, of: data, classes: specification.data.classes),
            validation: Self.sequences(dataset.validation, of: data, classes: specification.data.classes),
            test: Self.sequences(dataset.test, of: data, classes: specification.data.classes),
            resume: checkpoint
        )
    }

    /// Windows flattened as the models read them.
    public static func sequences(_ windows: [WindowedDataset.Window], width: Int) -> SequenceData {
        SequenceData(
            inputs: windows.map { $0.inputs.flatMap { $0 } },
            targets: windows.map(\.target),
            timeSteps: windows.first?.inputs.count ?? 0,
            inputWidth: width
        )
    }

    /// Trains the remaining epochs, checkpointing after each, then writes the results.
    /// - Parameter observer: told when training starts and after each epoch's checkpoint (a
    ///   progress display; `compare`'s overall bar).
    /// - Returns: what summary.json says.
    @discardableResult
    public mutating func train(observer: (@Sendable (TrainingEvent) -> Void)? = nil) async throws -> RunSummary {
        let manifest = try await manifest()
        if trainer.checkpoint.completedEpochs == 0 { try run.write(manifest, to: RunDirectory.File.manifest) }
        let epochs = specification.training.epochs
        observer?(.started(nextEpoch: trainer.checkpoint.completedEpochs + 1, epochs: epochs, placement: manifest.placement))
        while trainer.checkpoint.completedEpochs < epochs {
            let record = try await trainer.trainEpoch()
            try saveCheckpoint()
            let done = trainer.checkpoint.history
            let perEpoch = done.suffix(5).map(\.seconds).reduce(0, +) / Double(min(done.count, 5))
            observer?(.epochFinished(record, epochs: epochs, secondsLeft: perEpoch * Double(epochs - record.epoch)))
        }
        return try await writeResults()
    }

    /// model.json and metrics.jsonl, both rewritten whole so they always agree.
    private func saveCheckpoint() throws {
        let file = ModelFile(
            specification: specification,
            fingerprint: identity.fingerprint,
            preprocessing: dataset.preprocessing,
            trainedOn: TrainedSeries(series, rows: dataset.fittedRows),
            checkpoint: trainer.checkpoint
        )
        try run.write(file, to: RunDirectory.File.model)
        var lines = Data()
        for record in trainer.checkpoint.history {
            lines.append(try JSONLines.line(for: record))
        }
        try AtomicFile.write(lines, to: run.file(RunDirectory.File.metrics))
    }

    /// predictions.csv and summary.json.
    private func writeResults() async throws -> RunSummary {
        var summary = await commonSummary()
        if let classes = specification.data.classes {
            try await addClassificationResults(classes, to: &summary)
            try run.write(summary, to: RunDirectory.File.summary)
            return summary
        }
        let width = dataset.inputWidth
        let trainPredictions = dataset.originalUnits(
            try await trainer.predict(Self.sequences(dataset.train, width: width), pass: .final(.train)),
            of: dataset.train
        )
        let validationPredictions = dataset.originalUnits(
            try await trainer.predict(Self.sequences(dataset.validation, width: width), pass: .final(.validation)),
            of: dataset.validation
        )
        let testPredictions = dataset.originalUnits(
            try await trainer.predict(Self.sequences(dataset.test, width: width), pass: .final(.test)),
            of: dataset.test
        )
        var csv = "time,truth,prediction,split\n"
        for (split, windows, truths, predictions) in [
            ("train", dataset.train, dataset.trainTargets, trainPredictions),
            ("validation", dataset.validation, dataset.validationTargets, validationPredictions),
            ("test", dataset.test, dataset.testTargets, testPredictions),
        ] {
            for (window, (truth, prediction)) in zip(windows, zip(truths, predictions)) {
                csv += "\(window.time),\(truth),\(prediction),\(split)\n"
            }
        }
        try AtomicFile.write(Data(csv.utf8), to: run.file(RunDirectory.File.predictions))
        let metrics = RegressionMetrics(predictions: testPredictions, targets: dataset.testTargets)
        let trainMetrics = RegressionMetrics(predictions: trainPredictions, targets: dataset.trainTargets)
        let validationMetrics =
            dataset.validation.isEmpty
            ? nil : RegressionMetrics(predictions: validationPredictions, targets: dataset.validationTargets)
        let ideal = try await idealTestOutputs().map {
            RegressionMetrics(predictions: dataset.originalUnits($0, of: dataset.test), targets: dataset.testTargets)
        }
        summary.r2Test = metrics.r2
        summary.mseTest = metrics.mse
        summary.maeTest = metrics.mae
        summary.r2Train = trainMetrics.r2
        summary.mseTrain = trainMetrics.mse
        summary.maeTrain = trainMetrics.mae
        summary.r2Validation = validationMetrics?.r2
        summary.mseValidation = validationMetrics?.mse
        summary.maeValidation = validationMetrics?.mae
        summary.r2TestIdeal = ideal?.r2
        summary.mseTestIdeal = ideal?.mse
        try run.write(summary, to: RunDirectory.File.summary)
        return summary
    }

    /// What summary.json says whatever the objective: the model, the run and its costs.
    private func commonSummary() async -> RunSummary {
        let history = trainer.checkpoint.history
        let plan = specification.model.kind == .lstm ? nil : try? specification.model.partitionPlan()
        return RunSummary(
            model: specification.model.kind.rawValue,
            label: specification.model.label,
            task: specification.data.name,
            nQubits: plan?.parts.map(\.qubits).max() ?? 0,
            partitions: plan?.count ?? 0,
            hiddenSize: specification.model.hiddenSize,
            depth: specification.model.kind == .lstm ? 0 : specification.model.ansatz.depth,
            parameters: trainer.model.parameterCount,
            epochs: trainer.checkpoint.completedEpochs,
            backend: backend.description,
            qpuAccounting: await backend.accounting(),
            bestTestLoss: history.map(\.testLoss).min() ?? .nan,
            bestValidationLoss: history.compactMap(\.validationLoss).min(),
            convergenceEpoch: EpochRecord.convergenceEpoch(history),
            trainSeconds: history.map(\.seconds).reduce(0, +),
            circuitsExecuted: history.map(\.circuits).reduce(0, +),
            shotsExecuted: history.map(\.shots).reduce(0, +),
            seed: specification.training.seed,
            fingerprint: identity.fingerprint,
            profile: specification.profile?.name
        )
    }

    /// For a run trained on a noisy or sampled QPU: the trained weights' outputs (scaled) on
    /// the test windows of the ideal emulator (exact expectations, no noise), to separate what
    /// noise did to training from what it does to inference. `nil` for ideal runs and classical
    /// models.
    func idealTestOutputs() async throws -> [Double]? {
        guard let profile = specification.profile, !profile.isIdeal || specification.training.shots != nil,
            specification.model.kind == .qlstm
        else { return nil }
        var settings = specification.training
        settings.shots = nil
        let test = Self.sequences(dataset.test, of: (series, dataset), classes: specification.data.classes)
        let ideal = try await Trainer.assemble(
            specification.model,
            settings: settings,
            executor: LocalExecutor(threads: ProcessInfo.processInfo.activeProcessorCount),
            train: test,
            test: test,
            parameters: trainer.model.parameters
        )
        return try await ideal.predict(test, pass: .idealTest)
    }

    /// The run directory, for reading and writing its files.
    public var run: RunDirectory { RunDirectory(directory) }
}
