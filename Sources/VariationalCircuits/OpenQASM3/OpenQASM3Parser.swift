import QuantumSimulator
import Suggestions

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension OpenQASMProgram {
    /// Reads an OpenQASM 3 program in the subset the emulator runs.
    ///
    /// The subset: an optional `OPENQASM 3;` (2.x is read too), `include "stdgates.inc";`,
    /// `//` and `/* */` comments; `qubit[n] q;`, `qubit q;`, `bit[n] c;`, `bit c;` and the legacy
    /// `qreg q[n];`, `creg c[n];` (registers concatenated in declaration order);
    /// `input float[64] x;` whose value comes from `inputs`; the gates h, x, y, z, s, sdg, t, tdg,
    /// sx, id, rx, ry, rz, p (phase, u1), u2, U (u, u3), cx (CX, cnot), cz, swap and gphase,
    /// broadcast over whole registers (`h q;`, `cx a, b;`); `c = measure q;`,
    /// `c[i] = measure q[j];`, `measure q[j];`, `measure q -> c;`; and `barrier`, which is ignored.
    ///
    /// Angles are expressions over decimal literals, `pi` (`π`), `tau` (`τ`), `euler` (`ℇ`), the
    /// declared inputs, unary minus, `+ - * / **` (`**` binds tightest and to the right) and the
    /// functions sin, cos, tan, arcsin, arccos, arctan, exp, ln (log) and sqrt. Arithmetic is in
    /// `Double`: `1/2` is 0.5.
    ///
    /// Gates that differ from the emulator's only by a global phase are read as the emulator's
    /// gate: `u3`, `u`, `u2` and `u1` as `U`, `sx` as `rx(pi/2)`, and `gphase` is dropped. No
    /// expectation value or probability depends on a global phase. `p` and `phase` are exactly
    /// `U(0, 0, lambda)`.
    ///
    /// - Parameters:
    ///   - source: the program text.
    ///   - inputs: a value for every declared `input`, by name.
    /// - Throws: `OpenQASMError` with the line and column of the first thing outside the
    ///   subset: an unknown or unsupported gate or statement, a wrong arity, an index out of range,
    ///   a missing `;`, a gate after a measurement of its qubit, an input without a value or a
    ///   value for an undeclared input, and so on. No input makes the parser trap.
    public init(parsing source: String, inputs: [String: Double] = [:]) throws(OpenQASMError) {
        var parser = try OpenQASM3Parser(source: source, inputValues: inputs)
        self = try parser.parseProgram()
    }
}

extension OpenQASM3 {
    /// The gates the importer reads, for error messages.
    static let supportedGateList = "h, x, y, z, s, sdg, t, tdg, sx, rx, ry, rz, p, U, u3, cx, cz, swap"

    /// The largest register the importer declares (bit registers may be large; qubits stop at 25).
    public static let maximumRegisterSize = 1 << 20

    /// Parentheses and signs nested deeper than this are refused rather than risk the stack.
    static let maximumExpressionDepth = 64
}

/// A recursive-descent parser that evaluates angles as it reads them.
struct OpenQASM3Parser {
    private struct Register {
        var isQubit: Bool
        var offset: Int
        var size: Int
        /// Declared without a size (`qubit a;`), so it takes no index.
        var isScalar: Bool
    }

    /// A resolved operand: one wire or bit, or a whole register to broadcast over.
    private struct Operand {
        var indices: [Int]
        var isRegister: Bool
        var name: String
        var token: OpenQASM3Token
    }

    private var lexer: OpenQASM3Lexer
    private var token: OpenQASM3Token
    private var previousEnd: (line: Int, column: Int) = (1, 1)
    private let inputValues: [String: Double]

    private var registers: [String: Register] = [:]
    private var inputs: [String: Double] = [:]
    private var inputNames: [String] = []
    private var qubitNames: [String] = []
    private var bitCount = 0
    private var gates: [Gate] = []
    private var measured = Set<Int>()
    private var bitSources: [Int: Int] = [:]
    private var untargetedMeasurements: [Int] = []
    private var hasMeasurements = false
    private var statementCount = 0
    private var depth = 0

