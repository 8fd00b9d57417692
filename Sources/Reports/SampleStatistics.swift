#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The mean and spread of one metric over several seeds, written as `0.9912 ± 0.0011`.
///
/// Results over seeds are reported with their spread so a difference between models can be
/// judged against the noise; a single run shows only its value, since it has no spread.
public struct SampleStatistics: Equatable, Sendable {
    /// The arithmetic mean.
    public var mean: Double
    /// The sample standard deviation (n − 1 in the denominator); nil when unknown or for one sample.
    public var standardDeviation: Double?
    /// How many samples the figures summarise.
    public var count: Int

    public init(mean: Double, standardDeviation: Double?, count: Int) {
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.count = count
    }

    /// Summarises `samples`; nil when there are none.
    public init?(_ samples: [Double]) {
        guard !samples.isEmpty else { return nil }
        let mean = samples.reduce(0, +) / Double(samples.count)
        var deviation: Double?
        if samples.count > 1 {
            let squares = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            deviation = sqrt(squares / Double(samples.count - 1))
        }
        self.init(mean: mean, standardDeviation: deviation, count: samples.count)
    }

    /// `mean ± std` with `decimals` digits after the point, or the mean alone without a spread.
    public func formatted(decimals: Int = 4) -> String {
        Self.format(mean: mean, standardDeviation: count > 1 ? standardDeviation : nil, decimals: decimals)
    }

    /// `mean ± std` with `decimals` digits after the point ("0.9912 ± 0.0011"), or the mean
    /// alone when `standardDeviation` is nil.
    public static func format(mean: Double, standardDeviation: Double?, decimals: Int = 4) -> String {
        let text = NumberText.fixed(mean, decimals: decimals)
        guard let standardDeviation else { return text }
        return text + " ± " + NumberText.fixed(standardDeviation, decimals: decimals)
    }
}
