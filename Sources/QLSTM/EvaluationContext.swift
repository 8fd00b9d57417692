import QuantumSimulator
import VariationalCircuits

/// How the circuits of one forward pass are evaluated: with or without Jacobians, exactly or
/// with shots, seeded by what, against which parameter version.
///
/// The trainer makes one per step or evaluation pass and hands it down the pass (model, LSTM,
/// gate maps), so a model holds no mutable evaluation state and two passes can never see each
/// other's settings.
public struct EvaluationContext: Sendable, Hashable {
    /// `nil` for outputs only (inference); a method when the backward pass will follow.
    public var method: DifferentiationMethod?
    /// `nil` for exact expectations.
    public var shots: Int?
    /// The run's seed; shot streams derive from it and the item's position.
    public var seed: UInt64
    /// The optimiser step, or an `EvaluationPass.seedDomain`: part of every shot seed.
    public var step: UInt64
    /// The parameter version the executor holds.
    public var parameterVersion: UInt64

    public init(
        method: DifferentiationMethod?,
        shots: Int? = nil,
        seed: UInt64 = 0,
        step: UInt64 = 0,
        parameterVersion: UInt64 = 0
    ) {
        self.method = method
        self.shots = shots
        self.seed = seed
        self.step = step
        self.parameterVersion = parameterVersion
    }

    /// Exact outputs without Jacobians, against the first parameter version: what a classical
    /// model or a one-off prediction needs.
    public static let outputs = EvaluationContext(method: nil)

    /// Evaluates parts of a map for one reading step in one executor call.
    ///
    /// Each item's shot seed comes from the run's seed, this pass's step and the item's place:
    /// reading direction, time step, batch row, map (the gates 0-3, VQC5 and VQC6 4-5) and
    /// part. So every draw is fixed by the seed whatever worker evaluates it, and no two items
    /// of a run share one.
    /// - Parameter parts: per item, its row, map, part, circuit index and inputs.
    func evaluate(
        _ parts: [(row: Int, map: Int, part: Int, circuit: Int, inputs: [Double])],
        at position: SequencePosition,
        on executor: any CircuitExecutor
    ) async throws -> [CircuitEvaluation] {
        let items = parts.map { item in
            EvaluationRequest(
                circuit: item.circuit,
                inputs: item.inputs,
                seed: SeededGenerator.derivedSeed(
                    seed,
                    [
                        step, UInt64(position.direction), UInt64(position.timeStep), UInt64(item.row),
                        UInt64(item.map), UInt64(item.part),
                    ]
                )
            )
        }
        return try await executor.evaluate(
            EvaluationBatch(items: items, method: method, shots: shots, parameterVersion: parameterVersion)
        )
    }
}
