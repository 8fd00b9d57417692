import QuantumSimulator

/// A sub-VQC with its parameters bound, compiled for fast repeated evaluation on many inputs.
///
/// Compilation fuses every run of single-qubit gates on a wire into one 2 x 2 matrix and folds
/// the gates before a wire's first CNOT into a product state. Matrices that depend only on
/// parameters are multiplied once here; per input, only the encoding's matrices are computed.
/// Inputs are evaluated several at a time as the lanes of one buffer (see
/// `StateVector.setLaneProducts`), bit-identical to evaluating them one by one.
/// This is the work a QPU core does between two `setParameters` calls.
public struct PreparedCircuit: Sendable {
    public let circuit: SubVQC
    public let parameters: [Double]

    /// How a gate's matrix is found at evaluation time.
    enum GateMatrix: Sendable {
        case fixed(Matrix2)
        /// The matrix of input-dependent rotation number `slot`, computed per input.
        case input(slot: Int)
        case twoQubit
    }

    /// A step after fusion.
    enum Step: Sendable {
        /// A fused single-qubit run; `matrix` is set when no gate in it depends on inputs.
        case single(wire: Int, gates: [Int], matrix: Matrix2?)
        case twoQubit(FusedOperation)
    }

    /// Where an angle with a derivative sits: in a wire's product layer or in a fused step.
    enum Location: Sendable {
        case leading(wire: Int)
        case step(Int)
    }

    /// A rotation whose angle depends on a parameter or an input.
    struct DifferentiableGate: Sendable {
        let gate: Int
        let axis: PauliAxis
        let wire: Int
        let source: AngleSource
        let location: Location
    }

    let gates: [ParametricGate]
    let gateMatrices: [GateMatrix]
    /// Per input slot: the input-dependent rotation's axis and angle.
    let inputRotations: [(axis: PauliAxis, source: AngleSource)]
    /// Per wire: the gates folded into the product layer, in order, and their product when
    /// none depends on inputs.
    let leadingGates: [[Int]]
    let leadingMatrices: [Matrix2?]
    let steps: [Step]
    /// The single-qubit steps (after the product layer) whose matrix depends on the inputs.
    /// Circuits that re-upload inputs have some; they are evaluated one input at a time.
    let inputDependentSteps: [Int]
    let differentiableGates: [DifferentiableGate]

    /// Binds `parameters` to `circuit` and compiles it.
    /// - Throws: `VariationalCircuitError.parameterCountMismatch` or `.nonFiniteValue`.
    public init(_ circuit: SubVQC, parameters: [Double]) throws(VariationalCircuitError) {
        guard parameters.count == circuit.parameterCount else {
            throw .parameterCountMismatch(expected: circuit.parameterCount, got: parameters.count)
        }
        if let bad = parameters.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteValue(what: "parameter", index: bad)
        }
        self.circuit = circuit
        self.parameters = parameters
        let gates = circuit.gates
        self.gates = gates

        var gateMatrices: [GateMatrix] = []
        var inputRotations: [(axis: PauliAxis, source: AngleSource)] = []
        for gate in gates {
            switch gate {
            case .fixed(let g):
                gateMatrices.append(g.matrix.map(GateMatrix.fixed) ?? .twoQubit)
            case .rotation(let axis, _, let source) where source.dependsOnInputs:
                gateMatrices.append(.input(slot: inputRotations.count))
                inputRotations.append((axis, source))
            case .rotation(let axis, _, let source):
                let angle = source.angle(inputs: [], parameters: parameters)
                gateMatrices.append(.fixed(.rotation(axis, angle)))
            }
        }
        self.gateMatrices = gateMatrices
        self.inputRotations = inputRotations

        // Fusion, as FusedCircuit does, but keeping which gates went into which step.
        let n = circuit.qubitCount
        var leadingGates = Array(repeating: [Int](), count: n)
        var entangled = Array(repeating: false, count: n)
        var pending = Array(repeating: [Int](), count: n)
        var steps: [Step] = []
        var locations = Array(repeating: Location.leading(wire: 0), count: gates.count)
        func product(_ run: [Int]) -> Matrix2? {
            var m = Matrix2.identity
            for g in run {
                guard case .fixed(let gm) = gateMatrices[g] else { return nil }
                m = gm * m
            }
            return m
        }
        func flush(_ wire: Int) {
            guard !pending[wire].isEmpty else { return }
            for g in pending[wire] { locations[g] = .step(steps.count) }
            steps.append(.single(wire: wire, gates: pending[wire], matrix: product(pending[wire])))
            pending[wire] = []
        }
        for (index, gate) in gates.enumerated() {
            let wires = gate.wires
            if wires.count == 2, case .fixed(let g) = gate {
                flush(wires[0])
                flush(wires[1])
                entangled[wires[0]] = true
                entangled[wires[1]] = true
                switch g {
                case .cnot(let c, let t): steps.append(.twoQubit(.cnot(control: c, target: t)))
                case .cz(let a, let b): steps.append(.twoQubit(.cz(a, b)))
                case .swap(let a, let b): steps.append(.twoQubit(.swap(a, b)))
                default: preconditionFailure("two-wire gate \(g) has no kernel")
                }
                continue
            }
            let w = wires[0]
            if entangled[w] {
                pending[w].append(index)
            } else {
                leadingGates[w].append(index)
                locations[index] = .leading(wire: w)
            }
        }
        for wire in 0..<n { flush(wire) }
        self.leadingGates = leadingGates
        self.leadingMatrices = leadingGates.map(product)
        self.steps = steps
        self.inputDependentSteps = steps.indices.filter {
            if case .single(_, _, nil) = steps[$0] { return true }
            return false
        }

