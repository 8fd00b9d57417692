/// Vigna's SplitMix64: a seeded generator whose stream is the same on every platform.
struct SplitMix64: RandomNumberGenerator {
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

    /// A double uniform in [lower, upper).
    mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * Double(next() >> 11) * 0x1p-53
    }

    /// `count` doubles uniform in [lower, upper).
    mutating func uniforms(_ count: Int, _ lower: Double = -1, _ upper: Double = 1) -> [Double] {
        (0..<count).map { _ in uniform(lower, upper) }
    }
}