    init(source: String, inputValues: [String: Double]) throws(OpenQASMError) {
        lexer = OpenQASM3Lexer(source)
        token = try lexer.next()
        self.inputValues = inputValues
    }

    // MARK: Tables

    /// Angle and qubit counts of the gates the importer reads.
    private static let gateShapes: [String: (angles: Int, qubits: Int)] = [
        "h": (0, 1), "x": (0, 1), "y": (0, 1), "z": (0, 1), "s": (0, 1), "sdg": (0, 1),
        "t": (0, 1), "tdg": (0, 1), "sx": (0, 1), "id": (0, 1),
        "rx": (1, 1), "ry": (1, 1), "rz": (1, 1), "p": (1, 1), "phase": (1, 1), "u1": (1, 1),
        "u2": (2, 1), "U": (3, 1), "u": (3, 1), "u3": (3, 1),
        "cx": (0, 2), "CX": (0, 2), "cnot": (0, 2), "cz": (0, 2), "swap": (0, 2),
        "gphase": (1, 0),
    ]

    /// Standard-library (and common Qiskit) gates the emulator has no kernel for.
    private static let unsupportedGates: Set<String> = [
        "cy", "ch", "cp", "cphase", "crx", "cry", "crz", "cu", "cu1", "cu3", "ccx", "cswap", "sxdg",
        "rxx", "ryy", "rzz", "rzx", "ecr", "iswap", "dcx", "csx", "c3x", "c4x", "rccx", "rc3x", "r",
    ]

    /// Words that begin statements outside the subset.
    private static let unsupportedKeywords: Set<String> = [
        "reset", "if", "else", "for", "while", "in", "def", "gate", "opaque", "defcal", "defcalgrammar",
        "cal", "const", "let", "box", "delay", "return", "break", "continue", "end", "extern", "output",
        "int", "uint", "float", "angle", "bool", "complex", "duration", "stretch", "array", "switch", "case",
        "default", "ctrl", "negctrl", "inv", "pow", "durationof", "sizeof", "true", "false", "pragma", "void",
        "mutable", "readonly",
    ]

    private static let statementKeywords: Set<String> = [
        "OPENQASM", "include", "qubit", "bit", "qreg", "creg", "input", "measure", "barrier",
    ]

    private static let constants: [String: Double] = [
        "pi": Double.pi, "π": Double.pi, "tau": 2 * Double.pi, "τ": 2 * Double.pi,
        "euler": 2.718281828459045, "ℇ": 2.718281828459045,
    ]

    private static let functions: Set<String> = [
        "sin", "cos", "tan", "arcsin", "arccos", "arctan", "exp", "ln", "log", "sqrt",
    ]

    /// Keywords, constants, functions and the gates the importer reads cannot name a register or
    /// an input; other gate names (Qiskit's `r`, `ecr`, ...) can, as OpenQASM without their
    /// definitions allows.
    private static func isReserved(_ name: String) -> Bool {
        gateShapes[name] != nil || unsupportedKeywords.contains(name)
            || statementKeywords.contains(name) || constants[name] != nil || functions.contains(name)
    }

    // MARK: Tokens

    private mutating func advance() throws(OpenQASMError) {
        previousEnd = (token.endLine, token.endColumn)
        token = try lexer.next()
    }

    private func error(_ reason: OpenQASMError.Reason, at token: OpenQASM3Token) -> OpenQASMError {
        OpenQASMError(line: token.line, column: token.column, reason: reason)
    }

    /// Consumes `symbol` if it is next.
    private mutating func consume(_ symbol: String) throws(OpenQASMError) -> Bool {
        guard token.isSymbol(symbol) else { return false }
        try advance()
        return true
    }

    private mutating func expect(_ symbol: String, _ what: String? = nil) throws(OpenQASMError) {
        guard token.isSymbol(symbol) else {
            throw error(.expected(what ?? "'\(symbol)'", found: token.quoted), at: token)
        }
        try advance()
    }

