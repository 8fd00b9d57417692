/// Counts of what an executor ran, for per-QPU accounting.
public struct ExecutionCounters: Sendable, Hashable, Codable {
    /// Items evaluated (one circuit on one input, with or without its Jacobian).
    public var evaluations: UInt64 = 0
    /// Circuit runs: one per item, plus two per differentiable gate under parameter shift.
    public var circuits: UInt64 = 0
    /// Shots drawn over all circuit runs (zero in exact mode).
    public var shots: UInt64 = 0

    public init() {}

    /// Counts one item of a circuit with `differentiableGates` shifted gates.
    mutating func record(differentiableGates: Int, method: DifferentiationMethod?, shots: Int?) {
        let runs = UInt64(SubVQC.circuitRuns(differentiableGates: differentiableGates, method: method))
        evaluations += 1
        circuits += runs
        self.shots += runs * UInt64(shots ?? 0)
    }
}

/// What one thread (a QPU slot on a worker) did during a batch.
public struct ThreadUsage: Sendable, Hashable {
    public var thread: Int
    public var counters = ExecutionCounters()
    public var busySeconds = 0.0

    public init(thread: Int) { self.thread = thread }

    mutating func add(_ more: ExecutionCounters, busySeconds seconds: Double) {
        counters.evaluations += more.evaluations
        counters.circuits += more.circuits
        counters.shots += more.shots
        busySeconds += seconds
    }
}
