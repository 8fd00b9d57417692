import QuantumSimulator

/// OpenQASM 3 export of circuits and sub-VQCs; the import is `OpenQASMProgram(parsing:inputs:)`.
///
/// Wire `i` is `q[i]`, bit `i` of a basis-state index (Qiskit's order), so <Z_i> computed by
/// Qiskit or any OpenQASM 3 tool from the exported text agree with the emulator's wire by wire.
/// Gates use `stdgates.inc` names; PennyLane's `Rot(phi, theta, omega)` has no standard name and
/// is written as `rz(phi)`, `ry(theta)`, `rz(omega)`. Angles are printed with Swift's shortest
/// round-trip representation, so an export read back gives bit-identical angles.
public enum OpenQASM3 {
    /// The name of the one qubit register every export declares.
    public static let qubitRegister = "q"
    /// The name of the bit register exports measure into.
    public static let bitRegister = "c"

    /// The OpenQASM 3 text of a circuit.
    ///
    /// Non-finite angles are written as `nan` or `inf`, which no OpenQASM tool accepts: a circuit
    /// with such an angle has no meaning to export.
    /// - Parameters:
    ///   - circuit: the circuit to write.
    ///   - measure: whether to end with `bit[n] c;` and `c = measure q;`.
    /// - Returns: the program, one statement per line, ending in a newline.
    public static func export(_ circuit: Circuit, measure: Bool = true) -> String {
        var lines = preamble(qubitCount: circuit.qubitCount, bits: measure ? circuit.qubitCount : nil)
        for gate in circuit.gates { lines += statements(for: gate) }
        if measure { lines.append("\(bitRegister) = measure \(qubitRegister);") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The OpenQASM 3 text of a sub-VQC with its inputs and parameters bound, every qubit measured.
    ///
    /// A header comment names the sub-VQC, its sizes, its inputs and the wires whose <Z> are its
    /// outputs.
    /// - Throws: `VariationalCircuitError` when the vectors have the wrong lengths.
    public static func export(
        _ vqc: SubVQC,
        inputs: [Double],
        parameters: [Double]
    ) throws(VariationalCircuitError) -> String {
        let circuit = try vqc.circuit(inputs: inputs, parameters: parameters)
        var lines = header(vqc, mode: "inputs and parameters bound")
        if !inputs.isEmpty {
            lines.append(
                "// inputs: " + inputs.enumerated().map { "x\($0.offset) = \($0.element)" }.joined(separator: ", ")
            )
        }
        lines += preamble(qubitCount: circuit.qubitCount, bits: circuit.qubitCount)
        for gate in circuit.gates { lines += statements(for: gate) }
        lines.append("\(bitRegister) = measure \(qubitRegister);")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One `input float[64]` of a symbolic export: a feature's angle, through the encoding's
    /// function.
    public struct SymbolicInput: Sendable, Hashable {
        /// `x0` for feature 0 itself, `atan_x0` for arctan(x0), `atan_sq_x0` for arctan(x0^2).
        public let name: String
        public let feature: Int
        public let transform: InputTransform
    }

    /// The OpenQASM 3 text of a sub-VQC whose encoding inputs stay symbolic and whose trained
    /// parameters are bound.
    ///
    /// Each encoding angle is an `input float[64]`: feature `i` itself is `xi`; through the
    /// `arctan` encoding's functions it is `atan_xi` = arctan(x_i) and `atan_sq_xi` =
    /// arctan(x_i^2), computed by the caller (`symbolicValues(_:features:)`). Angles rather than
    /// features are the inputs because OpenQASM 3 importers such as Qiskit's `qasm3.loads`
    /// turn inputs into circuit parameters, and a parameter cannot pass through `arctan` or
    /// `**` there; so one file serves every input vector in any tool. Only the measured wires
    /// are measured: bit `k` holds `measuredWires[k]`, the sub-VQC's output `k`.
    /// - Throws: `VariationalCircuitError.parameterCountMismatch` when `parameters` has the wrong length.
    public static func exportSymbolic(_ vqc: SubVQC, parameters: [Double]) throws(VariationalCircuitError) -> String {
        try vqc.validate(inputs: [Double](repeating: 0, count: vqc.inputCount), parameters: parameters)
        var lines = header(vqc, mode: "inputs symbolic, parameters bound")
        let inputs = symbolicInputs(vqc)
        if inputs.contains(where: { $0.transform != .identity }) {
            lines.append(
                "// inputs are encoding angles: "
                    + inputs.map { "\($0.name) = \(formula($0.transform, inputName($0.feature)))" }.joined(
                        separator: ", "
                    )
            )
        }
        lines.append("OPENQASM 3.0;")
        lines.append("include \"stdgates.inc\";")
        for input in inputs { lines.append("input float[64] \(input.name);") }
        lines.append("qubit[\(vqc.qubitCount)] \(qubitRegister);")
        lines.append("bit[\(vqc.outputCount)] \(bitRegister);")
        for gate in vqc.gates {
            switch gate {
            case .fixed(let gate):
                lines += statements(for: gate)
            case .rotation(let axis, let wire, let source):
                let angle: String
                switch source {
                case .constant(let t): angle = t.description
                case .parameter(let p): angle = parameters[p].description
                case .input(let i, let transform): angle = inputName(i, transform)
                case .inputProduct(let i, let j): angle = "\(inputName(i)) * \(inputName(j))"
                }
                lines.append("r\(axis.rawValue)(\(angle)) \(qubit(wire));")
            }
        }
        for (bit, wire) in vqc.measuredWires.enumerated() {
            lines.append("\(bitRegister)[\(bit)] = measure \(qubit(wire));")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The name a symbolic export gives feature `index` through `transform`: `x0`, `atan_x0`,
    /// `atan_sq_x0`.
    public static func inputName(_ index: Int, _ transform: InputTransform = .identity) -> String {
        switch transform {
        case .identity: "x\(index)"
        case .arctan: "atan_x\(index)"
        case .arctanOfSquare: "atan_sq_x\(index)"
        }
    }

    /// The inputs a symbolic export of `vqc` declares, in the order its gates first use them.
    ///
    /// The IQP encoding's ZZ angles are written as the product `xi * xj` of two inputs, which
    /// Qiskit's importer turns into a parameter expression, so they declare no input of their own.
    public static func symbolicInputs(_ vqc: SubVQC) -> [SymbolicInput] {
        var seen = Set<String>()
        var inputs: [SymbolicInput] = []
        func use(_ feature: Int, _ transform: InputTransform) {
            let name = inputName(feature, transform)
            if seen.insert(name).inserted {
                inputs.append(SymbolicInput(name: name, feature: feature, transform: transform))
            }
        }
        for case .rotation(_, _, let source) in vqc.gates {
            switch source {
            case .input(let feature, let transform): use(feature, transform)
            case .inputProduct(let i, let j):
                use(i, .identity)
                use(j, .identity)
            case .constant, .parameter: break
            }
        }
        return inputs
    }

    /// The value of every input of a symbolic export of `vqc` for these features.
    public static func symbolicValues(_ vqc: SubVQC, features: [Double]) -> [String: Double] {
        Dictionary(
            symbolicInputs(vqc).map { ($0.name, $0.transform.angle(features[$0.feature])) },
            uniquingKeysWith: { first, _ in first }
        )
    }

    /// The function `transform` applies to `x`, written as a formula for comments and docs.
    public static func formula(_ transform: InputTransform, _ x: String) -> String {
        switch transform {
        case .identity: x
        case .arctan: "arctan(\(x))"
        case .arctanOfSquare: "arctan(\(x)^2)"
        }
    }

    private static func qubit(_ wire: Int) -> String { "\(qubitRegister)[\(wire)]" }

    private static func preamble(qubitCount: Int, bits: Int?) -> [String] {
        var lines = ["OPENQASM 3.0;", "include \"stdgates.inc\";", "qubit[\(qubitCount)] \(qubitRegister);"]
        if let bits { lines.append("bit[\(bits)] \(bitRegister);") }
        return lines
    }

    private static func header(_ vqc: SubVQC, mode: String) -> [String] {
        let a = vqc.ansatz
        return [
            "// QLSTM Cluster sub-VQC \"\(commentSafe(vqc.id))\" (\(mode))",
            "// qubits: \(vqc.qubitCount), inputs: \(vqc.inputCount), parameters: \(vqc.parameterCount),"
                + " measured wires: \(vqc.measuredWires.map(String.init).joined(separator: ", "))",
            "// ansatz: encoding \(a.encoding.rawValue)"
                + (a.encoding == .iqp ? " (n_repeats \(a.encodingRepetitions))" : "")
                + ", entangler \(a.entangler.rawValue), rotations \(a.rotations.rawValue), depth \(a.depth),"
                + " n_qlayers \(a.entanglingRepetitions)",
            "// wire i is q[i], bit i of a basis-state index (Qiskit's order); outputs are <Z> of the measured wires",
        ]
    }

    /// The text with every line break and control character replaced by a space, so that a
    /// user-chosen id cannot end a `//` comment early.
    private static func commentSafe(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            let isBreak = s.value < 0x20 || s.value == 0x7F || s.value == 0x85 || s == "\u{2028}" || s == "\u{2029}"
            scalars.append(isBreak ? " " : s)
        }
        return String(scalars)
    }

    /// The statements of one gate: one line, or three for `Rot`.
    static func statements(for gate: Gate) -> [String] {
        switch gate {
        case .h(let w), .x(let w), .y(let w), .z(let w), .s(let w), .sdg(let w), .t(let w), .tdg(let w):
            return ["\(gate.name) \(qubit(w));"]
        case .rx(let w, let t), .ry(let w, let t), .rz(let w, let t):
            return ["\(gate.name)(\(t)) \(qubit(w));"]
        case .rot(let w, let phi, let theta, let omega):
            return ["rz(\(phi)) \(qubit(w));", "ry(\(theta)) \(qubit(w));", "rz(\(omega)) \(qubit(w));"]
        case .u(let w, let theta, let phi, let lambda):
            return ["U(\(theta), \(phi), \(lambda)) \(qubit(w));"]
        case .cnot(let c, let t):
            return ["cx \(qubit(c)), \(qubit(t));"]
        case .cz(let a, let b), .swap(let a, let b):
            return ["\(gate.name) \(qubit(a)), \(qubit(b));"]
        }
    }
}