    /// Consumes the `;` that ends a statement; a missing one is reported right after the
    /// statement's last token, where it belongs.
    private mutating func expectSemicolon() throws(OpenQASMError) {
        guard token.isSymbol(";") else {
            throw OpenQASMError(
                line: previousEnd.line,
                column: previousEnd.column,
                reason: .expected("';' at the end of the statement", found: token.quoted)
            )
        }
        try advance()
    }

    /// A non-negative integer literal that fits `limit`.
    private mutating func integerLiteral(_ what: String, limit: Int) throws(OpenQASMError) -> Int {
        guard case .number(let value, let text, let isInteger) = token.kind else {
            throw error(.expected(what, found: token.quoted), at: token)
        }
        guard isInteger else { throw error(.invalidValue("\(what) must be an integer, not '\(text)'"), at: token) }
        guard value <= Double(limit) else {
            throw error(.invalidValue("\(text) is too large for \(what) (at most \(limit))"), at: token)
        }
        try advance()
        return Int(value)
    }

    // MARK: Program

    mutating func parseProgram() throws(OpenQASMError) -> OpenQASMProgram {
        while token.kind != .endOfFile {
            try parseStatement()
            statementCount += 1
        }
        for name in inputValues.keys.sorted() where inputs[name] == nil {
            throw OpenQASMError(line: 1, column: 1, reason: .unknownInputValue(name, declared: inputNames))
        }
        guard !qubitNames.isEmpty else { throw OpenQASMError(line: 1, column: 1, reason: .noQubits) }
        let circuit: Circuit
        do {
            circuit = try Circuit(qubitCount: qubitNames.count, gates: gates)
        } catch {
            // Wires and sizes were checked while reading; this only guards against a gap there.
            throw OpenQASMError(line: 1, column: 1, reason: .invalidValue(error.description))
        }
        let measuredQubits =
            hasMeasurements
            ? bitSources.sorted { $0.key < $1.key }.map(\.value) + untargetedMeasurements
            : Array(0..<qubitNames.count)
        return OpenQASMProgram(
            circuit: circuit,
            measuredQubits: measuredQubits,
            hasMeasurements: hasMeasurements,
            qubitNames: qubitNames,
            inputNames: inputNames
        )
    }

    private mutating func parseStatement() throws(OpenQASMError) {
        let start = token
        guard let word = token.identifier else {
            throw error(.expected("a statement", found: token.quoted), at: token)
        }
        switch word {
        case "OPENQASM": try parseVersion()
        case "include": try parseInclude()
        case "qubit", "bit": try parseDeclaration(isQubit: word == "qubit")
        case "qreg", "creg": try parseLegacyDeclaration(isQubit: word == "qreg")
        case "input": try parseInput()
        case "measure":
            try advance()
            let qubits = try parseOperand(kind: .qubit)
            if try consume("->") {
                let bits = try parseOperand(kind: .bit)
                try record(qubits: qubits, into: bits)
            } else {
                try record(qubits: qubits, into: nil)
            }
            try expectSemicolon()
        case "barrier":
            try advance()
            if !token.isSymbol(";") {
                repeat { _ = try parseOperand(kind: .qubit) } while try consume(",")
            }
            try expectSemicolon()
        default:
            if Self.unsupportedKeywords.contains(word) { throw error(.unsupportedStatement(word), at: start) }
            try advance()
            if token.isSymbol("=") || token.isSymbol("[") {
                // `qubt[2] q;` is a misspelt declaration more often than an assignment.
                if registers[word] == nil, inputs[word] == nil, let suggestion = Self.closestGate(to: word) {
                    throw error(.unknownGate(word, suggestion: suggestion), at: start)
                }
                try parseMeasureAssignment(target: start)
            } else {
                try parseGateCall(name: word, at: start)
            }
        }
    }

