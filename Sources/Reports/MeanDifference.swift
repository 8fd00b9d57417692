/// The difference between the means of two samples with a Welch t confidence interval: how
/// far apart two models' results over seeds are, and whether that is more than the seeds'
/// noise.
///
/// Welch's interval does not assume the two samples have the same variance (a classical
/// LSTM's R^2 spreads far less over seeds than a QLSTM's), and with a handful of seeds its
/// t quantile is wide, as it should be.
public struct MeanDifference: Equatable, Sendable {
    /// mean(a) - mean(b).
    public var difference: Double
    /// The interval's bounds.
    public var lower: Double
    public var upper: Double
    /// Welch-Satterthwaite degrees of freedom (fractional); `nil` when both samples have no
    /// spread, so the interval is the difference itself.
    public var degreesOfFreedom: Double?
    public var confidence: Double

    /// The interval for `mean(a) - mean(b)`; `nil` when either sample has fewer than two values,
    /// since one run says nothing about the spread.
    /// - Parameter confidence: the interval's coverage, strictly between 0 and 1.
    public init?(_ a: [Double], _ b: [Double], confidence: Double = 0.95) {
        guard a.count >= 2, b.count >= 2, let sa = SampleStatistics(a), let sb = SampleStatistics(b),
            let deviationA = sa.standardDeviation, let deviationB = sb.standardDeviation
        else { return nil }
        let va = deviationA * deviationA / Double(a.count)
        let vb = deviationB * deviationB / Double(b.count)
        let standardError = (va + vb).squareRoot()
        difference = sa.mean - sb.mean
        self.confidence = confidence
        guard standardError > 0 else {
            degreesOfFreedom = nil
            lower = difference
            upper = difference
            return
        }
        let freedom = (va + vb) * (va + vb) / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
        degreesOfFreedom = freedom
        let half = StudentT.quantile(0.5 + confidence / 2, degreesOfFreedom: freedom) * standardError
        lower = difference - half
        upper = difference + half
    }

    /// Whether the interval holds 0: the samples do not tell the two means apart.
    public var isWithinNoise: Bool { lower <= 0 && upper >= 0 }
}
