#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 2 x 2 complex matrix: the unitary of a single-qubit gate, or a fused run of them.
///
/// Row-major: `[[a, b], [c, d]]` maps the pair `(amp0, amp1)` to `(a amp0 + b amp1, c amp0 + d amp1)`,
/// where `amp0` has the gate's wire at 0 and `amp1` at 1.
public struct Matrix2: Sendable, Hashable {
    public var a: Complex, b: Complex, c: Complex, d: Complex

    @inlinable
    public init(_ a: Complex, _ b: Complex, _ c: Complex, _ d: Complex) {
        self.a = a
        self.b = b
        self.c = c
        self.d = d
    }

    /// A real matrix.
    @inlinable
    public init(real a: Double, _ b: Double, _ c: Double, _ d: Double) {
        self.init(Complex(a), Complex(b), Complex(c), Complex(d))
    }

    public static let identity = Matrix2(real: 1, 0, 0, 1)

    /// True when every entry has a zero imaginary part, so a real state stays real under it.
    @inlinable
    public var isReal: Bool { a.im == 0 && b.im == 0 && c.im == 0 && d.im == 0 }

    /// True when the off-diagonal entries are zero (a phase gate).
    @inlinable
    public var isDiagonal: Bool { b == .zero && c == .zero }

    /// The product `self * other`: applying `other` first, then `self`.
    @inlinable
    public static func * (m: Matrix2, n: Matrix2) -> Matrix2 {
        if m.isReal && n.isReal {
            return Matrix2(
                real: m.a.re * n.a.re + m.b.re * n.c.re,
                m.a.re * n.b.re + m.b.re * n.d.re,
                m.c.re * n.a.re + m.d.re * n.c.re,
                m.c.re * n.b.re + m.d.re * n.d.re
            )
        }
        return Matrix2(
            m.a * n.a + m.b * n.c,
            m.a * n.b + m.b * n.d,
            m.c * n.a + m.d * n.c,
            m.c * n.b + m.d * n.d
        )
    }

    /// The entry in row `row` and column `column` (each 0 or 1).
    @inlinable
    public subscript(row: Int, column: Int) -> Complex {
        switch (row, column) {
        case (0, 0): a
        case (0, _): b
        case (1, 0): c
        default: d
        }
    }

    /// The conjugate transpose (the inverse of a unitary).
    @inlinable
    public var adjoint: Matrix2 { Matrix2(a.conjugate, c.conjugate, b.conjugate, d.conjugate) }
}

extension Matrix2 {
    /// RX(t) = exp(-i t X / 2).
    @inlinable
    public static func rx(_ t: Double) -> Matrix2 {
        let c = cos(t / 2)
        let s = sin(t / 2)
        return Matrix2(Complex(c), Complex(0, -s), Complex(0, -s), Complex(c))
    }

    /// RY(t) = exp(-i t Y / 2).
    @inlinable
    public static func ry(_ t: Double) -> Matrix2 {
        let c = cos(t / 2)
        let s = sin(t / 2)
        return Matrix2(real: c, -s, s, c)
    }

    /// RZ(t) = exp(-i t Z / 2).
    @inlinable
    public static func rz(_ t: Double) -> Matrix2 {
        let c = cos(t / 2)
        let s = sin(t / 2)
        return Matrix2(Complex(c, -s), .zero, .zero, Complex(c, s))
    }

    /// The rotation about the Pauli axis `axis` by `t`.
    @inlinable
    public static func rotation(_ axis: PauliAxis, _ t: Double) -> Matrix2 {
        switch axis {
        case .x: rx(t)
        case .y: ry(t)
        case .z: rz(t)
        }
    }

    /// OpenQASM 3's `U(theta, phi, lambda)`, global phase included.
    @inlinable
    public static func u(_ theta: Double, _ phi: Double, _ lambda: Double) -> Matrix2 {
        let c = cos(theta / 2)
        let s = sin(theta / 2)
        return Matrix2(
            Complex(c),
            -(s * Complex.phase(lambda)),
            s * Complex.phase(phi),
            c * Complex.phase(phi + lambda)
        )
    }

    public static let hadamard = Matrix2(real: 0.5.squareRoot(), 0.5.squareRoot(), 0.5.squareRoot(), -0.5.squareRoot())
    public static let pauliX = Matrix2(real: 0, 1, 1, 0)
    public static let pauliY = Matrix2(.zero, Complex(0, -1), Complex(0, 1), .zero)
    public static let pauliZ = Matrix2(real: 1, 0, 0, -1)
    public static let s = Matrix2(.one, .zero, .zero, .i)
    public static let sdg = Matrix2(.one, .zero, .zero, Complex(0, -1))
    public static let t = Matrix2(.one, .zero, .zero, Complex.phase(Double.pi / 4))
    public static let tdg = Matrix2(.one, .zero, .zero, Complex.phase(-Double.pi / 4))
}

/// The three Pauli axes of single-qubit rotations and measurements.
public enum PauliAxis: String, Sendable, Hashable, CaseIterable, Codable {
    case x, y, z
}
