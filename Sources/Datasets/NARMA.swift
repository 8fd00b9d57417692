import Foundation

/// The NARMA-n benchmark: a nonlinear autoregressive moving-average system driven by an input u.
///
/// Recipes (the paper's eq. 15 and its authors' generator, REFERENCE.md "Data recipes"):
/// - NARMA-2: y(t+1) = 0.4 y(t) + 0.4 y(t) y(t-1) + 0.6 u(t)^3 + 0.1
/// - NARMA-n, n != 2: y(t+1) = 0.3 y(t) + 0.05 y(t) sum_{j=0}^{n-1} y(t-j) + 1.5 u(t-n+1) u(t) + 0.1
///
/// y(0) = 0.196 and every earlier y and u is 0, except that NARMA-2 takes y(-1) = y(0), as the
/// reference generator does. The series has feature `u` and target `y`.
public struct NARMA: Sendable, Codable, Equatable {
    /// What drives the system.
    public enum Input: Sendable, Codable, Equatable {
        /// The paper's deterministic input:
        /// u(t) = 0.1 (sin(2 pi 2.11 t/T) sin(2 pi 3.73 t/T) sin(2 pi 4.11 t/T) + 1).
        case sinusoidal
        /// u(t) ~ Uniform[0, upperBound) from SplitMix64 seeded with `seed`: the usual harder
        /// NARMA-10 variant; the same seed gives the same series on every platform.
        case uniform(seed: UInt64, upperBound: Double = 0.5)
    }

    /// n, the length of the memory (2 selects the NARMA-2 equation).
    public var order: Int
    /// T, the number of time steps.
    public var length: Int
    public var input: Input
    /// y(0).
    public var initialValue: Double

    public init(order: Int, length: Int = 300, input: Input = .sinusoidal, initialValue: Double = 0.196) {
        self.order = order
        self.length = length
        self.input = input
        self.initialValue = initialValue
    }

    /// Runs the recursion for `length` steps, time = 0, 1, ..., T - 1.
    ///
    /// - Throws: `DatasetError.invalidParameter` for an order below 2, a length below 2, a
    ///   non-finite initial value or a bad uniform bound.
    /// - Complexity: O(length x order).
    public func series() throws(DatasetError) -> TimeSeries {
        try validate()
        let u = inputs()
        var y = [Double](repeating: 0, count: length)
        y[0] = initialValue
        for t in 0..<(length - 1) {
            if order == 2 {
                let previous = t >= 1 ? y[t - 1] : initialValue
                y[t + 1] = 0.4 * y[t] + 0.4 * y[t] * previous + 0.6 * u[t] * u[t] * u[t] + 0.1
            } else {
                var memory = 0.0
                for j in 0..<order where t - j >= 0 {
                    memory += y[t - j]
                }
                let delayed = t - order + 1 >= 0 ? u[t - order + 1] : 0
                y[t + 1] = 0.3 * y[t] + 0.05 * y[t] * memory + 1.5 * delayed * u[t] + 0.1
            }
        }
        return try TimeSeries(
            time: (0..<length).map(Double.init),
            features: u.map { [$0] },
            featureNames: ["u"],
            target: y,
            targetName: "y"
        )
    }

    private func inputs() -> [Double] {
        switch input {
        case .sinusoidal:
            let period = Double(length)
            return (0..<length).map { step in
                let t = Double(step)
                return 0.1
                    * (sin(2 * .pi * 2.11 * t / period) * sin(2 * .pi * 3.73 * t / period)
                        * sin(2 * .pi * 4.11 * t / period) + 1)
            }
        case .uniform(let seed, let upperBound):
            var generator = SplitMix64(seed: seed)
            return (0..<length).map { _ in generator.nextUnitDouble() * upperBound }
        }
    }

    private func validate() throws(DatasetError) {
        guard order >= 2 else {
            throw .invalidParameter(name: "order", value: "\(order)", expected: "at least 2")
        }
        guard length >= 2 else {
            throw .invalidParameter(name: "length", value: "\(length)", expected: "at least 2")
        }
        guard initialValue.isFinite else {
            throw .invalidParameter(name: "initialValue", value: "\(initialValue)", expected: "a finite number")
        }
        if case .uniform(_, let upperBound) = input, !(upperBound > 0 && upperBound.isFinite) {
            throw .invalidParameter(name: "upperBound", value: "\(upperBound)", expected: "a positive finite number")
        }
    }
}
