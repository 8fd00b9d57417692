/// One circuit evaluation asked of an executor: which loaded circuit, on which inputs.
public struct EvaluationRequest: Sendable, Hashable, Codable {
    /// The index of the circuit in the list given to `CircuitExecutor.load`.
    public var circuit: Int
    public var inputs: [Double]
    /// The base of this item's shot streams (ignored for exact evaluation). The coordinator
    /// derives it from (run seed, step, time step, sample, gate, part), so a result never
    /// depends on which worker or thread produced it.
    public var seed: UInt64

    public init(circuit: Int, inputs: [Double], seed: UInt64 = 0) {
        self.circuit = circuit
        self.inputs = inputs
        self.seed = seed
    }
}

/// A batch of evaluations that travel together: for a QLSTM, every sub-VQC of every gate for
/// every window of a mini-batch at one time step.
public struct EvaluationBatch: Sendable, Hashable, Codable {
    public var items: [EvaluationRequest]
    /// `nil` for outputs only; otherwise the Jacobians by this method come back too.
    public var method: DifferentiationMethod?
    /// `nil` for exact expectations.
    public var shots: Int?
    /// The parameter version the batch must be evaluated with (see `setParameters`).
    public var parameterVersion: UInt64

    public init(
        items: [EvaluationRequest],
        method: DifferentiationMethod?,
        shots: Int? = nil,
        parameterVersion: UInt64 = 0
    ) {
        self.items = items
        self.method = method
        self.shots = shots
        self.parameterVersion = parameterVersion
    }
}

/// Where circuits run: in this process on every core (`LocalExecutor`) or on QPU workers over
/// TCP (the cluster's executor). Centric and distributed models, local and remote execution,
/// are one code path above this seam.
///
/// Circuits travel once per run, parameters once per optimiser step, and each `evaluate` is one
/// round trip however many items it holds.
public protocol CircuitExecutor: Sendable {
    /// Makes these circuits known; requests name them by their index in this list.
    func load(_ circuits: [SubVQC]) async throws
    /// Sets every loaded circuit's parameters (`parameters[i]` for circuit `i`).
    func setParameters(_ parameters: [[Double]], version: UInt64) async throws
    /// Evaluates a batch; the result `k` belongs to request `k`.
    func evaluate(_ batch: EvaluationBatch) async throws -> [CircuitEvaluation]
    /// What has been run so far, for accounting.
    func executionCounters() async -> ExecutionCounters
}
