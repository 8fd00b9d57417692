/// A program the OpenQASM importer refuses, with where and why.
///
/// `line` and `column` are 1-based; a column counts Unicode scalars from the start of the line.
/// Errors about the program as a whole (no qubits, a value for an input the program does not
/// declare) point at line 1, column 1.
public struct OpenQASMError: Error, Equatable, Sendable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let reason: Reason

    public init(line: Int, column: Int, reason: Reason) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// What went wrong and how to fix it, without the position.
    public var message: String { reason.description }

    /// `line 4, column 1: unsupported statement 'reset': ...`.
    public var description: String { "line \(line), column \(column): \(message)" }
}

extension OpenQASMError {
    /// The ways an OpenQASM program can fall outside the subset the emulator runs.
    public enum Reason: Equatable, Sendable, CustomStringConvertible {
        /// A `/*` comment that never ends.
        case unterminatedComment
        /// A string literal that ends at the end of its line or of the file.
        case unterminatedString
        /// A number followed by letters (a duration such as `100ns`, an imaginary `1im`, hex).
        case malformedNumber(String)
        /// A token other than the one the grammar needs here.
        case expected(String, found: String)
        /// An OpenQASM version other than 2.x or 3.x.
        case unsupportedVersion(String)
        /// `OPENQASM` after another statement.
        case versionNotFirst
        /// An include of anything but the standard gate library.
        case unsupportedInclude(String)
        /// A language feature outside the subset: `reset`, `if`, `for`, `def`, `gate`, ...
        case unsupportedStatement(String)
        /// A standard-library gate that the emulator has no kernel for (`ccx`, `crx`, ...).
        case unsupportedGate(String)
        /// A name that is no gate, with the closest supported gate if one is near.
        case unknownGate(String, suggestion: String?)
        /// A gate called with the wrong number of angles.
        case wrongAngleCount(gate: String, expected: Int, got: Int)
        /// A gate applied to the wrong number of qubit operands.
        case wrongQubitCount(gate: String, expected: Int, got: Int)
        /// An operand or expression name that was never declared.
        case undeclared(String)
        /// A name that is declared twice, or a declaration that reuses a reserved word.
        case redeclared(String)
        /// A name used as the wrong kind of thing (a bit register as a gate operand, ...).
        case wrongKind(name: String, expected: String)
        /// A register index outside the register.
        case indexOutOfRange(register: String, index: Int, size: Int)
        /// An index on a name declared as a single qubit or bit (`qubit a;` then `a[0]`).
        case indexOnScalar(String)
        /// A register declared with no elements or more than the importer holds.
        case invalidRegisterSize(Int)
        /// More qubits than the emulator holds.
        case tooManyQubits(Int, limit: Int)
        /// The program declares no qubit at all.
        case noQubits
        /// Register operands of different sizes in one broadcast gate or measurement.
        case sizeMismatch(String)
        /// A multi-qubit gate given the same qubit twice.
        case repeatedQubit(gate: String, qubit: String)
        /// A gate on a qubit after that qubit was measured.
        case gateAfterMeasurement(gate: String, qubit: String)
        /// An input the program declares but the caller gave no value for.
        case missingInputValue(String)
        /// A value the caller gave for an input the program does not declare.
        case unknownInputValue(String, declared: [String])
        /// An input of a type other than `float` (or `float[n]`).
        case unsupportedInputType(String)
        /// A function call to something other than the built-in math functions.
        case unknownFunction(String)
        /// An angle that evaluates to NaN or an infinity.
        case nonFiniteAngle(Double)
        /// A number the subset cannot take (a non-integer index, a size too large), described in full.
        case invalidValue(String)
        /// Parentheses or unary minus signs nested deeper than the importer follows.
        case expressionTooDeep(limit: Int)

