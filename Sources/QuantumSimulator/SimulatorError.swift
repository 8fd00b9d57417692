/// Everything the simulator can refuse, with what a user needs to fix it.
public enum SimulatorError: Error, Equatable, CustomStringConvertible {
    case qubitCountOutOfRange(Int, range: ClosedRange<Int>)
    case wireOutOfRange(wire: Int, qubitCount: Int, gate: String)
    case repeatedWire(wire: Int, gate: String)
    case invalidShotCount(Int)
    case pauliWordLength(word: String, qubitCount: Int)
    case invalidPauliLetter(Character, word: String)
    case invalidNoiseParameter(field: String, value: Double, rule: String)
    case densityMatrixTooLarge(qubits: Int, limit: Int)

    public var description: String {
        switch self {
        case .qubitCountOutOfRange(let n, let range):
            "qubit count \(n) is out of range: the emulator holds \(range.lowerBound) to \(range.upperBound) qubits"
        case .wireOutOfRange(let wire, let n, let gate):
            "gate \(gate) uses wire \(wire), but the circuit has \(n) qubits (wires 0...\(n - 1))"
        case .repeatedWire(let wire, let gate):
            "gate \(gate) uses wire \(wire) twice: a two-qubit gate needs two different wires"
        case .invalidShotCount(let shots):
            "shot count \(shots) is invalid: give a positive number of shots, or none for exact expectations"
        case .pauliWordLength(let word, let n):
            "Pauli word '\(word)' has \(word.count) letters but the state has \(n) qubits: give one of I, X, Y, Z per qubit"
        case .invalidPauliLetter(let letter, let word):
            "Pauli word '\(word)' contains '\(letter)': use only I, X, Y and Z"
        case .invalidNoiseParameter(let field, let value, let rule):
            "noise model field \(field) = \(value) is invalid: \(rule)"
        case .densityMatrixTooLarge(let n, let limit):
            "a density matrix of \(n) qubits is too large (at most \(limit)): simulate the noise with trajectories"
        }
    }
}