        var differentiable: [DifferentiableGate] = []
        for (index, gate) in gates.enumerated() {
            guard case .rotation(let axis, let wire, let source) = gate else { continue }
            if case .constant = source { continue }
            differentiable.append(
                DifferentiableGate(gate: index, axis: axis, wire: wire, source: source, location: locations[index])
            )
        }
        self.differentiableGates = differentiable
    }

    /// Per step, the index of the state stored before it when it holds a differentiable gate
    /// (parameter shift restarts there), and how many such states there are.
    var checkpointSlots: (slots: [Int?], count: Int) {
        var slots = Array(repeating: Int?.none, count: steps.count)
        var count = 0
        for gate in differentiableGates {
            if case .step(let index) = gate.location, slots[index] == nil {
                slots[index] = count
                count += 1
            }
        }
        return (slots, count)
    }

    /// Checks an input vector's length and values.
    public func checkInputs(_ inputs: [Double]) throws(VariationalCircuitError) {
        try Self.checkInputs(inputs, count: circuit.inputCount)
    }

    /// `checkInputs(_:)` for a circuit of `count` inputs.
    static func checkInputs(_ inputs: [Double], count: Int) throws(VariationalCircuitError) {
        guard inputs.count == count else { throw .inputCountMismatch(expected: count, got: inputs.count) }
        if let bad = inputs.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteValue(what: "input", index: bad) }
    }

    /// The outputs <Z_w> on the measured wires for one input vector, exactly.
    /// - Throws: `VariationalCircuitError.inputCountMismatch` or `.nonFiniteValue`.
    public func evaluate(_ inputs: [Double]) throws(VariationalCircuitError) -> [Double] {
        try evaluate(inputs, method: nil).outputs
    }

    // MARK: - Building blocks shared by evaluation and the Jacobians

    /// The matrix of gate `g` for lane `lane`.
    @inline(__always)
    func matrix(ofGate g: Int, lane: Int, inputMatrices: [Matrix2]) -> Matrix2 {
        switch gateMatrices[g] {
        case .fixed(let m): m
        case .input(let slot): inputMatrices[lane * inputRotations.count + slot]
        case .twoQubit: preconditionFailure("gate \(g) is not single-qubit")
        }
    }

    /// The product of a run of single-qubit gates for one lane, optionally with one gate
    /// followed by `shift`.
    func product(
        of run: [Int],
        lane: Int,
        inputMatrices: [Matrix2],
        shifting shifted: Int = -1,
        by shift: Matrix2 = .identity
    ) -> Matrix2 {
        var m = Matrix2.identity
        for (position, g) in run.enumerated() {
            let gate = matrix(ofGate: g, lane: lane, inputMatrices: inputMatrices)
            m = position == 0 ? gate : gate * m
            if g == shifted { m = shift * m }
        }
        return m
    }

    /// Loads one input vector per lane: the encoding matrices and each lane's product layer.
    /// Lanes beyond `inputs.count` repeat the last input (their results are not read).
    func bind(_ inputs: ArraySlice<[Double]>, workspace: inout Workspace) {
        let slots = inputRotations.count
        let n = circuit.qubitCount
        for lane in 0..<workspace.lanes {
            let x = inputs[min(inputs.startIndex + lane, inputs.endIndex - 1)]
            for (slot, rotation) in inputRotations.enumerated() {
                workspace.inputMatrices[lane * slots + slot] = .rotation(
                    rotation.axis,
                    rotation.source.angle(inputs: x, parameters: [])
                )
            }
        }
        for lane in 0..<workspace.lanes {
            for wire in 0..<n {
                workspace.leading[lane * n + wire] =
                    leadingMatrices[wire]
                    ?? product(of: leadingGates[wire], lane: lane, inputMatrices: workspace.inputMatrices)
            }
        }
        // Only one-lane workspaces meet input-dependent steps (see `Workspace.init`).
        for index in inputDependentSteps {
            guard case .single(let wire, let run, _) = steps[index] else { continue }
            workspace.operations[index] = .single(
                wire: wire,
                product(of: run, lane: 0, inputMatrices: workspace.inputMatrices)
            )
        }
    }

    /// Runs the bound lanes from the product layer through every step into `workspace.state`,
    /// storing checkpoints before differentiable steps when `recordCheckpoints` is set.
    func run(workspace: inout Workspace, recordCheckpoints: Bool = false) {
        workspace.state.setLaneProducts(workspace.leading, wires: circuit.qubitCount, laneBits: workspace.laneBits)
        guard recordCheckpoints, !workspace.checkpoints.isEmpty else {
            workspace.state.apply(workspace.operations[...])
            return
        }
        var done = 0
        for index in steps.indices {
            guard let slot = workspace.checkpointSlot[index] else { continue }
            workspace.state.apply(workspace.operations[done..<index])
            workspace.checkpoints[slot].overwrite(with: workspace.state)
            done = index
        }
        workspace.state.apply(workspace.operations[done...])
    }
}

