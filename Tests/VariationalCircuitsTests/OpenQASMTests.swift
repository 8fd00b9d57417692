import QuantumSimulator
import TestSupport
import Testing
import VariationalCircuits

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A sub-VQC of the given shape with random sizes, measured wires and bound values.
private func randomSubVQC(
    encoding: Encoding,
    entangler: EntanglingPattern,
    rotations: RotationLayer,
    generator: inout SeededGenerator
) throws -> (vqc: SubVQC, inputs: [Double], parameters: [Double]) {
    let qubits = 1 + Int(generator.next() % 4)
    let inputCount = Int(generator.next() % UInt64(qubits + 1))
    let repetitions = 1 + Int(generator.next() % 2)
    let ansatz = Ansatz(
        encoding: encoding,
        entangler: entangler,
        rotations: rotations,
        depth: 1 + Int(generator.next() % 3),
        entanglingRepetitions: entangler == .hardwareEfficient ? 1 : repetitions,
        encodingRepetitions: encoding == .iqp ? repetitions : 1
    )
    var wires = Array(0..<qubits)
    wires.shuffle(using: &generator)
    let measured = Array(wires.prefix(1 + Int(generator.next() % UInt64(qubits))))
    let vqc = try SubVQC(
        id: "\(encoding.rawValue)/\(entangler.rawValue)/\(rotations.rawValue)",
        qubitCount: qubits,
        inputCount: inputCount,
        ansatz: ansatz,
        measuredWires: measured
    )
    let inputs = (0..<inputCount).map { _ in generator.nextGaussian() }
    let parameters = (0..<vqc.parameterCount).map { _ in (generator.nextUnit() * 2 - 1) * Double.pi }
    return (vqc, inputs, parameters)
}

private func expectationsZ(_ circuit: Circuit) throws -> [Double] {
    try StateVector(running: circuit).expectationsZ()
}

/// The angle of the single gate of `rx(expression) q;`.
private func angle(_ expression: String, inputs: [String: Double] = [:]) throws -> Double {
    let declarations = inputs.keys.sorted().map { "input float[64] \($0);\n" }.joined()
    let program = try OpenQASMProgram(parsing: declarations + "qubit q;\nrx(\(expression)) q;", inputs: inputs)
    guard program.circuit.gates.count == 1, case .rx(_, let t) = program.circuit.gates[0] else {
        Issue.record("expected one rx gate, got \(program.circuit.gates)")
        return .nan
    }
    return t
}

/// True when two single-qubit matrices differ only by a global phase.
private func equalUpToPhase(_ m: Matrix2, _ n: Matrix2) -> Bool {
    let a = [m.a, m.b, m.c, m.d]
    let b = [n.a, n.b, n.c, n.d]
    guard let k = b.indices.max(by: { b[$0].lengthSquared < b[$1].lengthSquared }) else { return false }
    // phase = a[k] / b[k]
    let denominator = b[k].lengthSquared
    let phase = Complex(
        (a[k].re * b[k].re + a[k].im * b[k].im) / denominator,
        (a[k].im * b[k].re - a[k].re * b[k].im) / denominator
    )
    return zip(a, b).allSatisfy { x, y in
        let d = x - phase * y
        return d.lengthSquared < 1e-24
    }
}

struct OpenQASMErrorCase: Sendable, CustomTestStringConvertible {
    let name: String
    let source: String
    let inputs: [String: Double]
    let line: Int
    let column: Int
    let reason: OpenQASMError.Reason

    init(
        _ name: String,
        _ source: String,
        inputs: [String: Double] = [:],
        _ line: Int,
        _ column: Int,
        _ reason: OpenQASMError.Reason
    ) {
        self.name = name
        self.source = source
        self.inputs = inputs
        self.line = line
        self.column = column
        self.reason = reason
    }

    var testDescription: String { name }
}

private let semicolon = "';' at the end of the statement"

