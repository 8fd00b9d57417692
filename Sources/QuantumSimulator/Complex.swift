#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A complex number in rectangular form.
///
/// The simulator keeps amplitudes as separate real and imaginary arrays, so this type only
/// carries gate-matrix entries and single amplitudes across the API.
public struct Complex: Sendable, Hashable, CustomStringConvertible {
    public var re: Double
    public var im: Double

    @inlinable
    public init(_ re: Double, _ im: Double = 0) {
        self.re = re
        self.im = im
    }

    public static let zero = Complex(0, 0)
    public static let one = Complex(1, 0)
    public static let i = Complex(0, 1)

    /// `exp(i phi)`.
    @inlinable
    public static func phase(_ phi: Double) -> Complex { Complex(cos(phi), sin(phi)) }

    @inlinable public var conjugate: Complex { Complex(re, -im) }
    @inlinable public var lengthSquared: Double { re * re + im * im }

    @inlinable
    public static func + (a: Complex, b: Complex) -> Complex { Complex(a.re + b.re, a.im + b.im) }
    @inlinable
    public static func - (a: Complex, b: Complex) -> Complex { Complex(a.re - b.re, a.im - b.im) }
    @inlinable
    public static func * (a: Complex, b: Complex) -> Complex {
        Complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }
    @inlinable
    public static func * (a: Double, b: Complex) -> Complex { Complex(a * b.re, a * b.im) }
    @inlinable
    public static prefix func - (a: Complex) -> Complex { Complex(-a.re, -a.im) }

    public var description: String { im < 0 ? "\(re)\(im)i" : "\(re)+\(im)i" }
}
