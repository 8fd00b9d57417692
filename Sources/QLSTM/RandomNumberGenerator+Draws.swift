import Foundation

/// Draws built from raw `next()` bits, so a seed gives the same weights on every platform.
///
/// The standard library does not promise how `Double.random(in:using:)` maps bits to values, so
/// initial weights drawn with it could change between Swift versions or platforms.
extension RandomNumberGenerator {
    /// A double uniform in [0, 1) from the top 53 bits of one `next()`.
    mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A standard normal draw by Box-Muller from two uniforms (the cosine branch only).
    ///
    /// Exactly two `next()` calls per draw keeps the stream position independent of the values.
    mutating func nextStandardNormal() -> Double {
        let u = 1 - nextUnitDouble()  // (0, 1]: the logarithm stays finite.
        let v = nextUnitDouble()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
