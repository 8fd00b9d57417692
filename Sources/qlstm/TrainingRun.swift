import Datasets
import Foundation
import QLSTM
import QPUProfiles
import Reports
import VariationalCircuits

/// One training run and its directory: `manifest.json`, `metrics.jsonl`, `summary.json`,
/// `model.json` (a checkpoint after every epoch) and `predictions.csv`, each written atomically.
struct TrainingRun {
    let specification: RunSpecification
    /// What `compare` and `train` check before reusing or resuming this directory.
    let identity: RunIdentity
    let directory: URL
    let series: TimeSeries
    let dataset: WindowedDataset
    private(set) var trainer: Trainer
    let backend: ExecutionBackend

    /// - Parameter data: the loaded series and its windows; `specification.model.inputWidth`
    ///   must already be their width.
    init(
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
        let executor = backend.executor
        let runtime =
            specification.model.kind == .qlstm
            ? QuantumRuntime(
                executor: executor,
                mode: .init(method: nil, shots: nil, seed: specification.training.seed)
            )
            : nil
        let model = try TrainableModel.make(specification.model, seed: specification.training.seed, runtime: runtime)
        trainer = try Trainer(
            model: model,
            settings: specification.training,
            runtime: runtime,
            train: Self.sequences(dataset.train, width: dataset.inputWidth),
            validation: Self.sequences(dataset.validation, width: dataset.inputWidth),
            test: Self.sequences(dataset.test, width: dataset.inputWidth),
            resume: checkpoint
        )
        try await trainer.prepareExecutor()
    }

    /// Windows flattened as the models read them.
    static func sequences(_ windows: [WindowedDataset.Window], width: Int) -> SequenceData {
        SequenceData(
            inputs: windows.map { $0.inputs.flatMap { $0 } },
            targets: windows.map(\.target),
            timeSteps: windows.first?.inputs.count ?? 0,
            inputWidth: width
        )
    }

    /// Trains the remaining epochs, checkpointing after each, then writes the results.
    /// - Parameters:
    ///   - label: what the progress line calls this run.
    ///   - onEpoch: called after each epoch's checkpoint with the epochs completed (`compare`'s
    ///     overall progress).
    /// - Returns: what summary.json says.
    @discardableResult
    mutating func train(
        progress: ProgressLine?,
        label: String? = nil,
        onEpoch: (@Sendable (Int) -> Void)? = nil
    ) async throws -> RunSummary {
        let manifest = try await manifest()
        if trainer.checkpoint.completedEpochs == 0 { try write(json: manifest, to: "manifest.json") }
        if let placement = manifest.placement {
            Notes().note("pinned placement: " + placement.joined(separator: ", "))
        }
        let watch = backend.clusterExecutor.map { ClusterWatch(executor: $0, progress: progress).start() }
        defer {
            watch?.cancel()
            progress?.setStatus(nil)
        }
        let epochs = specification.training.epochs
        let label = label ?? RunOptions.label(specification.model)
        progress?.update("\(label) epoch \(trainer.checkpoint.completedEpochs + 1)/\(epochs) running")
        while trainer.checkpoint.completedEpochs < epochs {
            let record = try await trainer.trainEpoch()
            try saveCheckpoint()
            onEpoch?(record.epoch)
            let done = trainer.checkpoint.history
            let perEpoch = done.suffix(5).map(\.seconds).reduce(0, +) / Double(min(done.count, 5))
            // The validation loss is the one to watch; the test loss only where there is none.
            let held =
                record.validationLoss.map { "  val \(String(format: "%.5f", $0))" }
                ?? "  test \(String(format: "%.5f", record.testLoss))"
            progress?.update(
                "\(label) epoch \(record.epoch)/\(epochs)  train \(String(format: "%.5f", record.trainLoss))\(held)"
                    + "  \(String(format: "%.2f", record.seconds)) s/epoch"
                    + "  ETA \(ProgressLine.duration(perEpoch * Double(epochs - record.epoch)))"
            )
        }
        progress?.finish()
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
        try write(json: file, to: "model.json")
        var lines = Data()
        for record in trainer.checkpoint.history {
            lines.append(try JSONLines.line(for: record))
        }
        try AtomicFile.write(lines, to: directory.appendingPathComponent("metrics.jsonl"))
    }