extension PreparedCircuit {
    /// Scratch space for one thread: reused across evaluations so the hot path never allocates.
    public struct Workspace: Sendable {
        /// The number of inputs evaluated together is `1 << laneBits`.
        public let laneBits: Int
        public var lanes: Int { 1 << laneBits }
        var state: StateVector
        /// One operation per step, wires moved above the lane bits: fixed ones filled here,
        /// input-dependent ones per evaluation.
        var operations: [FusedOperation]
        /// Lane-major: `inputMatrices[lane * slots + slot]`, `leading[lane * wires + wire]`.
        var inputMatrices: [Matrix2]
        var leading: [Matrix2]
        /// One wire's product-layer matrices, kept while a shifted copy replaces them.
        var savedLeading: [Matrix2]
        /// Lane-major <Z_w> of every wire.
        var expectations: [Double]
        /// Lane-major outputs of the unshifted run and of the two shifted runs of one gate.
        var outputs: [Double]
        var plus: [Double]
        var minus: [Double]
        /// States before the steps holding differentiable gates, for parameter shift.
        var checkpoints: [StateVector]
        var checkpointSlot: [Int?]
        var shiftedState: StateVector
        /// Adjoint sweeps: one co-state per output, and per-lane overlaps.
        var costates: [StateVector]
        var overlaps: [Complex]

        /// Checkpoints are kept while they fit in this many bytes; above it the prefix is
        /// simulated again for each shifted circuit. Public for memory estimates (a worker's).
        public static let checkpointBudget = 256 << 20
        /// Lanes pay off on small states; above this many qubits a lane is a whole state.
        public static let maximumLaneQubits = 12
        /// The most lanes a workspace evaluates together, whatever it is asked for.
        public static let maximumLanes = 64

        /// Scratch for `prepared`, evaluating up to `lanes` inputs at a time (rounded down to a
        /// power of two; one lane for large circuits and for circuits that re-upload inputs).
        public init(for prepared: PreparedCircuit, lanes: Int = 1) {
            let n = prepared.circuit.qubitCount
            var bits = 0
            if prepared.inputDependentSteps.isEmpty && n <= Self.maximumLaneQubits {
                while (2 << bits) <= min(lanes, Self.maximumLanes) { bits += 1 }
            }
            laneBits = bits
            // The qubit count was checked when the sub-VQC was made, and n + bits <= 18.
            let zero = try! StateVector(qubitCount: n + bits)
            state = zero
            shiftedState = zero
            let laneCount = 1 << bits
            inputMatrices = Array(repeating: .identity, count: laneCount * prepared.inputRotations.count)
            leading = Array(repeating: .identity, count: laneCount * n)
            savedLeading = Array(repeating: .identity, count: laneCount)
            expectations = Array(repeating: 0, count: laneCount * n)
            outputs = Array(repeating: 0, count: laneCount * prepared.circuit.outputCount)
            plus = outputs
            minus = outputs
            overlaps = Array(repeating: .zero, count: laneCount)
            operations = prepared.steps.map { step in
                switch step {
                case .twoQubit(.cnot(let c, let t)): .cnot(control: c + bits, target: t + bits)
                case .twoQubit(.cz(let a, let b)): .cz(a + bits, b + bits)
                case .twoQubit(.swap(let a, let b)): .swap(a + bits, b + bits)
                case .twoQubit(.single(let wire, let m)): .single(wire: wire + bits, m)
                case .single(let wire, _, let matrix): .single(wire: wire + bits, matrix ?? .identity)
                }
            }
            let (slots, count) = prepared.checkpointSlots
            checkpointSlot = slots
            checkpoints =
                count * (16 << (n + bits)) <= Self.checkpointBudget ? Array(repeating: zero, count: count) : []
            costates = []
        }
    }
}