let openQASMErrorCases: [OpenQASMErrorCase] = [
    OpenQASMErrorCase("reset", "OPENQASM 3;\nqubit[2] q;\n\nreset q;\n", 4, 1, .unsupportedStatement("reset")),
    OpenQASMErrorCase("if", "qubit q;\nbit c;\nc = measure q;\nif (c == 1) x q;", 4, 1, .unsupportedStatement("if")),
    OpenQASMErrorCase("for", "qubit[2] q;\n  for uint i in [0:1] { h q[i]; }", 2, 3, .unsupportedStatement("for")),
    OpenQASMErrorCase("def", "def f(qubit a) { h a; }", 1, 1, .unsupportedStatement("def")),
    OpenQASMErrorCase("gate definition", "qubit q;\ngate g a { h a; }\ng q;", 2, 1, .unsupportedStatement("gate")),
    OpenQASMErrorCase("classical declaration", "qubit q;\nint x = 3;", 2, 1, .unsupportedStatement("int")),
    OpenQASMErrorCase("gate modifier", "qubit[2] q;\nctrl @ x q[0], q[1];", 2, 1, .unsupportedStatement("ctrl")),
    OpenQASMErrorCase(
        "classical assignment",
        "qubit q;\nbit c;\nc = 1;",
        3,
        5,
        .expected("'measure' (classical assignments other than 'c = measure q;' are not supported)", found: "'1'")
    ),
    OpenQASMErrorCase("unknown gate", "qubit[2] q;\nfoo q[0];", 2, 1, .unknownGate("foo", suggestion: nil)),
    OpenQASMErrorCase(
        "misspelt keyword",
        "qubit[2] q;\nmeasur q[0];",
        2,
        1,
        .unknownGate("measur", suggestion: "measure")
    ),
    OpenQASMErrorCase("short misspelt keyword", "qub[2] q;", 1, 1, .unknownGate("qub", suggestion: "qubit")),
    OpenQASMErrorCase("invisible character", "qubit q;\nh q;\u{2028}", 2, 5, .expected("a statement", found: "U+2028")),
    OpenQASMErrorCase(
        "windows line endings",
        "\u{FEFF}qubit q;\r\nh q;\r\n  reset q;\r\n",
        3,
        3,
        .unsupportedStatement("reset")
    ),
    OpenQASMErrorCase("two-qubit rotation", "qubit[2] q;\nrxx(0.1) q[0], q[1];\n", 2, 1, .unsupportedGate("rxx")),
    OpenQASMErrorCase("near miss", "qubit[2] q;\n cxx q[0], q[1];", 2, 2, .unknownGate("cxx", suggestion: "cx")),
    OpenQASMErrorCase("toffoli", "qubit[3] q;\nccx q[0], q[1], q[2];", 2, 1, .unsupportedGate("ccx")),
    OpenQASMErrorCase("missing angle", "qubit q;\nrx q;", 2, 1, .wrongAngleCount(gate: "rx", expected: 1, got: 0)),
    OpenQASMErrorCase("extra angle", "qubit q;\nh(0.5) q;", 2, 1, .wrongAngleCount(gate: "h", expected: 0, got: 1)),
    OpenQASMErrorCase(
        "U with two angles",
        "qubit q;\nU(1, 2) q;",
        2,
        1,
        .wrongAngleCount(gate: "U", expected: 3, got: 2)
    ),
    OpenQASMErrorCase(
        "cx on one qubit",
        "qubit[2] q;\ncx q[0];",
        2,
        1,
        .wrongQubitCount(gate: "cx", expected: 2, got: 1)
    ),
    OpenQASMErrorCase(
        "h on two qubits",
        "qubit[2] q;\nh q[0], q[1];",
        2,
        1,
        .wrongQubitCount(gate: "h", expected: 1, got: 2)
    ),
    OpenQASMErrorCase(
        "wire out of range",
        "qubit[2] q;\nh q[2];",
        2,
        5,
        .indexOutOfRange(register: "q", index: 2, size: 2)
    ),
    OpenQASMErrorCase(
        "negative wire out of range",
        "qubit[2] q;\nx q[-3];",
        2,
        5,
        .indexOutOfRange(register: "q", index: -3, size: 2)
    ),
    OpenQASMErrorCase("missing semicolon", "qubit[2] q;\nh q[0]\nx q[1];", 2, 7, .expected(semicolon, found: "'x'")),
    OpenQASMErrorCase(
        "missing final semicolon",
        "qubit q;\nh q",
        2,
        4,
        .expected(semicolon, found: "the end of the program")
    ),
    OpenQASMErrorCase("unterminated comment", "qubit q;\nh q; /* never\nclosed", 2, 6, .unterminatedComment),
    OpenQASMErrorCase("unterminated string", "include \"stdgates.inc;\nqubit q;", 1, 9, .unterminatedString),
    OpenQASMErrorCase("other include", "include \"mygates.inc\";", 1, 9, .unsupportedInclude("mygates.inc")),
    OpenQASMErrorCase("version not first", "qubit q;\nOPENQASM 3.0;", 2, 1, .versionNotFirst),
    OpenQASMErrorCase("version 4", "OPENQASM 4.0;", 1, 10, .unsupportedVersion("4.0")),
    OpenQASMErrorCase(
        "missing input value",
        "input float[64] theta;\nqubit q;\nrx(theta) q;",
        1,
        17,
        .missingInputValue("theta")
    ),
    OpenQASMErrorCase(
        "value for an undeclared input",
        "input float[64] theta;\nqubit q;\nrx(theta) q;",
        inputs: ["theta": 1, "phi": 2],
        1,
        1,
        .unknownInputValue("phi", declared: ["theta"])
    ),
    OpenQASMErrorCase("integer input", "input int n;", 1, 7, .unsupportedInputType("int")),
    OpenQASMErrorCase("undeclared name in an angle", "qubit q;\nrx(2 * theta) q;", 2, 8, .undeclared("theta")),
    OpenQASMErrorCase("undeclared register", "qubit[2] q;\nh r[0];", 2, 3, .undeclared("r")),
    OpenQASMErrorCase("unknown function", "qubit q;\nrx(cosh(1)) q;", 2, 4, .unknownFunction("cosh")),
    OpenQASMErrorCase("division by zero", "qubit q;\nrz(1 / 0) q;", 2, 4, .nonFiniteAngle(.infinity)),
    OpenQASMErrorCase("logarithm of zero", "qubit q;\nrz(pi + ln(0)) q;", 2, 4, .nonFiniteAngle(-.infinity)),
    OpenQASMErrorCase("duration literal", "qubit q;\nrx(100ns) q;", 2, 4, .malformedNumber("100ns")),
    OpenQASMErrorCase("bad exponent", "qubit q;\nrx(1e) q;", 2, 4, .malformedNumber("1e")),
    OpenQASMErrorCase("empty angle", "qubit q;\nrx() q;", 2, 1, .wrongAngleCount(gate: "rx", expected: 1, got: 0)),
    OpenQASMErrorCase(
        "dangling operator",
        "qubit q;\nrx(1 +) q;",
        2,
        7,
        .expected("a number, a name or '('", found: "')'")
    ),
    OpenQASMErrorCase(
        "unclosed parenthesis",
        "qubit q;\nrx((1) q;",
        2,
        8,
        .expected("')' or ',' in the angle list", found: "'q'")
    ),
    OpenQASMErrorCase("too many qubits", "qubit[20] a;\nqubit[6] b;", 2, 1, .tooManyQubits(26, limit: 25)),
    OpenQASMErrorCase("empty register", "qubit[0] q;", 1, 7, .invalidRegisterSize(0)),
    OpenQASMErrorCase("no qubits", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\n", 1, 1, .noQubits),
    OpenQASMErrorCase("redeclared", "qubit[2] q;\nbit[2] q;", 2, 8, .redeclared("q")),
    OpenQASMErrorCase("reserved name", "qubit[2] cx;", 1, 10, .redeclared("cx")),
    OpenQASMErrorCase("index on a single qubit", "qubit a;\nh a[0];", 2, 3, .indexOnScalar("a")),
    OpenQASMErrorCase(
        "gate on a bit",
        "qubit q;\nbit c;\nh c;",
        3,
        3,
        .wrongKind(name: "c", expected: "a qubit or qubit register")
    ),
    OpenQASMErrorCase(
        "repeated qubit",
        "qubit[2] q;\ncx q[1], q[1];",
        2,
        10,
        .repeatedQubit(gate: "cx", qubit: "q[1]")
    ),
    OpenQASMErrorCase(
        "broadcast that repeats a qubit",
        "qubit[2] q;\ncx q[0], q;",
        2,
        10,
        .repeatedQubit(gate: "cx", qubit: "q[0]")
    ),
    OpenQASMErrorCase(
        "broadcast size mismatch",
        "qubit[2] a;\nqubit[3] b;\ncz a, b;",
        3,
        7,
        .sizeMismatch("gate 'cz' broadcasts over 'a' (2) and 'b' (3): broadcast registers must have the same size")
    ),
    OpenQASMErrorCase(
        "measure size mismatch",
        "qubit[2] q;\nbit[1] c;\nc = measure q;",
        3,
        13,
        .sizeMismatch("'c' has 1 bit but 'q' has 2 qubits")
    ),
    OpenQASMErrorCase(
        "gate after measurement",
        "qubit[2] q;\nbit[2] c;\nc[0] = measure q[0];\nh q[1];\nx q[0];",
        5,
        3,
        .gateAfterMeasurement(gate: "x", qubit: "q[0]")
    ),
    OpenQASMErrorCase(
        "physical qubit",
        "h $0;",
        1,
        3,
        .expected("a declared qubit such as q[0] (physical qubits like $0 are not supported)", found: "'$0'")
    ),
    OpenQASMErrorCase("slice", "qubit[3] q;\nh q[0:1];", 2, 6, .expected("']'", found: "':'")),
    OpenQASMErrorCase(
        "non-integer index",
        "qubit[3] q;\nh q[1.0];",
        2,
        5,
        .invalidValue(
            "a register index must be an integer literal such as q[0], found '1.0' (slices and index sets are not supported)"
        )
    ),
    OpenQASMErrorCase("stray character", "qubit q;\nh q;\n#pragma x", 3, 1, .expected("a statement", found: "'#'")),
    OpenQASMErrorCase("stray semicolon", "qubit q;;", 1, 9, .expected("a statement", found: "';'")),
    OpenQASMErrorCase(
        "expression too deep",
        "qubit q;\nrx(" + String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100) + ") q;",
        2,
        68,
        .expressionTooDeep(limit: 64)
    ),
    OpenQASMErrorCase(
        "huge register",
        "qubit[99999999999999999999] q;",
        1,
        7,
        .invalidValue("99999999999999999999 is too large for a register size (at most 1048576)")
    ),
]