    private mutating func parseVersion() throws(OpenQASMError) {
        let keyword = token
        guard statementCount == 0 else { throw error(.versionNotFirst, at: keyword) }
        try advance()
        guard case .number(_, let text, _) = token.kind else {
            throw error(.expected("a version number such as 3.0", found: token.quoted), at: token)
        }
        let major = text.split(separator: ".", omittingEmptySubsequences: false).first.map(String.init) ?? text
        guard major == "3" || major == "2" else { throw error(.unsupportedVersion(text), at: token) }
        try advance()
        try expectSemicolon()
    }

    private mutating func parseInclude() throws(OpenQASMError) {
        try advance()
        guard case .string(let file) = token.kind else {
            throw error(.expected("a file name in quotes, such as \"stdgates.inc\"", found: token.quoted), at: token)
        }
        guard file == "stdgates.inc" || file == "qelib1.inc" else { throw error(.unsupportedInclude(file), at: token) }
        try advance()
        try expectSemicolon()
    }

    // MARK: Declarations

    /// `qubit[n] name;`, `qubit name;`, `bit[n] name;`, `bit name;`.
    private mutating func parseDeclaration(isQubit: Bool) throws(OpenQASMError) {
        let keyword = token
        try advance()
        var size: Int?
        if try consume("[") {
            size = try registerSize()
            try expect("]")
        }
        let nameToken = try newName()
        try expectSemicolon()
        try declare(nameToken, isQubit: isQubit, size: size, at: keyword)
    }

    /// `qreg name[n];`, `creg name[n];` (OpenQASM 2), also without a size.
    private mutating func parseLegacyDeclaration(isQubit: Bool) throws(OpenQASMError) {
        let keyword = token
        try advance()
        let nameToken = try newName()
        var size: Int?
        if try consume("[") {
            size = try registerSize()
            try expect("]")
        }
        try expectSemicolon()
        try declare(nameToken, isQubit: isQubit, size: size, at: keyword)
    }

    private mutating func registerSize() throws(OpenQASMError) -> Int {
        let sizeToken = token
        let size = try integerLiteral("a register size", limit: OpenQASM3.maximumRegisterSize)
        guard size >= 1 else { throw error(.invalidRegisterSize(size), at: sizeToken) }
        return size
    }

    /// A name about to be declared: an identifier that is neither reserved nor taken.
    private mutating func newName() throws(OpenQASMError) -> OpenQASM3Token {
        let nameToken = token
        guard let name = token.identifier else {
            throw error(.expected("a name", found: token.quoted), at: token)
        }
        guard !Self.isReserved(name), registers[name] == nil, inputs[name] == nil else {
            throw error(.redeclared(name), at: nameToken)
        }
        try advance()
        return nameToken
    }

    private mutating func declare(
        _ nameToken: OpenQASM3Token,
        isQubit: Bool,
        size: Int?,
        at keyword: OpenQASM3Token
    ) throws(OpenQASMError) {
        let name = nameToken.identifier ?? ""
        let count = size ?? 1
        if isQubit {
            let total = qubitNames.count + count
            guard total <= Circuit.qubitRange.upperBound else {
                throw error(.tooManyQubits(total, limit: Circuit.qubitRange.upperBound), at: keyword)
            }
            registers[name] = Register(isQubit: true, offset: qubitNames.count, size: count, isScalar: size == nil)
            qubitNames += size == nil ? [name] : (0..<count).map { "\(name)[\($0)]" }
        } else {
            registers[name] = Register(isQubit: false, offset: bitCount, size: count, isScalar: size == nil)
            bitCount += count
        }
    }

    /// `input float[64] name;` (any float width, or none).
    private mutating func parseInput() throws(OpenQASMError) {
        try advance()
        guard token.identifier == "float" else {
            throw error(.unsupportedInputType(token.identifier ?? token.quoted), at: token)
        }
        try advance()
        if try consume("[") {
            _ = try integerLiteral("a float width", limit: 1024)
            try expect("]")
        }
        let nameToken = try newName()
        let name = nameToken.identifier ?? ""
        guard let value = inputValues[name] else { throw error(.missingInputValue(name), at: nameToken) }
        try expectSemicolon()
        inputs[name] = value
        inputNames.append(name)
    }

    // MARK: Operands

