import VariationalCircuits

/// What one loaded circuit costs a worker, worked out once when it is loaded: the amplitude
/// updates of a run, the bytes of its compiled form, of one thread's workspace and of one
/// evaluation's result.
///
/// Every byte figure is an upper bound of what `PreparedCircuit` and `LocalExecutor` allocate
/// (states counted as complex, lanes as many as allowed), so that work admitted under a memory
/// limit stays under it. The bounds follow the allocations in `PreparedCircuit.Workspace.init`,
/// `PreparedCircuit.evaluate` and `StateVector.sample`; the worker's tests check them against the
/// peak resident memory of a real process.
struct CircuitFootprint: Sendable {
    let qubits: Int
    let inputs: Int
    let outputs: Int
    let parameters: Int
    let gates: Int
    let differentiableGates: Int
    /// Inputs share one state buffer in `1 << laneBits` lanes (small circuits only).
    let laneBits: Int
    /// The qubits of the state the emulator holds: the circuit's, or twice as many for a
    /// density matrix (4^n entries) on a noisy QPU.
    let stateQubits: Int

    init(_ circuit: SubVQC, lanes: Int, densityMatrix: Bool = false) {
        qubits = circuit.qubitCount
        stateQubits = densityMatrix ? 2 * circuit.qubitCount : circuit.qubitCount
        inputs = circuit.inputCount
        outputs = circuit.outputCount
        parameters = circuit.parameterCount
        let gates = circuit.gates
        self.gates = gates.count
        differentiableGates = circuit.differentiableGateCount
        var bits = 0
        if !densityMatrix && qubits <= PreparedCircuit.Workspace.maximumLaneQubits {
            while (2 << bits) <= min(lanes, PreparedCircuit.Workspace.maximumLanes) { bits += 1 }
        }
        laneBits = bits
    }

    /// Amplitude updates of one run of one item: each gate touches every amplitude.
    var runWork: Int { (1 << stateQubits) * gates }

    /// Runs of one item, counted as whole forward runs: parameter shift runs 1 + 2 per
    /// differentiable gate; the adjoint sweep costs about three.
    func runs(method: DifferentiationMethod?) -> Int {
        SubVQC.circuitRuns(differentiableGates: differentiableGates, method: method) * (method == .adjoint ? 3 : 1)
    }

    /// Amplitude updates of one item, shot sampling included.
    func work(method: DifferentiationMethod?, shots: Int?) -> Int {
        let runs = runs(method: method)
        return runWork.multipliedClamped(by: runs).addingClamped(runs.multipliedClamped(by: shots ?? 0))
    }

    /// One state of the workspace's lanes, with imaginary parts.
    var stateBytes: Int { 16 << (stateQubits + laneBits) }

    /// The compiled circuit (`PreparedCircuit` in `Compiled`): per gate its parametric form,
    /// matrix, fused step and derivative entry (about 250 bytes measured on 25-qubit circuits
    /// of depth 30), and the parameters.
    var compiledBytes: Int { 4096 + gates * 512 + parameters * 8 }

    /// One thread's workspace for `method`: the state and the shifted state, the checkpoints of
    /// parameter shift (at most `checkpointBudget`), the co-states of the adjoint method (one per
    /// output), and the per-lane matrices and outputs.
    func workspaceBytes(method: DifferentiationMethod?) -> Int {
        let lanes = 1 << laneBits
        var bytes = 4096 + 2 * stateBytes + gates * 128 + lanes * 80 * (inputs + 2 * qubits + 4 * outputs + 2)
        switch method {
        case nil: break
        case .parameterShift?:
            bytes += min(differentiableGates * stateBytes, PreparedCircuit.Workspace.checkpointBudget)
        case .adjoint?:
            bytes += outputs * stateBytes
        }
        return bytes
    }

    /// What one thread allocates while sampling one lane: the cumulative distribution over
    /// 2^qubits outcomes and a tally of at most one entry per shot or outcome.
    func samplingBytes(shots: Int?) -> Int {
        guard let shots else { return 0 }
        return (8 << qubits) + min(shots, 1 << qubits) * 96
    }

    /// One evaluation in memory: three arrays (outputs, parameter and input Jacobians) with their
    /// headers and allocator overhead, and its slot in the batch's result array.
    func evaluationBytes(method: DifferentiationMethod?) -> Int {
        24 + 3 * 64 + 8 * (outputs + (method == nil ? 0 : outputs * (parameters + inputs)))
    }

    /// One evaluation in a `result` payload (PROTOCOL.md §4): three counted arrays of doubles.
    func replyBytes(method: DifferentiationMethod?) -> Int {
        12 + 8 * (outputs + (method == nil ? 0 : outputs * (parameters + inputs)))
    }

    /// The loaded circuit itself (`SubVQC`), kept for the connection's life.
    static func loadedBytes(_ circuit: SubVQC) -> Int {
        256 + circuit.id.utf8.count + 8 * circuit.measuredWires.count
    }
}

extension Int {
    /// `self * other`, or `Int.max` on overflow: costs of absurd requests compare as huge.
    func multipliedClamped(by other: Int) -> Int {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : product
    }

    /// `self + other`, or `Int.max` on overflow.
    func addingClamped(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