@Suite("OpenQASM 3 export and import")
struct OpenQASMTests {
    @Test("a bound sub-VQC of every shape reads back as the same gates", arguments: Encoding.allCases)
    func boundSubVQCRoundTrip(_ encoding: Encoding) throws {
        var generator = SeededGenerator(seed: 0x0A5A_0000 + UInt64(Encoding.allCases.firstIndex(of: encoding)!))
        for entangler in EntanglingPattern.allCases {
            for rotations in RotationLayer.allCases {
                for _ in 0..<3 {
                    let (vqc, inputs, parameters) = try randomSubVQC(
                        encoding: encoding,
                        entangler: entangler,
                        rotations: rotations,
                        generator: &generator
                    )
                    let circuit = try vqc.circuit(inputs: inputs, parameters: parameters)
                    let text = try OpenQASM3.export(vqc, inputs: inputs, parameters: parameters)
                    let program = try OpenQASMProgram(parsing: text)
                    #expect(program.circuit == circuit)
                    #expect(maxDifference(try expectationsZ(program.circuit), try expectationsZ(circuit)) <= 1e-12)
                    #expect(program.measuredQubits == Array(0..<vqc.qubitCount))
                    #expect(text.contains("\"\(vqc.id)\""))
                }
            }
        }
    }

    @Test("a symbolic export with input values matches the bound export", arguments: Encoding.allCases)
    func symbolicExport(_ encoding: Encoding) throws {
        var generator = SeededGenerator(seed: 0x5B0B_0000 + UInt64(Encoding.allCases.firstIndex(of: encoding)!))
        for entangler in EntanglingPattern.allCases {
            for rotations in RotationLayer.allCases {
                let (vqc, inputs, parameters) = try randomSubVQC(
                    encoding: encoding,
                    entangler: entangler,
                    rotations: rotations,
                    generator: &generator
                )
                let text = try OpenQASM3.exportSymbolic(vqc, parameters: parameters)
                let values = OpenQASM3.symbolicValues(vqc, features: inputs)
                let program = try OpenQASMProgram(parsing: text, inputs: values)
                let bound = try OpenQASMProgram(
                    parsing: try OpenQASM3.export(vqc, inputs: inputs, parameters: parameters)
                )
                #expect(program.circuit == bound.circuit)
                #expect(maxDifference(try expectationsZ(program.circuit), try expectationsZ(bound.circuit)) <= 1e-12)
                #expect(program.measuredQubits == vqc.measuredWires)
                #expect(program.inputNames == OpenQASM3.symbolicInputs(vqc).map(\.name))
                // No function of an input outside comments: Qiskit's importer cannot apply one to a
                // parameter.
                let statements = text.split(separator: "\n").filter { !$0.hasPrefix("//") }.joined()
                #expect(!statements.contains("arctan(") && !statements.contains("**"))
                // The outputs of the sub-VQC are <Z> of the measured wires, in bit order.
                let z = try expectationsZ(program.circuit)
                let outputs = try PreparedCircuit(vqc, parameters: parameters).evaluate(inputs, method: .adjoint)
                    .outputs
                #expect(maxDifference(program.measuredQubits.map { z[$0] }, outputs) <= 1e-12)
            }
        }
    }

