import QuantumSimulator
import VariationalCircuits

/// A model of any kind, behind one interface for the trainer and the command line.
public enum TrainableModel: Sendable {
    case partitioned(LSTM<PartitionedGates>)
    case classical(LSTM<Linear>)

    /// Draws a fresh model for `configuration`.
    ///
    /// Initial values follow the paper's reference code where it has them: circuit angles and
    /// the head as 0.01 N(0, 1); classical maps (projection, readout, the ablation's parts, the
    /// LSTM baseline) as torch's `nn.Linear` default, U(-1/sqrt(fan in), 1/sqrt(fan in)).
    /// - Parameter executor: where a QLSTM's circuits run (ignored for the other kinds).
    public static func make(
        _ configuration: ModelConfiguration,
        seed: UInt64,
        executor: (any CircuitExecutor)?
    ) throws -> TrainableModel {
        var generator = SeededGenerator(seed: SeededGenerator.derivedSeed(seed, [0x1417]))
        if configuration.kind == .lstm {
            guard configuration.architecture == .fourVQC else {
                throw QLSTMError.invalidParameter(
                    name: "architecture",
                    value: configuration.architecture.extraCircuits,
                    expected: "four-vqc for a classical LSTM (it has no circuits)"
                )
            }
            return .classical(
                try LSTM(
                    inputWidth: configuration.inputWidth,
                    hiddenWidth: configuration.hiddenSize,
                    bidirectional: configuration.bidirectional,
                    inversward: configuration.inversward,
                    outputs: configuration.outputs,
                    generator: &generator
                )
            )
        }
        let plan = try configuration.partitionPlan()
        var offset = 0
        /// The trainable parts of `maps` maps over `plan`'s parts, drawn in order from the one
        /// generator: circuit angles (on the executor, after the circuits drawn before) for a
        /// QLSTM, affine maps for the ablation.
        func drawParts(
            _ circuits: [SubVQC],
            maps: Int,
            over plan: PartitionPlan
        ) throws -> (PartitionedGates.Backend, [[Double]]) {
            if configuration.kind == .qlstm {
                guard let executor else { throw QLSTMError.missingExecutor }
                let parts = circuits.map { circuit in
                    (0..<circuit.parameterCount).map { _ in 0.01 * generator.nextStandardNormal() }
                }
                defer { offset += circuits.count }
                return (.quantum(executor: executor, circuits: circuits, circuitOffset: offset), parts)
            }
            let linear = (0..<maps).map { k in
                let part = plan.parts[k % plan.count]
                return Linear(
                    inputs: part.inputs,
                    outputs: part.outputs,
                    initialization: .uniformFanIn,
                    generator: &generator
                )
            }
            return (.linear(linear), linear.map(\.parameters))
        }
        func gateMap(direction: Int) throws -> PartitionedGates {
            let circuits = Array(try configuration.circuits(direction: direction).prefix(4 * plan.count))
            let projection =
                configuration.projection
                ? Linear(
                    inputs: configuration.concatenatedWidth,
                    outputs: plan.inputWidth,
                    initialization: .uniformFanIn,
                    generator: &generator
                )
                : nil
            let readout =
                configuration.projection
                ? Linear(
                    inputs: plan.outputWidth,
                    outputs: configuration.hiddenSize,
                    initialization: .uniformFanIn,
                    generator: &generator
                )
                : nil
            let (backend, parts) = try drawParts(circuits, maps: 4 * plan.count, over: plan)
            return try PartitionedGates(
                inputWidth: configuration.concatenatedWidth,
                hiddenWidth: configuration.hiddenSize,
                plan: plan,
                backend: backend,
                partParameters: parts,
                projection: projection,
                readout: readout
            )
        }
        /// VQC5 and VQC6 of Chen et al. 2020, drawn like the gates' parts, after them.
        func outputMaps(direction: Int) throws -> CellOutputMaps? {
            guard let outputPlan = try configuration.cellOutputPlan() else { return nil }
            let circuits = Array(try configuration.circuits(direction: direction).dropFirst(4 * plan.count))
            let (backend, parts) = try drawParts(circuits, maps: 2 * outputPlan.count, over: outputPlan)
            return try CellOutputMaps(
                hiddenWidth: configuration.hiddenSize,
                plan: outputPlan,
                backend: backend,
                partParameters: parts
            )
        }
        let gates = try gateMap(direction: 0)
        let maps = try outputMaps(direction: 0)
        let reverse = configuration.bidirectional ? try gateMap(direction: 1) : nil
        let reverseMaps = configuration.bidirectional ? try outputMaps(direction: 1) : nil
        let head = Linear(
            inputs: configuration.bidirectional ? 2 * configuration.hiddenSize : configuration.hiddenSize,
            outputs: configuration.outputs,
            initialization: .normal(scale: 0.01),
            generator: &generator
        )
        return .partitioned(
            try LSTM(
                gates: gates,
                reverseGates: reverse,
                head: head,
                inversward: configuration.inversward,
                outputMaps: maps,
                reverseOutputMaps: reverseMaps
            )
        )
    }

    public var parameterCount: Int {
        switch self {
        case .partitioned(let model): model.parameterCount
        case .classical(let model): model.parameterCount
        }
    }

    public var parameters: [Double] {
        switch self {
        case .partitioned(let model): model.parameters
        case .classical(let model): model.parameters
        }
    }

    public mutating func setParameters(_ parameters: [Double]) {
        switch self {
        case .partitioned(var model):
            model.setParameters(parameters)
            self = .partitioned(model)
        case .classical(var model):
            model.setParameters(parameters)
            self = .classical(model)
        }
    }

    /// Every sub-VQC of the model in executor order (primary reading's gates and output maps,
    /// then the reverse reading's), with its current parameters; empty for classical models.
    public var circuits: [(circuit: SubVQC, parameters: [Double])] {
        guard case .partitioned(let model) = self else { return [] }
        var result: [(SubVQC, [Double])] = []
        for (gates, maps) in [(model.gates, model.outputMaps), (model.reverseGates, model.reverseOutputMaps)] {
            if let gates, case .quantum(_, let circuits, _) = gates.backend {
                result += zip(circuits, gates.partParameters).map { ($0, $1) }
            }
            if let maps, case .quantum(_, let circuits, _) = maps.backend {
                result += zip(circuits, maps.partParameters).map { ($0, $1) }
            }
        }
        return result
    }

    /// The head's outputs for a batch of sequences (`batch x T x d_x`): `batch x outputs`,
    /// row-major (one prediction, or K logits, per sequence).
    /// - Parameter context: how the circuits are evaluated (its method is not used: no
    ///   Jacobians are needed).
    public func predict(_ sequences: [Double], batch: Int, context: EvaluationContext) async throws -> [Double] {
        var outputsOnly = context
        outputsOnly.method = nil
        return switch self {
        case .partitioned(let model): try await model.forward(sequences, batch: batch, context: outputsOnly).predictions
        case .classical(let model): try await model.forward(sequences, batch: batch, context: outputsOnly).predictions
        }
    }

    /// The batch loss and its gradient for every parameter.
    /// - Parameter context: how the circuits are evaluated; its method gives the Jacobians.
    public func lossAndGradient(
        _ loss: Loss,
        sequences: [Double],
        targets: [Double],
        context: EvaluationContext
    ) async throws -> (loss: Double, gradient: [Double]) {
        switch self {
        case .partitioned(let model):
            try await model.lossAndGradient(loss, sequences: sequences, targets: targets, context: context)
        case .classical(let model):
            try await model.lossAndGradient(loss, sequences: sequences, targets: targets, context: context)
        }
    }
}
