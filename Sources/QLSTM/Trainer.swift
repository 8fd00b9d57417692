import Dispatch
import QuantumSimulator
import VariationalCircuits

/// Trains one model: mini-batches in a seeded order, backpropagation through time with the
/// circuits' Jacobians, an optimiser step, then the executor's parameters refreshed.
///
/// Everything random derives from the seed and counters (epoch, step), and the state kept in
/// `Checkpoint` is all a resumed run needs to continue bit for bit.
public struct Trainer: Sendable {
    /// What a run has done so far: all a resumed run needs besides the configuration.
    public struct Checkpoint: Sendable, Codable, Equatable {
        public var completedEpochs: Int
        /// Optimiser steps taken.
        public var steps: UInt64
        public var parameters: [Double]
        public var optimizer: Optimizer
        public var history: [EpochRecord]
    }

    public private(set) var model: TrainableModel
    public private(set) var checkpoint: Checkpoint
    public let settings: TrainingSettings
    /// Where the model's circuits run; `nil` for a model without circuits.
    public let executor: (any CircuitExecutor)?
    let train: SequenceData
    let validation: SequenceData?
    let test: SequenceData

    /// - Parameters:
    ///   - validation: windows held out of training whose loss is recorded after every epoch,
    ///     so choices can be made without looking at the test windows; `nil` for none.
    ///   - resume: a checkpoint of this configuration to continue from.
    public init(
        model: TrainableModel,
        settings: TrainingSettings,
        executor: (any CircuitExecutor)?,
        train: SequenceData,
        validation: SequenceData? = nil,
        test: SequenceData,
        resume: Checkpoint? = nil
    ) throws(QLSTMError) {
        if let resume, resume.parameters.count != model.parameterCount {
            throw .countMismatch(
                name: "checkpoint parameters",
                expected: model.parameterCount,
                found: resume.parameters.count
            )
        }
        var model = model
        if let resume { model.setParameters(resume.parameters) }
        self.model = model
        self.settings = settings
        self.executor = executor
        self.train = train
        self.validation = validation.flatMap { $0.count == 0 ? nil : $0 }
        self.test = test
        checkpoint =
            resume
            ?? Checkpoint(
                completedEpochs: 0,
                steps: 0,
                parameters: model.parameters,
                optimizer: settings.optimizer.make(),
                history: []
            )
    }

    /// Loads the model's circuits on the executor and sets their parameters (once per run).
    public func prepareExecutor() async throws {
        guard let executor else { return }
        let circuits = model.circuits
        try await executor.load(circuits.map(\.circuit))
        try await synchronizeParameters()
    }

    /// Sends the current circuit parameters, versioned by the step count (the version every
    /// `context` names).
    private func synchronizeParameters() async throws {
        guard let executor else { return }
        try await executor.setParameters(model.circuits.map(\.parameters), version: checkpoint.steps)
    }

    /// One epoch: every training window once, then the validation and test losses.
    public mutating func trainEpoch() async throws -> EpochRecord {
        let start = DispatchTime.now().uptimeNanoseconds
        let countersBefore = await executor?.executionCounters() ?? ExecutionCounters()
        let epoch = checkpoint.completedEpochs + 1
        var order = Array(0..<train.count)
        if settings.shuffle {
            var generator = SeededGenerator(seed: SeededGenerator.derivedSeed(settings.seed, [0x5A0F, UInt64(epoch)]))
            order.shuffle(using: &generator)
        }
        var lossSum = 0.0
        var batchStart = 0
        while batchStart < order.count {
            let indices = order[batchStart..<min(batchStart + settings.batchSize, order.count)]
            batchStart += settings.batchSize
            let (loss, gradient) = try await model.lossAndGradient(
                settings.loss,
                sequences: indices.flatMap { train.inputs[$0] },
                targets: indices.map { train.targets[$0] },
                context: context(method: settings.differentiation, step: checkpoint.steps + 1)
            )
            guard loss.isFinite, gradient.allSatisfy(\.isFinite) else {
                throw QLSTMError.trainingDiverged(epoch: epoch, step: checkpoint.steps + 1)
            }
            lossSum += loss * Double(indices.count)
            let stepsPerEpoch = (train.count + settings.batchSize - 1) / settings.batchSize
            checkpoint.optimizer.learningRate = settings.schedule.rate(
                base: settings.optimizer.learningRate,
                step: Int(checkpoint.steps),
                total: settings.epochs * stepsPerEpoch
            )
            var parameters = model.parameters
            checkpoint.optimizer.step(parameters: &parameters, gradient: gradient)
            model.setParameters(parameters)
            checkpoint.steps += 1
            try await synchronizeParameters()
        }
        var validationLoss: Double?
        if let validation {
            let predictions = try await predict(validation, pass: .validation(epoch: epoch))
            validationLoss = settings.loss.value(predictions: predictions, targets: validation.targets)
        }
        let testPredictions = try await predict(test, pass: .test(epoch: epoch))
        let countersAfter = await executor?.executionCounters() ?? ExecutionCounters()
        let record = EpochRecord(
            epoch: epoch,
            trainLoss: lossSum / Double(max(order.count, 1)),
            validationLoss: validationLoss,
            testLoss: settings.loss.value(predictions: testPredictions, targets: test.targets),
            seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
            circuits: countersAfter.circuits - countersBefore.circuits,
            shots: countersAfter.shots - countersBefore.shots
        )
        checkpoint.completedEpochs = epoch
        checkpoint.parameters = model.parameters
        checkpoint.history.append(record)
        return record
    }

    /// Predictions for every window of `data` with the current parameters, without Jacobians.
    /// - Parameter pass: which evaluation this is; with shots, each pass draws its own.
    public func predict(_ data: SequenceData, pass: EvaluationPass = .inference) async throws -> [Double] {
        let context = context(method: nil, step: pass.seedDomain)
        var predictions: [Double] = []
        predictions.reserveCapacity(data.count)
        let chunk = 256
        var start = 0
        while start < data.count {
            let end = min(start + chunk, data.count)
            predictions += try await model.predict(
                data.inputs[start..<end].flatMap { $0 },
                batch: end - start,
                context: context
            )
            start = end
        }
        return predictions
    }

    /// How the circuits of a step or pass are evaluated: the run's shots and seed, the step
    /// (or the pass's seed domain), and the parameters the executor holds now.
    private func context(method: DifferentiationMethod?, step: UInt64) -> EvaluationContext {
        EvaluationContext(
            method: method,
            shots: settings.shots,
            seed: settings.seed,
            step: step,
            parameterVersion: checkpoint.steps
        )
    }
}
