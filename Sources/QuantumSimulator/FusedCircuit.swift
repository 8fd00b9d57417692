/// One step of a fused program: a single-qubit unitary (a run of gates multiplied together)
/// or a two-qubit gate.
public enum FusedOperation: Sendable, Hashable {
    case single(wire: Int, Matrix2)
    case cnot(control: Int, target: Int)
    case cz(Int, Int)
    case swap(Int, Int)
}

/// A circuit with every run of single-qubit gates on a wire multiplied into one matrix.
///
/// Single-qubit gates that come before any two-qubit gate on their wire act on |0> and form a
/// product state: they are kept apart in `leadingUnitaries` so that a simulation starting from
/// |0...0> can build that product directly.
public struct FusedCircuit: Sendable, Hashable {
    public let qubitCount: Int
    /// For each wire, the product of the single-qubit gates before its first two-qubit gate.
    public private(set) var leadingUnitaries: [Matrix2]
    public private(set) var operations: [FusedOperation]

    public init(_ circuit: Circuit) {
        qubitCount = circuit.qubitCount
        leadingUnitaries = Array(repeating: .identity, count: circuit.qubitCount)
        operations = []
        var entangled = Array(repeating: false, count: circuit.qubitCount)
        var pending: [Matrix2?] = Array(repeating: nil, count: circuit.qubitCount)

        func flush(_ wire: Int) {
            if let m = pending[wire] {
                operations.append(.single(wire: wire, m))
                pending[wire] = nil
            }
        }
        func twoQubit(_ a: Int, _ b: Int, _ operation: FusedOperation) {
            flush(a)
            flush(b)
            entangled[a] = true
            entangled[b] = true
            operations.append(operation)
        }
        for gate in circuit.gates {
            switch gate {
            case .cnot(let c, let t): twoQubit(c, t, .cnot(control: c, target: t))
            case .cz(let a, let b): twoQubit(a, b, .cz(a, b))
            case .swap(let a, let b): twoQubit(a, b, .swap(a, b))
            default:
                let w = gate.wires[0]
                let m = gate.matrix!
                if entangled[w] {
                    pending[w] = m * (pending[w] ?? .identity)
                } else {
                    leadingUnitaries[w] = m * leadingUnitaries[w]
                }
            }
        }
        for wire in 0..<circuit.qubitCount { flush(wire) }
    }
}

extension StateVector {
    /// Runs a fused program from |0...0>, starting from its product layer.
    public init(running program: FusedCircuit) throws(SimulatorError) {
        try self.init(product: program.leadingUnitaries)
        for operation in program.operations { apply(operation) }
    }

    /// Runs a circuit from |0...0>.
    public init(running circuit: Circuit) throws(SimulatorError) {
        try self.init(running: FusedCircuit(circuit))
    }
}