    /// predictions.csv and summary.json.
    private func writeResults() async throws -> RunSummary {
        let width = dataset.inputWidth
        let trainPredictions = dataset.originalUnits(
            try await trainer.predict(Self.sequences(dataset.train, width: width), pass: 1 << 40),
            of: dataset.train
        )
        let validationPredictions = dataset.originalUnits(
            try await trainer.predict(Self.sequences(dataset.validation, width: width), pass: 1 << 43),
            of: dataset.validation
        )
        let testPredictions = dataset.originalUnits(
            try await trainer.predict(Self.sequences(dataset.test, width: width), pass: 1 << 41),
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
        try AtomicFile.write(Data(csv.utf8), to: directory.appendingPathComponent("predictions.csv"))
        let metrics = RegressionMetrics(predictions: testPredictions, targets: dataset.testTargets)
        let trainMetrics = RegressionMetrics(predictions: trainPredictions, targets: dataset.trainTargets)
        let validationMetrics =
            dataset.validation.isEmpty
            ? nil : RegressionMetrics(predictions: validationPredictions, targets: dataset.validationTargets)
        let ideal = try await idealTestMetrics()
        let history = trainer.checkpoint.history
        let plan = specification.model.kind == .lstm ? nil : try specification.model.partitionPlan()
        let summary = RunSummary(
            model: specification.model.kind.rawValue,
            label: RunOptions.label(specification.model),
            task: specification.data.name,
            nQubits: plan?.parts.map(\.qubits).max() ?? 0,
            partitions: plan?.count ?? 0,
            hiddenSize: specification.model.hiddenSize,
            depth: specification.model.kind == .lstm ? 0 : specification.model.ansatz.depth,
            parameters: trainer.model.parameterCount,
            epochs: trainer.checkpoint.completedEpochs,
            r2Test: metrics.r2,
            mseTest: metrics.mse,
            maeTest: metrics.mae,
            r2Train: trainMetrics.r2,
            mseTrain: trainMetrics.mse,
            maeTrain: trainMetrics.mae,
            r2Validation: validationMetrics?.r2,
            mseValidation: validationMetrics?.mse,
            maeValidation: validationMetrics?.mae,
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
            profile: specification.profile?.name,
            r2TestIdeal: ideal?.r2,
            mseTestIdeal: ideal?.mse
        )
        try write(json: summary, to: "summary.json")
        return summary
    }

    /// For a run trained on a noisy or sampled QPU: the trained weights evaluated on the ideal
    /// emulator (exact expectations, no noise), to separate what noise did to training from
    /// what it does to inference. `nil` for ideal runs and classical models.
    private func idealTestMetrics() async throws -> RegressionMetrics? {
        guard let profile = specification.profile, !profile.isIdeal || specification.training.shots != nil,
            specification.model.kind == .qlstm
        else { return nil }
        let executor = LocalExecutor(threads: ProcessInfo.processInfo.activeProcessorCount)
        var settings = specification.training
        settings.shots = nil
        let runtime = QuantumRuntime(executor: executor, mode: .init(method: nil, shots: nil, seed: settings.seed))
        var model = try TrainableModel.make(specification.model, seed: settings.seed, runtime: runtime)
        model.setParameters(trainer.model.parameters)
        let test = Self.sequences(dataset.test, width: dataset.inputWidth)
        let ideal = try Trainer(model: model, settings: settings, runtime: runtime, train: test, test: test)
        try await ideal.prepareExecutor()
        let predictions = dataset.originalUnits(try await ideal.predict(test, pass: 1 << 42), of: dataset.test)
        return RegressionMetrics(predictions: predictions, targets: dataset.testTargets)
    }

    private func write<T: Encodable>(json value: T, to name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(value), to: directory.appendingPathComponent(name))
    }
}
