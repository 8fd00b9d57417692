import QuantumSimulator

/// A sub-VQC with its parameters bound, compiled for fast repeated evaluation on many inputs.
///
/// Compilation fuses every run of single-qubit gates on a wire into one 2 x 2 matrix and folds
/// the gates before a wire's first CNOT into a product state. Matrices that depend only on
/// parameters are multiplied once here; per input, only the encoding's matrices are computed.
/// This is the work a QPU core does between two `setParameters` calls.
public struct PreparedCircuit: Sendable {
    public let circuit: SubVQC
    public let parameters: [Double]

    /// How a gate's matrix is found at evaluation time.
    enum GateMatrix: Sendable {
        case fixed(Matrix2)
        /// The matrix of input-dependent rotation number `slot`, computed per evaluation.
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
    /// Per input slot: the input-dependent rotation (axis, input index, transform).
    let inputRotations: [(axis: PauliAxis, input: Int, transform: InputTransform)]
    /// Per wire: the gates folded into the product layer, in order, and their product when
    /// none depends on inputs.
    let leadingGates: [[Int]]
    let leadingMatrices: [Matrix2?]
    let steps: [Step]
    /// The single-qubit steps whose matrix depends on the inputs.
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
        var inputRotations: [(axis: PauliAxis, input: Int, transform: InputTransform)] = []
        for gate in gates {
            switch gate {
            case .fixed(let g):
                gateMatrices.append(g.matrix.map(GateMatrix.fixed) ?? .twoQubit)
            case .rotation(let axis, _, .input(let i, let transform)):
                gateMatrices.append(.input(slot: inputRotations.count))
                inputRotations.append((axis, i, transform))
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

    /// The outputs <Z_w> on the measured wires for one input vector, exactly.
    /// - Throws: `VariationalCircuitError.inputCountMismatch` or `.nonFiniteValue`.
    public func evaluate(_ inputs: [Double]) throws(VariationalCircuitError) -> [Double] {
        try checkInputs(inputs)
        var workspace = Workspace(for: self)
        var outputs = [Double](repeating: 0, count: circuit.outputCount)
        evaluate(inputs, into: &outputs, workspace: &workspace)
        return outputs
    }

    /// Checks an input vector's length and values.
    public func checkInputs(_ inputs: [Double]) throws(VariationalCircuitError) {
        guard inputs.count == circuit.inputCount else {
            throw .inputCountMismatch(expected: circuit.inputCount, got: inputs.count)
        }
        if let bad = inputs.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteValue(what: "input", index: bad) }
    }

    /// The hot path: evaluates into `outputs` with the caller's scratch space and no allocation.
    ///
    /// The caller has checked the inputs (`checkInputs`).
    public func evaluate(_ inputs: [Double], into outputs: inout [Double], workspace: inout Workspace) {
        bindInputs(inputs, workspace: &workspace)
        run(workspace: &workspace)
        measure(workspace.state, into: &outputs, scratch: &workspace.allExpectations)
    }

    // MARK: - Building blocks shared with the Jacobians

    /// Computes the matrices of the input-dependent rotations.
    func bindInputs(_ inputs: [Double], workspace: inout Workspace) {
        for (slot, rotation) in inputRotations.enumerated() {
            workspace.inputMatrices[slot] = .rotation(rotation.axis, rotation.transform.angle(inputs[rotation.input]))
        }
        for wire in 0..<circuit.qubitCount {
            workspace.leading[wire] = leadingMatrices[wire] ?? product(of: leadingGates[wire], inputMatrices: workspace.inputMatrices)
        }
        for index in inputDependentSteps {
            guard case .single(let wire, let run, _) = steps[index] else { continue }
            workspace.operations[index] = .single(wire: wire, product(of: run, inputMatrices: workspace.inputMatrices))
        }
    }

    /// The matrix of gate `g` under the current inputs.
    @inline(__always)
    func matrix(ofGate g: Int, inputMatrices: [Matrix2]) -> Matrix2 {
        switch gateMatrices[g] {
        case .fixed(let m): m
        case .input(let slot): inputMatrices[slot]
        case .twoQubit: preconditionFailure("gate \(g) is not single-qubit")
        }
    }

    /// The product of a run of single-qubit gates, optionally with one of them shifted.
    func product(of run: [Int], inputMatrices: [Matrix2], shifting shifted: Int = -1, by shift: Matrix2 = .identity) -> Matrix2 {
        var m = Matrix2.identity
        for g in run {
            m = matrix(ofGate: g, inputMatrices: inputMatrices) * m
            if g == shifted { m = shift * m }
        }
        return m
    }

    /// Sets the state to the product layer and applies every step, storing checkpoints before
    /// differentiable steps when the workspace keeps them.
    func run(workspace: inout Workspace) {
        workspace.state.setProduct(workspace.leading)
        guard workspace.recordsCheckpoints else {
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

    /// Reads <Z> of the measured wires.
    @inline(__always)
    func measure(_ state: StateVector, into outputs: inout [Double], scratch: inout [Double]) {
        state.expectationsZ(into: &scratch)
        for (j, wire) in circuit.measuredWires.enumerated() { outputs[j] = scratch[wire] }
    }
}

extension PreparedCircuit {
    /// Scratch space for one thread: reused across evaluations so the hot path never allocates.
    public struct Workspace: Sendable {
        var state: StateVector
        /// One operation per step: fixed ones filled here, input-dependent ones per evaluation.
        var operations: [FusedOperation]
        var inputMatrices: [Matrix2]
        var leading: [Matrix2]
        var allExpectations: [Double]
        var outputs: [Double]
        var minusOutputs: [Double]
        /// States before the steps holding differentiable gates, for parameter shift.
        var checkpoints: [StateVector]
        var checkpointSlot: [Int?]
        var recordsCheckpoints = false
        /// Adjoint sweeps: the backward state and one co-state per output.
        var costates: [StateVector]
        var shiftedState: StateVector

        /// Checkpoints are kept while they fit in this many bytes; above it the prefix is
        /// simulated again for each shifted circuit.
        static let checkpointBudget = 256 << 20

        public init(for prepared: PreparedCircuit) {
            let n = prepared.circuit.qubitCount
            // The qubit count was checked when the sub-VQC was made.
            let zero = try! StateVector(qubitCount: n)
            state = zero
            shiftedState = zero
            inputMatrices = Array(repeating: .identity, count: prepared.inputRotations.count)
            operations = prepared.steps.map { step in
                switch step {
                case .twoQubit(let operation): operation
                case .single(let wire, _, let matrix): .single(wire: wire, matrix ?? .identity)
                }
            }
            leading = Array(repeating: .identity, count: n)
            allExpectations = Array(repeating: 0, count: n)
            outputs = Array(repeating: 0, count: prepared.circuit.outputCount)
            minusOutputs = outputs
            var slots = Array(repeating: Int?.none, count: prepared.steps.count)
            var count = 0
            for gate in prepared.differentiableGates {
                if case .step(let index) = gate.location, slots[index] == nil {
                    slots[index] = count
                    count += 1
                }
            }
            let bytes = count * (16 << n)
            checkpointSlot = slots
            checkpoints = bytes <= Self.checkpointBudget ? Array(repeating: zero, count: count) : []
            costates = []
        }

        var canCheckpoint: Bool { !checkpoints.isEmpty || checkpointSlot.allSatisfy { $0 == nil } }
    }
}
