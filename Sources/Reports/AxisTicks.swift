#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The tick values and labels of one chart axis, and the range the axis spans.
///
/// Ticks sit on "nice" numbers (1, 2 or 5 times a power of ten; whole decades on a log
/// axis) so a reader can interpolate by eye, and the axis range is widened to the outer
/// ticks so no data point sits beyond the last label.
public struct AxisTicks: Equatable, Sendable {
    /// The low end of the axis, at or below the smallest value asked for.
    public var lower: Double
    /// The high end of the axis, at or above the largest value asked for.
    public var upper: Double
    /// The tick positions, ascending, all within `lower...upper`.
    public var values: [Double]
    /// One label per tick, written exactly ("0.3", "1e-6"), never with binary noise.
    public var labels: [String]
    /// Whether positions on this axis are proportional to the logarithm of the value.
    public var isLogarithmic: Bool

    /// Creates ticks from already chosen values; `linear` and `logarithmic` choose them for you.
    public init(lower: Double, upper: Double, values: [Double], labels: [String], isLogarithmic: Bool = false) {
        self.lower = lower
        self.upper = upper
        self.values = values
        self.labels = labels
        self.isLogarithmic = isLogarithmic
    }

    /// Ticks at a 1-2-5 step for a linear axis covering `lower...upper`.
    ///
    /// A zero-width range is widened around its value (to `-1...1` around zero) and a
    /// reversed range is swapped, so every input gives a usable axis.
    /// - Parameters:
    ///   - lower: The smallest value to show.
    ///   - upper: The largest value to show.
    ///   - approximateCount: About how many intervals to aim for; the result has at most this many
    ///     (at least 2, since a range across a tick may need two intervals whatever the step).
    /// - Returns: Ticks whose first and last values are the axis ends.
    public static func linear(lower: Double, upper: Double, approximateCount: Int = 5) -> AxisTicks {
        var low = lower.isFinite ? lower : 0
        var high = upper.isFinite ? upper : low
        if low > high { swap(&low, &high) }
        if high - low <= abs(high) * 1e-12 || high == low {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad
            high += pad
        }
        // Spans too wide for Double arithmetic fall back to the extreme finite range.
        guard (high - low).isFinite else {
            return AxisTicks(lower: low, upper: high, values: [low, high], labels: [String(low), String(high)])
        }
        let count = max(2, approximateCount)
        var (mantissa, exponent) = niceStep(for: (high - low) / Double(count))
        var first = 0
        var last = 0
        while true {
            let step = value(mantissa: 1, exponent: exponent) * Double(mantissa)
            first = Int((low / step).rounded(.down))
            last = Int((high / step).rounded(.up))
            // Rounding outwards can add an interval; step up once more if that overshoots.
            if last - first <= count { break }
            (mantissa, exponent) = nextStep(after: mantissa, exponent: exponent)
        }
        let useScientific = exponent <= -5 || exponent >= 6
        var values: [Double] = []
        var labels: [String] = []
        for index in first...last {
            let integer = Int64(index) * Int64(mantissa)
            values.append(value(mantissa: integer, exponent: exponent))
            labels.append(
                useScientific
                    ? NumberText.scientific(mantissa: integer, exponent: exponent)
                    : NumberText.decimal(mantissa: integer, exponent: exponent)
            )
        }
        return AxisTicks(lower: values.first!, upper: values.last!, values: values, labels: labels)
    }

    /// Ticks at every whole multiple of `step` from one below `lower` to one above `upper`, for
    /// axes whose values are counts (qubits per QPU) and whose points must not sit on the frame.
    /// More than 50 ticks fall back to `linear(lower:upper:)`.
    public static func stepped(lower: Double, upper: Double, step: Double) -> AxisTicks {
        guard step > 0, lower.isFinite, upper.isFinite, lower <= upper,
            (upper - lower) / step <= 48
        else { return linear(lower: lower, upper: upper) }
        let first = Int((lower / step).rounded(.up)) - 1
        let last = Int((upper / step).rounded(.down)) + 1
        let values = (first...last).map { Double($0) * step }
        return AxisTicks(
            lower: values[0],
            upper: values[values.count - 1],
            values: values,
            labels: values.map(NumberText.coordinate)
        )
    }

