import QLSTM
import QuantumSimulator
import VariationalCircuits

extension Trainer {
    /// The one place where an executor, a model and a trainer are put together: a model of
    /// `configuration` (its quantum gates on `executor`), seeded by `settings.seed`, with its
    /// circuits loaded on the executor.
    ///
    /// Training runs, reloaded models, the ideal re-evaluation of noisy runs and the benchmarks
    /// all build their trainer here, so they cannot drift apart.
    /// - Parameters:
    ///   - resume: a checkpoint to continue from (its parameters, optimiser state and history).
    ///   - parameters: trained parameters to start from instead of the seeded initialisation.
    public static func assemble(
        _ configuration: ModelConfiguration,
        settings: TrainingSettings,
        executor: any CircuitExecutor,
        train: SequenceData,
        validation: SequenceData? = nil,
        test: SequenceData,
        resume: Checkpoint? = nil,
        parameters: [Double]? = nil
    ) async throws -> Trainer {
        let circuitExecutor = configuration.kind == .qlstm ? executor : nil
        var model = try TrainableModel.make(configuration, seed: settings.seed, executor: circuitExecutor)
        if let parameters { model.setParameters(parameters) }
        let trainer = try Trainer(
            model: model,
            settings: settings,
            executor: circuitExecutor,
            train: train,
            validation: validation,
            test: test,
            resume: resume
        )
        try await trainer.prepareExecutor()
        return trainer
    }
}
