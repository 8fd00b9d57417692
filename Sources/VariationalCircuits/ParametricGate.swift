import QuantumSimulator

/// Where a rotation angle comes from: a constant, a trainable parameter, an input feature
/// (possibly through a function, as the arctan encoding does), or the product of two features
/// (the IQP encoding's ZZ angles).
public enum AngleSource: Sendable, Hashable, Codable {
    case constant(Double)
    case parameter(Int)
    case input(Int, InputTransform)
    /// x_i x_j.
    case inputProduct(Int, Int)

    /// Whether the angle depends on the inputs (and so is bound per input vector).
    public var dependsOnInputs: Bool {
        switch self {
        case .input, .inputProduct: true
        case .constant, .parameter: false
        }
    }
}

/// The function an encoding applies to an input feature before it becomes an angle.
public enum InputTransform: String, Sendable, Hashable, Codable {
    /// The angle is the feature itself.
    case identity
    /// `arctan(x)`.
    case arctan
    /// `arctan(x^2)`.
    case arctanOfSquare

    /// The angle for feature value `x`.
    @inlinable
    public func angle(_ x: Double) -> Double {
        switch self {
        case .identity: x
        case .arctan: atan(x)
        case .arctanOfSquare: atan(x * x)
        }
    }

    /// d(angle)/dx, the chain factor of an input derivative.
    @inlinable
    public func derivative(_ x: Double) -> Double {
        switch self {
        case .identity: 1
        case .arctan: 1 / (1 + x * x)
        case .arctanOfSquare: 2 * x / (1 + x * x * x * x)
        }
    }
}

/// A gate of a parametrised circuit: either fixed, or a Pauli rotation `exp(-i t P / 2)` whose
/// angle is bound at evaluation time. Every trainable or input-dependent angle enters through
/// such a rotation, which is what makes the two-term parameter-shift rule exact.
public enum ParametricGate: Sendable, Hashable {
    case fixed(Gate)
    case rotation(PauliAxis, wire: Int, AngleSource)

    /// The wires the gate acts on.
    public var wires: [Int] {
        switch self {
        case .fixed(let gate): gate.wires
        case .rotation(_, let wire, _): [wire]
        }
    }

    /// The concrete gate for the given inputs and parameters.
    public func bound(inputs: [Double], parameters: [Double]) -> Gate {
        switch self {
        case .fixed(let gate):
            return gate
        case .rotation(let axis, let wire, let source):
            let t = source.angle(inputs: inputs, parameters: parameters)
            switch axis {
            case .x: return .rx(wire, t)
            case .y: return .ry(wire, t)
            case .z: return .rz(wire, t)
            }
        }
    }
}

extension AngleSource {
    /// The angle for the given inputs and parameters.
    @inlinable
    public func angle(inputs: [Double], parameters: [Double]) -> Double {
        switch self {
        case .constant(let t): t
        case .parameter(let p): parameters[p]
        case .input(let i, let transform): transform.angle(inputs[i])
        case .inputProduct(let i, let j): inputs[i] * inputs[j]
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
