import QuantumSimulator

extension SeededGenerator {
    /// A double uniform in [lower, upper).
    mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * nextUnit()
    }
}

extension SeededGenerator {
    /// `count` doubles uniform in [lower, upper).
    mutating func uniforms(_ count: Int, _ lower: Double = -1, _ upper: Double = 1) -> [Double] {
        (0..<count).map { _ in uniform(lower, upper) }
    }
}
