/// Vigna's SplitMix64: a tiny seeded generator whose stream is the same on every platform and
/// Swift version, so a seeded benchmark series is reproducible anywhere.
///
/// `SystemRandomNumberGenerator` cannot be seeded, and the standard library does not promise how
/// `Double.random(in:using:)` turns bits into a value; `nextUnitDouble()` fixes that mapping too.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A double in [0, 1) from the top 53 bits of the next output.
    mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}
