import QuantumSimulator

/// An imported OpenQASM program: the circuit it applies and the qubits it reads out.
///
/// Qubit registers are concatenated in declaration order, so after `qubit[2] a; qubit b;` wire 0
/// is `a[0]`, wire 1 is `a[1]` and wire 2 is `b`; wire `i` is bit `i` of a basis-state index, as
/// in Qiskit. Classical bits are numbered the same way over the bit registers.
public struct OpenQASMProgram: Sendable, Hashable {
    /// The gates in program order, with every angle evaluated.
    public var circuit: Circuit
    /// The measured wire of every assigned classical bit in bit order, followed by the wires of
    /// measurements without a target (`measure q[1];`) in program order; every wire
    /// (`0..<qubitCount`) when the program measures nothing.
    public var measuredQubits: [Int]
    /// True when the program has at least one `measure`.
    public var hasMeasurements: Bool
    /// The program's name for every wire: `q[0]` for a register element, `a` for `qubit a;`.
    public var qubitNames: [String]
    /// The declared `input` names, in declaration order.
    public var inputNames: [String]

    public init(
        circuit: Circuit,
        measuredQubits: [Int],
        hasMeasurements: Bool,
        qubitNames: [String],
        inputNames: [String]
    ) {
        self.circuit = circuit
        self.measuredQubits = measuredQubits
        self.hasMeasurements = hasMeasurements
        self.qubitNames = qubitNames
        self.inputNames = inputNames
    }
}