    /// Ticks at powers of ten for a logarithmic axis covering `lower...upper`.
    ///
    /// The axis spans whole decades. Within a single decade the 2 and 5 multiples are
    /// labelled too; across many decades every second or fifth decade is, so labels never crowd.
    /// - Parameters:
    ///   - lower: The smallest value to show; must be positive (non-positive values cannot be drawn on a log axis).
    ///   - upper: The largest value to show.
    ///   - maximumCount: The most labelled ticks to aim for.
    /// - Returns: Ticks whose first and last values are the axis ends; `1...10` when no positive range is given.
    public static func logarithmic(lower: Double, upper: Double, maximumCount: Int = 8) -> AxisTicks {
        var low = lower
        var high = upper
        if low > high { swap(&low, &high) }
        guard low > 0, low.isFinite else { return logarithmic(lower: 1, upper: 10, maximumCount: maximumCount) }
        if !high.isFinite { high = low }
        // Keep decade ends representable: 10^-320 would round to zero and 10^309 to infinity.
        low = max(low, 1e-300)
        high = min(max(high, low), 1e300)
        var firstDecade = Int(log10(low).rounded(.down))
        var lastDecade = Int(log10(high).rounded(.up))
        // log10 of an exact power of ten can land a hair off; snap so 1e-3 stays in its own decade.
        if value(mantissa: 1, exponent: firstDecade + 1) <= low { firstDecade += 1 }
        if value(mantissa: 1, exponent: lastDecade - 1) >= high { lastDecade -= 1 }
        if lastDecade <= firstDecade { lastDecade = firstDecade + 1 }
        let decades = lastDecade - firstDecade
        let budget = max(2, maximumCount)
        var values: [Double] = []
        var labels: [String] = []
        func add(_ mantissa: Int64, _ exponent: Int) {
            values.append(value(mantissa: mantissa, exponent: exponent))
            labels.append(logLabel(mantissa: mantissa, exponent: exponent))
        }
        if decades == 1 {
            add(1, firstDecade)
            add(2, firstDecade)
            add(5, firstDecade)
            add(1, lastDecade)
        } else {
            let stride = [1, 2, 5, 10, 20, 50, 100].first { decades / $0 + 1 <= budget } ?? decades
            // Keep the outer decades on the stride so both axis ends carry a label.
            let first = Int((Double(firstDecade) / Double(stride)).rounded(.down)) * stride
            let last = Int((Double(lastDecade) / Double(stride)).rounded(.up)) * stride
            firstDecade = first
            lastDecade = last
            for decade in Swift.stride(from: first, through: last, by: stride) {
                add(1, decade)
            }
        }
        return AxisTicks(
            lower: value(mantissa: 1, exponent: firstDecade),
            upper: value(mantissa: 1, exponent: lastDecade),
            values: values,
            labels: labels,
            isLogarithmic: true
        )
    }

    /// The smallest 1-2-5 step at least as large as `rawStep`, as mantissa and power of ten.
    static func niceStep(for rawStep: Double) -> (mantissa: Int, exponent: Int) {
        guard rawStep > 0, rawStep.isFinite else { return (1, 0) }
        let exponent = Int(log10(rawStep).rounded(.down))
        let fraction = rawStep / value(mantissa: 1, exponent: exponent)
        if fraction <= 1 + 1e-9 { return (1, exponent) }
        if fraction <= 2 + 1e-9 { return (2, exponent) }
        if fraction <= 5 + 1e-9 { return (5, exponent) }
        return (1, exponent + 1)
    }

    /// The next 1-2-5 step up: 1 → 2 → 5 → 10.
    static func nextStep(after mantissa: Int, exponent: Int) -> (mantissa: Int, exponent: Int) {
        switch mantissa {
        case 1: (2, exponent)
        case 2: (5, exponent)
        default: (1, exponent + 1)
        }
    }

    /// `mantissa × 10^exponent` rounded once, so 3 × 10^-1 is the Double nearest 0.3.
    public static func value(mantissa: Int64, exponent: Int) -> Double {
        // Powers of ten up to 10^22 are exact doubles, so a single multiply or divide rounds once.
        if exponent >= 0 {
            return Double(mantissa) * exactPowerOfTen(exponent)
        }
        return Double(mantissa) / exactPowerOfTen(-exponent)
    }

    private static func exactPowerOfTen(_ exponent: Int) -> Double {
        if exponent <= 22 {
            var result = 1.0
            for _ in 0..<exponent { result *= 10 }
            return result
        }
        return pow(10, Double(exponent))
    }

    /// Decade labels in plain form near 1 ("0.001", "100") and scientific beyond ("1e-5").
    private static func logLabel(mantissa: Int64, exponent: Int) -> String {
        (-3...4).contains(exponent)
            ? NumberText.decimal(mantissa: mantissa, exponent: exponent)
            : NumberText.scientific(mantissa: mantissa, exponent: exponent)
    }
}