    private enum OperandKind {
        case qubit, bit
        var noun: String { self == .qubit ? "a qubit or qubit register" : "a bit or bit register" }
    }

    /// `name` or `name[i]`; a negative index counts from the end of the register.
    private mutating func parseOperand(kind: OperandKind) throws(OpenQASMError) -> Operand {
        let nameToken = token
        guard token.identifier != nil else {
            if case .hardwareQubit = token.kind, kind == .qubit {
                throw error(
                    .expected(
                        "a declared qubit such as q[0] (physical qubits like $0 are not supported)",
                        found: token.quoted
                    ),
                    at: token
                )
            }
            throw error(.expected(kind.noun, found: token.quoted), at: token)
        }
        try advance()
        return try parseOperand(named: nameToken, kind: kind)
    }

    /// The rest of an operand whose name was already consumed.
    private mutating func parseOperand(
        named nameToken: OpenQASM3Token,
        kind: OperandKind
    ) throws(OpenQASMError) -> Operand {
        let name = nameToken.identifier ?? ""
        guard let register = registers[name] else {
            if inputs[name] != nil { throw error(.wrongKind(name: name, expected: kind.noun), at: nameToken) }
            throw error(.undeclared(name), at: nameToken)
        }
        guard register.isQubit == (kind == .qubit) else {
            throw error(.wrongKind(name: name, expected: kind.noun), at: nameToken)
        }
        guard try consume("[") else {
            return Operand(
                indices: Array(register.offset..<(register.offset + register.size)),
                isRegister: !register.isScalar,
                name: name,
                token: nameToken
            )
        }
        guard !register.isScalar else { throw error(.indexOnScalar(name), at: nameToken) }
        let indexToken = token
        let negative = try consume("-")
        guard case .number(let value, let text, let isInteger) = token.kind, isInteger else {
            throw error(
                .invalidValue(
                    "a register index must be an integer literal such as \(name)[0], found \(token.quoted)"
                        + " (slices and index sets are not supported)"
                ),
                at: token
            )
        }
        guard value <= Double(OpenQASM3.maximumRegisterSize) else {
            throw error(
                .invalidValue(
                    "index \(negative ? "-" : "")\(text) is out of range for '\(name)', which has \(register.size) elements"
                ),
                at: indexToken
            )
        }
        var index = Int(value)
        if negative { index = -index }
        try advance()
        try expect("]")
        guard (-register.size..<register.size).contains(index) else {
            throw error(.indexOutOfRange(register: name, index: index, size: register.size), at: indexToken)
        }
        if index < 0 { index += register.size }
        return Operand(indices: [register.offset + index], isRegister: false, name: name, token: nameToken)
    }

    /// The common size of the register operands of a broadcast statement (1 when there are none).
    private func broadcastWidth(_ operands: [Operand], noun: String) throws(OpenQASMError) -> Int {
        var width: (size: Int, name: String)?
        for operand in operands where operand.isRegister {
            if let width, width.size != operand.indices.count {
                throw error(
                    .sizeMismatch(
                        "\(noun) broadcasts over '\(width.name)' (\(width.size)) and '\(operand.name)'"
                            + " (\(operand.indices.count)): broadcast registers must have the same size"
                    ),
                    at: operand.token
                )
            }
            if width == nil { width = (operand.indices.count, operand.name) }
        }
        return width?.size ?? 1
    }

    // MARK: Gates and measurements