    @Test("the arctan encoding's angles are the inputs: atan_xi = arctan(x_i), atan_sq_xi = arctan(x_i^2)")
    func symbolicEncodingText() throws {
        let vqc = try SubVQC(id: "forget/0", qubitCount: 2, inputCount: 2, ansatz: Ansatz(encoding: .arctan, depth: 1))
        let text = try OpenQASM3.exportSymbolic(vqc, parameters: [0.25, -0.5])
        #expect(
            text.contains(
                "input float[64] atan_x0;\ninput float[64] atan_sq_x0;\ninput float[64] atan_x1;\ninput float[64] atan_sq_x1;\n"
            )
        )
        #expect(text.contains("// inputs are encoding angles: atan_x0 = arctan(x0), atan_sq_x0 = arctan(x0^2), "))
        #expect(text.contains("ry(atan_x0) q[0];\nrz(atan_sq_x0) q[0];\n"))
        #expect(
            OpenQASM3.symbolicValues(vqc, features: [0.5, -2]) == [
                "atan_x0": atan(0.5), "atan_sq_x0": atan(0.25), "atan_x1": atan(-2), "atan_sq_x1": atan(4),
            ]
        )
        #expect(text.contains("ry(0.25) q[0];\nry(-0.5) q[1];\n"))
        #expect(text.contains("qubit[2] q;\nbit[2] c;\n"))
        #expect(text.contains("c[0] = measure q[0];\nc[1] = measure q[1];\n"))
        #expect(throws: VariationalCircuitError.parameterCountMismatch(expected: 2, got: 1)) {
            try OpenQASM3.exportSymbolic(vqc, parameters: [0.25])
        }
    }

    @Test("IQP's ZZ angles are xi * xj between two cx, and the hardware-efficient ladder is cz")
    func iqpAndHardwareEfficientText() throws {
        let ansatz = Ansatz(
            encoding: .iqp,
            entangler: .hardwareEfficient,
            rotations: .ryrz,
            depth: 1,
            encodingRepetitions: 2
        )
        let vqc = try SubVQC(id: "g/0", qubitCount: 3, inputCount: 2, ansatz: ansatz, measuredWires: [0, 1])
        let text = try OpenQASM3.exportSymbolic(vqc, parameters: [0.5, -0.25, 1, 2, 3, 4])
        let zz = "cx q[0], q[1];\nrz(x0 * x1) q[1];\ncx q[0], q[1];\n"
        let encoding = "h q[0];\nrz(x0) q[0];\nh q[1];\nrz(x1) q[1];\n" + zz
        #expect(text.contains("input float[64] x0;\ninput float[64] x1;\nqubit[3] q;\n"))
        #expect(text.contains(encoding + encoding + "ry(0.5) q[0];\nrz(-0.25) q[0];\nry(1.0) q[1];\n"))
        #expect(text.contains("rz(4.0) q[2];\ncz q[0], q[1];\ncz q[1], q[2];\nc[0] = measure q[0];\n"))
        #expect(text.contains("// ansatz: encoding iqp (n_repeats 2), entangler hardware-efficient, rotations ry-rz"))
        #expect(OpenQASM3.symbolicInputs(vqc).map(\.name) == ["x0", "x1"])
    }

    @Test("a random circuit over every gate reads back with the same amplitudes")
    func randomCircuitRoundTrip() throws {
        var generator = SeededGenerator(seed: 42)
        var names = Set<String>()
        for qubits in [1, 2, 3, 5] {
            let circuit = randomCircuit(qubits: qubits, gateCount: 80, generator: &generator)
            names.formUnion(circuit.gates.map(\.name))
            for measure in [true, false] {
                let program = try OpenQASMProgram(parsing: OpenQASM3.export(circuit, measure: measure))
                let expected = try StateVector(running: circuit).amplitudes
                let actual = try StateVector(running: program.circuit).amplitudes
                #expect(maxDifference(expected.map(\.re), actual.map(\.re)) <= 1e-12)
                #expect(maxDifference(expected.map(\.im), actual.map(\.im)) <= 1e-12)
                #expect(program.hasMeasurements == measure)
                #expect(program.measuredQubits == Array(0..<qubits))
                // Every gate but Rot (three rotations) comes back as itself.
                let expanded = circuit.gates.flatMap { gate -> [Gate] in
                    if case .rot(let w, let phi, let theta, let omega) = gate {
                        return [.rz(w, phi), .ry(w, theta), .rz(w, omega)]
                    }
                    return [gate]
                }
                #expect(program.circuit.gates == expanded)
            }
        }
        #expect(
            names == ["h", "x", "y", "z", "s", "sdg", "t", "tdg", "rx", "ry", "rz", "rot", "U", "cx", "cz", "swap"]
        )
    }

    @Test("the export text uses stdgates names and wire i as q[i]")
    func exportText() throws {
        let circuit = try Circuit(
            qubitCount: 3,
            gates: [
                .h(0), .ry(1, 0.125), .cnot(control: 0, target: 2), .cz(1, 2), .swap(0, 1),
                .u(2, 0.5, -0.25, 1e-05), .rot(1, 1, 2, 3), .sdg(0),
            ]
        )
        let expected = """
            OPENQASM 3.0;
            include "stdgates.inc";
            qubit[3] q;
            bit[3] c;
            h q[0];
            ry(0.125) q[1];
            cx q[0], q[2];
            cz q[1], q[2];
            swap q[0], q[1];
            U(0.5, -0.25, 1e-05) q[2];
            rz(1.0) q[1];
            ry(2.0) q[1];
            rz(3.0) q[1];
            sdg q[0];
            c = measure q;

            """
        #expect(OpenQASM3.export(circuit) == expected)
        #expect(!OpenQASM3.export(circuit, measure: false).contains("measure"))
    }

    @Test("a sub-VQC id cannot break out of its comment")
    func commentSafeId() throws {
        let vqc = try SubVQC(id: "evil\nreset q;", qubitCount: 1, inputCount: 1, ansatz: Ansatz(depth: 1))
        let text = try OpenQASM3.export(vqc, inputs: [0.3], parameters: [0.1])
        let program = try OpenQASMProgram(parsing: text)
        #expect(program.circuit.gates.count == 3)
    }

    @Test("a hand-written Bell pair")
    func bellPair() throws {
        let program = try OpenQASMProgram(
            parsing: """
                OPENQASM 3;
                include "stdgates.inc";
                // The Bell state (|00> + |11>) / sqrt(2).
                qubit[2] q;
                bit[2] c;
                h q[0];
                cx q[0], q[1];
                c = measure q;
                """
        )
        let state = try StateVector(running: program.circuit)
        #expect(maxDifference(state.probabilities(), [0.5, 0, 0, 0.5]) <= 1e-15)
        #expect(maxDifference(state.expectationsZ(), [0, 0]) <= 1e-15)
        let sample = try state.sample(shots: 1000, seed: 7)
        #expect(sample.counts.map(\.index) == [0, 3])
        #expect(program.measuredQubits == [0, 1])
        #expect(program.qubitNames == ["q[0]", "q[1]"])
    }

    @Test("GHZ over concatenated registers, read out in bit order")
    func ghzConcatenated() throws {
        let program = try OpenQASMProgram(
            parsing: """
                /* GHZ on four qubits:
                   a[0], a[1], then b, then the single qubit d */
                OPENQASM 3.0;
                include "stdgates.inc";
                qubit[2] a;
                qubit b;
                qubit d;
                bit[3] c;
                bit e;
                h a[0];
                CX a[0], a[1];
                cnot a[1], b;   // legacy and long names
                cx b, d;
                barrier a, b;
                barrier;
                x a; x a;       // broadcast: identity overall
                measure d -> c[0];
                c[1] = measure a[-1];
                e = measure b;
                """
        )
        #expect(program.circuit.qubitCount == 4)
        #expect(program.qubitNames == ["a[0]", "a[1]", "b", "d"])
        #expect(program.measuredQubits == [3, 1, 2])
        let state = try StateVector(running: program.circuit)
        var expected = [Double](repeating: 0, count: 16)
        expected[0] = 0.5
        expected[15] = 0.5
        #expect(maxDifference(state.probabilities(), expected) <= 1e-15)
    }

    @Test("wire 0 is q[0], the least significant bit")
    func wireOrder() throws {
        let program = try OpenQASMProgram(parsing: "qubit[3] q;\nx q[0];\nmeasure q[2];\nmeasure q[0];")
        let state = try StateVector(running: program.circuit)
        #expect(state.expectationsZ() == [-1, 1, 1])
        let sample = try state.sample(shots: 10, seed: 1)
        #expect(sample.counts.map(\.index) == [1])
        #expect(sample.bitString(1) == "001")
        #expect(program.measuredQubits == [2, 0])
    }

    @Test("OpenQASM 2 programs in the same subset read too")
    func openQASM2() throws {
        let program = try OpenQASMProgram(
            parsing: """
                OPENQASM 2.0;
                include "qelib1.inc";
                qreg q[2];
                creg c[2];
                u3(pi/2,0,pi) q[0];
                cx q[0],q[1];
                measure q -> c;
                """
        )
        let state = try StateVector(running: program.circuit)
        #expect(maxDifference(state.probabilities(), [0.5, 0, 0, 0.5]) <= 1e-15)
        #expect(program.measuredQubits == [0, 1])
    }

    @Test(
        "angle expressions",
        arguments: [
            ("0.5", 0.5), ("-0.5", -0.5), (".5", 0.5), ("1.", 1), ("1.5e-3", 1.5e-3), ("2E+2", 200), ("1_000", 1000),
            ("pi", Double.pi), ("π / 2", Double.pi / 2), ("tau", 2 * Double.pi), ("τ", 2 * Double.pi),
            ("euler", exp(1.0)), ("ℇ", exp(1.0)), ("2 ** 3 ** 2", 512), ("-2 ** 2", -4), ("2 ** -1", 0.5),
            ("1 - 2 - 3", -4), ("8 / 4 / 2", 1), ("1 / 2", 0.5), ("(1 + 2) * 3", 9), ("1 + 2 * 3", 7),
            ("2 * -3", -6), ("- -1", 1), ("sin(pi / 2)", 1), ("cos(0)", 1), ("tan(0)", 0), ("arcsin(1)", Double.pi / 2),
            ("arccos(1)", 0), ("4 * arctan(1)", Double.pi), ("exp(0)", 1), ("ln(euler)", 1), ("log(1)", 0),
            ("sqrt(4)", 2), ("/* inline */ 3 // tail\n", 3),
        ] as [(String, Double)]
    )
    func expressions(_ expression: String, _ expected: Double) throws {
        #expect(isClose(try angle(expression), expected, absolute: 1e-15))
    }

    @Test("inputs enter expressions by name")
    func inputExpressions() throws {
        #expect(try angle("arctan(x0 ** 2)", inputs: ["x0": 0.7]) == atan(0.7 * 0.7))
        #expect(try angle("theta / 2 + phi", inputs: ["theta": 1, "phi": 0.25]) == 0.75)
        let program = try OpenQASMProgram(
            parsing: "input float theta;\ninput float[32] phi;\nqubit q;\nrx(theta) q;",
            inputs: ["theta": 1, "phi": 2]
        )
        #expect(program.inputNames == ["theta", "phi"])
        // What Qiskit's qasm3.dumps writes for a parametrised Bell circuit.
        let qiskit = try OpenQASMProgram(
            parsing: """
                OPENQASM 3.0;
                include "stdgates.inc";
                input float[64] theta;
                bit[2] c;
                qubit[2] q;
                h q[0];
                cx q[0], q[1];
                rz(theta) q[1];
                c[0] = measure q[0];
                c[1] = measure q[1];
                """,
            inputs: ["theta": 0.5]
        )
        #expect(qiskit.circuit.gates == [.h(0), .cnot(control: 0, target: 1), .rz(1, 0.5)])
        #expect(qiskit.measuredQubits == [0, 1])
    }

    @Test("gates beyond the emulator's own read as their matrices up to a global phase")
    func aliasGates() throws {
        let (phi, lambda, theta) = (0.3, -1.1, 0.8)
        func matrix(_ statement: String) throws -> Matrix2 {
            let program = try OpenQASMProgram(parsing: "qubit q;\n\(statement) q;")
            return program.circuit.gates.compactMap(\.matrix).reduce(Matrix2.identity) { $1 * $0 }
        }
        let p = Matrix2(.one, .zero, .zero, Complex.phase(lambda))
        #expect(try matrix("p(\(lambda))") == p)
        #expect(try matrix("phase(\(lambda))") == p)
        #expect(equalUpToPhase(try matrix("u1(\(lambda))"), p))
        #expect(equalUpToPhase(try matrix("u2(\(phi), \(lambda))"), .u(Double.pi / 2, phi, lambda)))
        #expect(try matrix("u3(\(theta), \(phi), \(lambda))") == .u(theta, phi, lambda))
        #expect(try matrix("u(\(theta), \(phi), \(lambda))") == .u(theta, phi, lambda))
        let sx = Matrix2(Complex(0.5, 0.5), Complex(0.5, -0.5), Complex(0.5, -0.5), Complex(0.5, 0.5))
        #expect(equalUpToPhase(try matrix("sx"), sx))
        #expect(try matrix("id") == .identity)
        let program = try OpenQASMProgram(parsing: "qubit q;\ngphase(pi);\nh q;")
        #expect(program.circuit.gates == [.h(0)])
    }

    @Test("bare measurements and none at all")
    func measurements() throws {
        #expect(try OpenQASMProgram(parsing: "qubit[3] q;\nh q;").measuredQubits == [0, 1, 2])
        #expect(try OpenQASMProgram(parsing: "qubit[3] q;\nh q;").hasMeasurements == false)
        #expect(try OpenQASMProgram(parsing: "qubit[3] q;\nmeasure q;").measuredQubits == [0, 1, 2])
        let later = try OpenQASMProgram(
            parsing: "qubit[3] q;\nbit[3] c;\nc[2] = measure q[0];\nc[0] = measure q[1];\nh q[2];"
        )
        #expect(later.measuredQubits == [1, 0])
    }

    @Test("every refused program names its line and column", arguments: openQASMErrorCases)
    func errors(_ errorCase: OpenQASMErrorCase) {
        do {
            let program = try OpenQASMProgram(parsing: errorCase.source, inputs: errorCase.inputs)
            Issue.record("parsed, but expected an error: \(program.circuit.gates)")
        } catch {
            #expect(error.reason == errorCase.reason)
            #expect(error.line == errorCase.line)
            #expect(error.column == errorCase.column)
            #expect(error.description.hasPrefix("line \(errorCase.line), column \(errorCase.column): "))
        }
    }

    @Test("an angle that is not a number is refused")
    func notANumber() {
        #expect {
            try OpenQASMProgram(parsing: "qubit q;\nrz(sqrt(-1)) q;")
        } throws: { error in
            guard let error = error as? OpenQASMError, case .nonFiniteAngle(let value) = error.reason else {
                return false
            }
            return value.isNaN && error.line == 2 && error.column == 4 && error.message.contains("nan")
        }
    }

    @Test("the reset message says what the importer takes")
    func resetMessage() {
        let error = OpenQASMError(line: 4, column: 1, reason: .unsupportedStatement("reset"))
        #expect(
            error.description.hasPrefix(
                "line 4, column 1: unsupported statement 'reset': this importer takes the stdgates subset (h, x"
            )
        )
        #expect(error.description.contains("cx, cz, swap, measure"))
    }

    @Test("2,000 random mutations of a valid program parse or throw, never trap")
    func fuzz() {
        let base = Array(
            """
            OPENQASM 3.0;
            include "stdgates.inc";
            /* a comment */
            input float[64] x0;
            qubit[3] q;
            qubit r;
            bit[3] c;
            h q; // broadcast
            ry(arctan(x0 ** 2) - pi / 4) q[0];
            U(1.5e-3, -τ, 2 ** -1) q[2];
            cx q[0], q[1];
            cz q[1], r;
            swap q[2], r;
            barrier q, r;
            c = measure q;
            measure r;
            """.unicodeScalars
        )
        let alphabet =
            Array("qcrx0123456789.;,()[]{}=-+*/ \n\"'$#@πτabceghimnoprstuxyz_".unicodeScalars)
            + ["\u{0}", "\u{7F}", "\u{2028}", "\u{1F600}", "\u{301}"]
        var unmutated = String.UnicodeScalarView()
        unmutated.append(contentsOf: base)
        #expect(throws: Never.self) { try OpenQASMProgram(parsing: String(unmutated), inputs: ["x0": 0.5]) }
        var generator = SeededGenerator(seed: 2024)
        var parsed = 0
        var refused = 0
        for _ in 0..<2000 {
            var text = base
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                let position = Int(generator.next() % UInt64(text.count + 1))
                let scalar = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                switch generator.next() % 5 {
                case 0 where position < text.count: text[position] = scalar
                case 1 where position < text.count: text.remove(at: position)
                case 2:
                    let length = min(Int(generator.next() % 12), text.count - position)
                    text.insert(contentsOf: text[position..<(position + length)], at: position)
                case 3 where position < text.count:
                    text.removeSubrange(position..<min(text.count, position + Int(generator.next() % 20)))
                default: text.insert(scalar, at: position)
                }
            }
            var source = String.UnicodeScalarView()
            source.append(contentsOf: text)
            let lines = text.count(where: { $0 == "\n" }) + 1
            do {
                _ = try OpenQASMProgram(parsing: String(source), inputs: ["x0": 0.5])
                parsed += 1
            } catch {
                refused += 1
                #expect((1...lines).contains(error.line), "\(error)")
                #expect(error.column >= 1, "\(error)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(parsed + refused == 2000)
        #expect(parsed > 0 && refused > 0)
    }
}
