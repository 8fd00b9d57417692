/// One gate of a concrete circuit, with its wires and bound angles.
///
/// The names and conventions are those of OpenQASM 3's `stdgates.inc` (and PennyLane):
/// `RY(t) = exp(-i t Y/2)`, `Rot(phi, theta, omega) = RZ(omega) RY(theta) RZ(phi)`, and
/// `U(theta, phi, lambda)` as OpenQASM 3's built-in. Wire 0 is the least significant bit of a
/// basis-state index and is `q[0]` in OpenQASM.
public enum Gate: Sendable, Hashable {
    case h(Int)
    case x(Int)
    case y(Int)
    case z(Int)
    case s(Int)
    case sdg(Int)
    case t(Int)
    case tdg(Int)
    case rx(Int, Double)
    case ry(Int, Double)
    case rz(Int, Double)
    /// PennyLane's `Rot(phi, theta, omega) = RZ(omega) RY(theta) RZ(phi)`.
    case rot(Int, Double, Double, Double)
    /// OpenQASM 3's `U(theta, phi, lambda)`.
    case u(Int, Double, Double, Double)
    case cnot(control: Int, target: Int)
    case cz(Int, Int)
    case swap(Int, Int)

    /// The wires the gate acts on, in the order of its arguments.
    public var wires: [Int] {
        switch self {
        case .h(let w), .x(let w), .y(let w), .z(let w), .s(let w), .sdg(let w), .t(let w), .tdg(let w),
            .rx(let w, _), .ry(let w, _), .rz(let w, _), .rot(let w, _, _, _), .u(let w, _, _, _):
            [w]
        case .cnot(let c, let t): [c, t]
        case .cz(let a, let b), .swap(let a, let b): [a, b]
        }
    }

    /// The 2 x 2 unitary of a single-qubit gate; `nil` for two-qubit gates.
    public var matrix: Matrix2? {
        switch self {
        case .h: .hadamard
        case .x: .pauliX
        case .y: .pauliY
        case .z: .pauliZ
        case .s: .s
        case .sdg: .sdg
        case .t: .t
        case .tdg: .tdg
        case .rx(_, let t): .rx(t)
        case .ry(_, let t): .ry(t)
        case .rz(_, let t): .rz(t)
        case .rot(_, let phi, let theta, let omega): .rz(omega) * .ry(theta) * .rz(phi)
        case .u(_, let theta, let phi, let lambda): .u(theta, phi, lambda)
        case .cnot, .cz, .swap: nil
        }
    }

    /// The `stdgates.inc` name of the gate (`cx` for CNOT, `U` for the built-in).
    public var name: String {
        switch self {
        case .h: "h"
        case .x: "x"
        case .y: "y"
        case .z: "z"
        case .s: "s"
        case .sdg: "sdg"
        case .t: "t"
        case .tdg: "tdg"
        case .rx: "rx"
        case .ry: "ry"
        case .rz: "rz"
        case .rot: "rot"
        case .u: "U"
        case .cnot: "cx"
        case .cz: "cz"
        case .swap: "swap"
        }
    }
}