    private mutating func parseGateCall(name: String, at nameToken: OpenQASM3Token) throws(OpenQASMError) {
        guard let shape = Self.gateShapes[name] else {
            if Self.unsupportedGates.contains(name) { throw error(.unsupportedGate(name), at: nameToken) }
            if registers[name] != nil || inputs[name] != nil {
                throw error(.expected("a gate name or a statement keyword", found: nameToken.quoted), at: nameToken)
            }
            throw error(.unknownGate(name, suggestion: Self.closestGate(to: name)), at: nameToken)
        }
        var angles: [Double] = []
        if try consume("(") {
            if !token.isSymbol(")") {
                repeat { angles.append(try parseAngle()) } while try consume(",")
            }
            try expect(")", "')' or ',' in the angle list")
        }
        guard angles.count == shape.angles else {
            throw error(.wrongAngleCount(gate: name, expected: shape.angles, got: angles.count), at: nameToken)
        }
        var operands: [Operand] = []
        if !token.isSymbol(";") {
            repeat { operands.append(try parseOperand(kind: .qubit)) } while try consume(",")
        }
        guard operands.count == shape.qubits else {
            throw error(.wrongQubitCount(gate: name, expected: shape.qubits, got: operands.count), at: nameToken)
        }
        let width = try broadcastWidth(operands, noun: "gate '\(name)'")
        for k in 0..<width {
            let wires = operands.map { $0.indices.count == 1 ? $0.indices[0] : $0.indices[k] }
            for (i, wire) in wires.enumerated() where measured.contains(wire) {
                throw error(.gateAfterMeasurement(gate: name, qubit: qubitNames[wire]), at: operands[i].token)
            }
            if wires.count == 2 && wires[0] == wires[1] {
                throw error(.repeatedQubit(gate: name, qubit: qubitNames[wires[0]]), at: operands[1].token)
            }
            gates += Self.gates(name, angles: angles, wires: wires)
        }
        try expectSemicolon()
    }

    /// The emulator's gates for one application of a read gate.
    private static func gates(_ name: String, angles a: [Double], wires w: [Int]) -> [Gate] {
        switch name {
        case "h": [.h(w[0])]
        case "x": [.x(w[0])]
        case "y": [.y(w[0])]
        case "z": [.z(w[0])]
        case "s": [.s(w[0])]
        case "sdg": [.sdg(w[0])]
        case "t": [.t(w[0])]
        case "tdg": [.tdg(w[0])]
        // sx = exp(i pi/4) RX(pi/2).
        case "sx": [.rx(w[0], Double.pi / 2)]
        case "rx": [.rx(w[0], a[0])]
        case "ry": [.ry(w[0], a[0])]
        case "rz": [.rz(w[0], a[0])]
        // p(l) = U(0, 0, l) exactly; u1 differs from it by a global phase.
        case "p", "phase", "u1": [.u(w[0], 0, 0, a[0])]
        case "u2": [.u(w[0], Double.pi / 2, a[0], a[1])]
        case "U", "u", "u3": [.u(w[0], a[0], a[1], a[2])]
        case "cx", "CX", "cnot": [.cnot(control: w[0], target: w[1])]
        case "cz": [.cz(w[0], w[1])]
        case "swap": [.swap(w[0], w[1])]
        // id and gphase change no probability.
        default: []
        }
    }

    /// The supported gate or statement keyword nearest to a misspelt name, within two edits;
    /// ties go to the longer common prefix (`qub` is `qubit`, not `U`).
    private static func closestGate(to name: String) -> String? {
        let candidates = [
            "h", "x", "y", "z", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "p", "U", "u3", "cx", "cz", "swap",
            "OPENQASM", "include", "qubit", "bit", "input", "measure", "barrier",
        ]
        guard name.unicodeScalars.count <= 16 else { return nil }
        return Suggestion.nearest(to: name, among: candidates, maximumDistance: 2, ignoringCase: true)
    }

    /// `c = measure q;` or `c[i] = measure q[j];`, after the target's name.
    private mutating func parseMeasureAssignment(target nameToken: OpenQASM3Token) throws(OpenQASMError) {
        let bits = try parseOperand(named: nameToken, kind: .bit)
        try expect("=")
        guard token.identifier == "measure" else {
            throw error(
                .expected(
                    "'measure' (classical assignments other than 'c = measure q;' are not supported)",
                    found: token.quoted
                ),
                at: token
            )
        }
        try advance()
        let qubits = try parseOperand(kind: .qubit)
        try record(qubits: qubits, into: bits)
        try expectSemicolon()
    }

