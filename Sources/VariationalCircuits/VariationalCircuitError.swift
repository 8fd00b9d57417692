import QuantumSimulator

/// Everything a VQC description or evaluation can refuse, with what to change.
public enum VariationalCircuitError: Error, Equatable, CustomStringConvertible {
    case qubitCountOutOfRange(Int, range: ClosedRange<Int>)
    case tooManyInputs(inputs: Int, qubits: Int)
    case depthOutOfRange(Int, range: ClosedRange<Int>)
    case entanglingRepetitionsOutOfRange(Int, range: ClosedRange<Int>)
    case encodingRepetitionsOutOfRange(Int, range: ClosedRange<Int>)
    case encodingRepetitionsNeedIQP(encoding: String)
    case repeatedCZLadder(Int)
    case noMeasuredWires
    case measuredWireOutOfRange(wire: Int, qubits: Int)
    case measuredWireRepeated(Int)
    case inputCountMismatch(expected: Int, got: Int)
    case parameterCountMismatch(expected: Int, got: Int)
    case adjointWithShots
    case invalidShotCount(Int)
    case nonFiniteValue(what: String, index: Int)
    case adjointWithNoise
    case invalidTrajectoryCount(Int)
    /// The simulator refused the noise model or the size of a noisy simulation.
    case simulation(SimulatorError)

    public var description: String {
        switch self {
        case .qubitCountOutOfRange(let n, let range):
            "a sub-VQC has \(n) qubits: use \(range.lowerBound) to \(range.upperBound)"
        case .tooManyInputs(let inputs, let qubits):
            "a sub-VQC of \(qubits) qubits cannot encode \(inputs) inputs (one per qubit): use at least \(inputs) qubits or split the inputs"
        case .depthOutOfRange(let d, let range):
            "depth \(d) is out of range: use \(range.lowerBound) to \(range.upperBound) variational layers"
        case .entanglingRepetitionsOutOfRange(let r, let range):
            "n_qlayers \(r) is out of range: use \(range.lowerBound) to \(range.upperBound) entangling repetitions"
        case .encodingRepetitionsOutOfRange(let r, let range):
            "n_repeats \(r) is out of range: repeat the IQP encoding \(range.lowerBound) to \(range.upperBound) times"
        case .encodingRepetitionsNeedIQP(let encoding):
            "n_repeats repeats the IQP encoding, and this circuit's encoding is \(encoding): use --encoding iqp, or drop --n-repeats"
        case .repeatedCZLadder(let r):
            "n_qlayers \(r) would repeat the hardware-efficient CZ ladder, and CZ ladders cancel in pairs (CZs commute, CZ^2 = I): use --n-qlayers 1 and raise --depth instead"
        case .noMeasuredWires:
            "a sub-VQC must measure at least one wire"
        case .measuredWireOutOfRange(let wire, let qubits):
            "measured wire \(wire) does not exist in a circuit of \(qubits) qubits (wires 0...\(qubits - 1))"
        case .measuredWireRepeated(let wire):
            "wire \(wire) is measured twice: list each measured wire once"
        case .inputCountMismatch(let expected, let got):
            "the circuit takes \(expected) inputs but was given \(got)"
        case .parameterCountMismatch(let expected, let got):
            "the circuit has \(expected) trainable parameters but was given \(got)"
        case .adjointWithShots:
            "the adjoint method needs exact simulation: drop --shots or use --diff-method parameter-shift"
        case .invalidShotCount(let shots):
            "shot count \(shots) is invalid: give a positive number of shots, or none for exact expectations"
        case .nonFiniteValue(let what, let index):
            "\(what) \(index) is not a finite number (NaN or infinity): check the data and the learning rate"
        case .adjointWithNoise:
            "the adjoint method needs a pure state: use --diff-method parameter-shift with a noisy QPU profile"
        case .invalidTrajectoryCount(let count):
            "trajectory count \(count) is invalid: give a positive number of trajectories"
        case .simulation(let error):
            error.description
        }
    }
}