        public var description: String {
            switch self {
            case .unterminatedComment:
                return "unterminated comment: close the '/*' with '*/'"
            case .unterminatedString:
                return "unterminated string: close it with a quote on the same line"
            case .malformedNumber(let text):
                return "malformed number '\(text)': write decimal numbers such as 3, 0.25 or 1.5e-3"
                    + " (durations, imaginary and hexadecimal literals are not supported)"
            case .expected(let what, let found):
                return "expected \(what), found \(found)"
            case .unsupportedVersion(let version):
                return "unsupported OpenQASM version \(version): this importer reads OpenQASM 3"
                    + " (and OpenQASM 2 programs in the same subset)"
            case .versionNotFirst:
                return "the 'OPENQASM' version statement must be the first statement of the program"
            case .unsupportedInclude(let file):
                return "cannot include \"\(file)\": only the standard gate library \"stdgates.inc\""
                    + " (or OpenQASM 2's \"qelib1.inc\") is available; paste the definitions' uses inline"
            case .unsupportedStatement(let keyword):
                return "unsupported statement '\(keyword)': this importer takes the stdgates subset"
                    + " (\(OpenQASM3.supportedGateList), measure, barrier) with qubit, bit and"
                    + " input float declarations"
            case .unsupportedGate(let name):
                return "gate '\(name)' is in the standard library but the emulator has no such gate:"
                    + " decompose it into \(OpenQASM3.supportedGateList)"
                    + " (for example with Qiskit's transpile(circuit, basis_gates=[\"u\", \"cx\"]))"
            case .unknownGate(let name, let suggestion):
                let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
                return "unknown gate '\(name)'\(hint): supported gates are \(OpenQASM3.supportedGateList)"
            case .wrongAngleCount(let gate, let expected, let got):
                return "gate '\(gate)' takes \(Self.count(expected, "angle")), got \(got)"
            case .wrongQubitCount(let gate, let expected, let got):
                return "gate '\(gate)' acts on \(Self.count(expected, "qubit")), got \(got)"
            case .undeclared(let name):
                return "'\(name)' is not declared: declare it before use (qubit[n] \(name); bit[n] \(name);"
                    + " or input float[64] \(name);)"
            case .redeclared(let name):
                return "'\(name)' is already declared or reserved: choose another name"
            case .wrongKind(let name, let expected):
                return "'\(name)' is not \(expected)"
            case .indexOutOfRange(let register, let index, let size):
                return "index \(index) is out of range for '\(register)', which has \(size) element"
                    + (size == 1 ? "" : "s") + " (indices 0...\(size - 1), or -\(size)...-1 from the end)"
            case .indexOnScalar(let name):
                return "'\(name)' is a single qubit or bit, not a register: use it without an index"
            case .invalidRegisterSize(let size):
                return "register size \(size) is invalid: give a size from 1 to \(OpenQASM3.maximumRegisterSize)"
            case .tooManyQubits(let count, let limit):
                return "the program declares \(count) qubits, but the emulator holds at most \(limit)"
            case .noQubits:
                return "the program declares no qubits: add a declaration such as 'qubit[2] q;'"
            case .sizeMismatch(let detail):
                return "register sizes do not match: \(detail)"
            case .repeatedQubit(let gate, let qubit):
                return "gate '\(gate)' uses \(qubit) twice: a two-qubit gate needs two different qubits"
            case .gateAfterMeasurement(let gate, let qubit):
                return "gate '\(gate)' acts on \(qubit) after it was measured: mid-circuit measurement is"
                    + " not supported; move every measurement to the end of the program"
            case .missingInputValue(let name):
                return "no value given for input '\(name)': pass one, for example \(name)=0.5"
            case .unknownInputValue(let name, let declared):
                let list =
                    declared.isEmpty ? "it declares no inputs" : "it declares " + declared.joined(separator: ", ")
                return "a value was given for input '\(name)', but the program declares no such input (\(list))"
            case .unsupportedInputType(let type):
                return "input type '\(type)' is not supported: declare inputs as 'input float[64] name;'"
            case .unknownFunction(let name):
                return "unknown function '\(name)': use sin, cos, tan, arcsin, arccos, arctan, exp, ln or sqrt"
            case .nonFiniteAngle(let value):
                return "the angle evaluates to \(value): check divisions by zero, the domains of sqrt, ln,"
                    + " arcsin and arccos, and the input values"
            case .invalidValue(let detail):
                return detail
            case .expressionTooDeep(let limit):
                return "expression nested more than \(limit) levels deep: simplify it"
            }
        }

        private static func count(_ n: Int, _ noun: String) -> String {
            n == 0 ? "no \(noun)s" : n == 1 ? "1 \(noun)" : "\(n) \(noun)s"
        }
    }
}