    /// Records a measurement of `qubits`, into `bits` (same size) or into no bit.
    private mutating func record(qubits: Operand, into bits: Operand?) throws(OpenQASMError) {
        hasMeasurements = true
        guard let bits else {
            for wire in qubits.indices {
                measured.insert(wire)
                if !untargetedMeasurements.contains(wire) { untargetedMeasurements.append(wire) }
            }
            return
        }
        guard bits.indices.count == qubits.indices.count else {
            throw error(
                .sizeMismatch(
                    "'\(bits.name)' has \(bits.indices.count) bit\(bits.indices.count == 1 ? "" : "s") but '\(qubits.name)'"
                        + " has \(qubits.indices.count) qubit\(qubits.indices.count == 1 ? "" : "s")"
                ),
                at: qubits.token
            )
        }
        for (bit, wire) in zip(bits.indices, qubits.indices) {
            bitSources[bit] = wire
            measured.insert(wire)
        }
    }

    // MARK: Expressions

    /// A gate angle: an expression that must evaluate to a finite number.
    private mutating func parseAngle() throws(OpenQASMError) -> Double {
        let start = token
        let value = try parseExpression()
        guard value.isFinite else { throw error(.nonFiniteAngle(value), at: start) }
        return value
    }

    private mutating func parseExpression() throws(OpenQASMError) -> Double {
        var value = try parseTerm()
        while token.isSymbol("+") || token.isSymbol("-") {
            let isPlus = token.isSymbol("+")
            try advance()
            let rhs = try parseTerm()
            value = isPlus ? value + rhs : value - rhs
        }
        return value
    }

    private mutating func parseTerm() throws(OpenQASMError) -> Double {
        var value = try parseUnary()
        while token.isSymbol("*") || token.isSymbol("/") {
            let isTimes = token.isSymbol("*")
            try advance()
            let rhs = try parseUnary()
            value = isTimes ? value * rhs : value / rhs
        }
        return value
    }

    /// Unary minus binds looser than `**` (`-2 ** 2` is -4) and tighter than `*`; every path of
    /// recursion passes through here, so the depth limit is kept here.
    private mutating func parseUnary() throws(OpenQASMError) -> Double {
        depth += 1
        defer { depth -= 1 }
        guard depth <= OpenQASM3.maximumExpressionDepth else {
            throw error(.expressionTooDeep(limit: OpenQASM3.maximumExpressionDepth), at: token)
        }
        if try consume("-") { return -(try parseUnary()) }
        let base = try parsePrimary()
        guard try consume("**") else { return base }
        // Right-associative, and the exponent may carry its own sign: 2 ** -1 ** 2 = 2 ** -(1 ** 2).
        let exponent = try parseUnary()
        return exponent == 2 ? base * base : pow(base, exponent)
    }

    private mutating func parsePrimary() throws(OpenQASMError) -> Double {
        let start = token
        switch token.kind {
        case .number(let value, _, _):
            try advance()
            return value
        case .symbol("("):
            try advance()
            let value = try parseExpression()
            try expect(")", "')' to close the parenthesis")
            return value
        case .identifier(let name):
            try advance()
            if let value = Self.constants[name] { return value }
            if Self.functions.contains(name) {
                try expect("(", "'(' after the function '\(name)'")
                let argument = try parseExpression()
                try expect(")", "')' to close the call of '\(name)'")
                return Self.apply(name, argument)
            }
            if token.isSymbol("(") { throw error(.unknownFunction(name), at: start) }
            if let value = inputs[name] { return value }
            if registers[name] != nil {
                throw error(
                    .wrongKind(name: name, expected: "a number (only input float values enter angles)"),
                    at: start
                )
            }
            throw error(.undeclared(name), at: start)
        default:
            throw error(.expected("a number, a name or '('", found: token.quoted), at: token)
        }
    }

    private static func apply(_ function: String, _ x: Double) -> Double {
        switch function {
        case "sin": sin(x)
        case "cos": cos(x)
        case "tan": tan(x)
        case "arcsin": asin(x)
        case "arccos": acos(x)
        case "arctan": atan(x)
        case "exp": exp(x)
        case "ln", "log": log(x)
        default: x.squareRoot()
        }
    }
}
