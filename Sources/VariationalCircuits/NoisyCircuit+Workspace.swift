import QuantumSimulator

extension NoisyCircuit {
    /// Scratch space for one thread: reused across evaluations so the hot path does not
    /// allocate the matrices again.
    public struct Workspace: Sendable {
        /// The density matrix of the unshifted run and of a shifted one (1-qubit placeholders
        /// when the circuit runs as trajectories).
        var density: DensityMatrix
        var shifted: DensityMatrix
        /// Matrices before the steps holding differentiable gates, for parameter shift.
        var checkpoints: [DensityMatrix]
        var checkpointSlot: [Int?]
        /// Per gate, for the bound input: the unitary of a 1-qubit gate and its noisy map.
        var unitaries: [Matrix2]
        var maps: [Superoperator]
        /// Per wire: its density matrix after the product-layer gates.
        var leading: [Matrix2]
        /// One operation per step: fixed ones filled here, input-dependent ones per input.
        var operations: [NoisyOperation]
        /// Trajectories: the state, the bound gates, and `|0>` per wire to reset the state.
        var state: StateVector
        var gates: [Gate]
        let identities: [Matrix2]
        /// <Z_w> per wire, or the probability of every basis state, of the run being read.
        var expectations: [Double]
        var probabilities: [Double]
        /// The outputs of the run just read and of the `+pi/2` run of the current gate.
        var reading: [Double]
        var plus: [Double]

        /// Checkpoints are kept while they fit in this many bytes (as for the state vector);
        /// above it the prefix is simulated again for each shifted circuit.
        static let checkpointBudget = 256 << 20

        public init(for circuit: NoisyCircuit) {
            let prepared = circuit.prepared
            let n = prepared.circuit.qubitCount
            let trajectories = if case .trajectories = circuit.simulation { true } else { false }
            // The sizes were checked when the circuit was made.
            let zero = try! DensityMatrix(qubitCount: trajectories ? 1 : n)
            density = zero
            shifted = zero
            state = try! StateVector(qubitCount: trajectories ? n : 1)
            unitaries = prepared.gateMatrices.map { matrix in
                if case .fixed(let m) = matrix { m } else { .identity }
            }
            maps = circuit.fixedMaps.map { $0 ?? .identity }
            leading = circuit.leadingStates.map { $0 ?? NoisyCircuit.ground }
            operations = prepared.steps.enumerated().map { index, step in
                switch step {
                case .twoQubit(let gate): .twoQubit(gate)
                case .single(let wire, _, _): .superoperator(wire: wire, circuit.stepMaps[index] ?? .identity)
                }
            }
            gates = []
            identities = Array(repeating: .identity, count: n)
            expectations = Array(repeating: 0, count: n)
            probabilities = []
            reading = Array(repeating: 0, count: prepared.circuit.outputCount)
            plus = reading
            let (slots, count) = prepared.checkpointSlots
            checkpointSlot = slots
            let bytes = count * (16 << (2 * n))
            checkpoints = !trajectories && bytes <= Self.checkpointBudget ? Array(repeating: zero, count: count) : []
        }
    }
}
