import Reports
import Testing

/// A tick step is nice when it is 1, 2 or 5 times a power of ten.
private func isNiceStep(_ step: Double) -> Bool {
    let exponent = (step.magnitude).exponentOfTen
    let mantissa = step / AxisTicks.value(mantissa: 1, exponent: exponent)
    return [1.0, 2.0, 5.0].contains { abs(mantissa - $0) < 1e-9 }
}

extension Double {
    fileprivate var exponentOfTen: Int {
        var exponent = 0
        var value = self
        while value >= 10 {
            value /= 10
            exponent += 1
        }
        while value < 1 {
            value *= 10
            exponent -= 1
        }
        return exponent
    }
}

@Suite("Axis ticks")
struct AxisTicksTests {
    @Test(
        "Linear ticks are evenly spaced nice numbers that cover the range",
        arguments: [
            (0.0, 1.0), (0.0, 0.3), (-3.7, 12.2), (-0.004, -0.001), (1e-9, 7e-9), (2.5e-7, 2.6e-7),
            (990.0, 1010.0), (0.0, 1e7), (-1e6, 1e6), (1.0, 50.0), (0.9912, 0.9923), (-5.0, 5.0),
        ]
    )
    func linearCoversRange(lower: Double, upper: Double) {
        let ticks = AxisTicks.linear(lower: lower, upper: upper, approximateCount: 5)
        #expect(ticks.values.count >= 2)
        #expect(ticks.values.count <= 6)
        #expect(ticks.lower <= lower && ticks.upper >= upper)
        #expect(ticks.values.first == ticks.lower && ticks.values.last == ticks.upper)
        #expect(ticks.labels.count == ticks.values.count)
        let step = ticks.values[1] - ticks.values[0]
        #expect(isNiceStep(step), "step \(step)")
        for (a, b) in zip(ticks.values, ticks.values.dropFirst()) {
            #expect(abs((b - a) - step) <= step * 1e-9)
        }
        for (value, label) in zip(ticks.values, ticks.labels) {
            #expect(label.count <= 8, "label '\(label)' is not compact")
            #expect(abs(Double(label)! - value) <= step * 1e-9, "label '\(label)' does not match \(value)")
        }
    }

    @Test("Labels have no binary noise")
    func labelsAreExact() {
        #expect(
            AxisTicks.linear(lower: 0, upper: 1, approximateCount: 5).labels == ["0", "0.2", "0.4", "0.6", "0.8", "1"]
        )
        #expect(AxisTicks.linear(lower: 0, upper: 0.3, approximateCount: 3).labels == ["0", "0.1", "0.2", "0.3"])
        #expect(
            AxisTicks.linear(lower: 0.1, upper: 0.7, approximateCount: 6).labels == [
                "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7",
            ]
        )
        #expect(AxisTicks.linear(lower: 0, upper: 0.3, approximateCount: 3).values[3] == 0.3)
    }

    @Test("Negative ranges are labelled with signs and no negative zero")
    func negativeRange() {
        let ticks = AxisTicks.linear(lower: -1, upper: 0.5, approximateCount: 3)
        #expect(ticks.labels == ["-1", "-0.5", "0", "0.5"])
        #expect(
            AxisTicks.linear(lower: -0.004, upper: -0.001, approximateCount: 3).labels == [
                "-0.004", "-0.003", "-0.002", "-0.001",
            ]
        )
    }

    @Test("Tiny and huge steps use scientific labels")
    func scientificLabels() {
        let tiny = AxisTicks.linear(lower: 1e-9, upper: 4e-9, approximateCount: 3)
        #expect(tiny.labels == ["1e-9", "2e-9", "3e-9", "4e-9"])
        let huge = AxisTicks.linear(lower: 0, upper: 3e7, approximateCount: 3)
        #expect(huge.labels == ["0", "1e7", "2e7", "3e7"])
    }

    @Test("A zero-width range is widened around its value", arguments: [0.0, 5.0, -2.0, 1e-12])
    func zeroWidth(value: Double) {
        let ticks = AxisTicks.linear(lower: value, upper: value)
        #expect(ticks.lower < value && ticks.upper > value)
        #expect(ticks.values.count >= 2)
    }

    @Test("A request for one interval across a tick still terminates", arguments: [0, 1, 2])
    func tinyCount(count: Int) {
        let ticks = AxisTicks.linear(lower: -0.1, upper: 0.1, approximateCount: count)
        #expect(ticks.values.count >= 2 && ticks.values.count <= 3)
    }

    @Test("Extreme log ranges stay finite and positive")
    func logExtremes() {
        let ticks = AxisTicks.logarithmic(lower: Double.leastNonzeroMagnitude, upper: .greatestFiniteMagnitude)
        #expect(ticks.lower > 0 && ticks.upper.isFinite)
        #expect(ticks.values.allSatisfy { $0 > 0 && $0.isFinite })
    }

    @Test("Reversed and non-finite input still give an axis")
    func degenerateInput() {
        #expect(AxisTicks.linear(lower: 10, upper: 0).labels.first == "0")
        let fromNaN = AxisTicks.linear(lower: .nan, upper: .infinity)
        #expect(fromNaN.values.count >= 2)
        #expect(fromNaN.values.allSatisfy { $0.isFinite })
    }

    @Test("Log ticks sit on decades and cover the range")
    func logDecades() {
        let ticks = AxisTicks.logarithmic(lower: 0.0023, upper: 0.41)
        #expect(ticks.isLogarithmic)
        #expect(ticks.values == [0.001, 0.01, 0.1, 1])
        #expect(ticks.labels == ["0.001", "0.01", "0.1", "1"])
    }

    @Test("Exact powers of ten stay in their own decade")
    func logExactDecades() {
        let ticks = AxisTicks.logarithmic(lower: 0.001, upper: 1)
        #expect(ticks.lower == 0.001 && ticks.upper == 1)
        #expect(ticks.values.count == 4)
    }

    @Test("One decade gets 1-2-5 ticks")
    func logSingleDecade() {
        let ticks = AxisTicks.logarithmic(lower: 0.2, upper: 0.5)
        #expect(ticks.labels == ["0.1", "0.2", "0.5", "1"])
        let point = AxisTicks.logarithmic(lower: 3, upper: 3)
        #expect(point.lower <= 3 && point.upper >= 3)
    }

    @Test("Many decades are thinned and labelled in scientific form")
    func logManyDecades() {
        let ticks = AxisTicks.logarithmic(lower: 1e-12, upper: 1e3, maximumCount: 6)
        #expect(ticks.values.count <= 6)
        #expect(ticks.lower <= 1e-12 && ticks.upper >= 1e3)
        #expect(ticks.labels.contains("1e-10"))
        #expect(ticks.labels.allSatisfy { $0.count <= 6 })
    }

    @Test("A log axis without a positive range falls back to one decade")
    func logNonPositive() {
        let ticks = AxisTicks.logarithmic(lower: -1, upper: 0)
        #expect(ticks.values == [1, 2, 5, 10])
    }
}

@Suite("Number text")
struct NumberTextTests {
    @Test("Coordinates keep at most two decimals")
    func coordinates() {
        #expect(NumberText.coordinate(12.3456) == "12.35")
        #expect(NumberText.coordinate(300) == "300")
        #expect(NumberText.coordinate(-0.07) == "-0.07")
        #expect(NumberText.coordinate(-0.001) == "0")
        #expect(NumberText.coordinate(0.1 + 0.2) == "0.3")
    }

    @Test("Fixed decimals round and never print negative zero")
    func fixed() {
        #expect(
            NumberText.fixed(0.99115, decimals: 4) == "0.9912" || NumberText.fixed(0.99115, decimals: 4) == "0.9911"
        )
        #expect(NumberText.fixed(1, decimals: 3) == "1.000")
        #expect(NumberText.fixed(-0.00001, decimals: 4) == "0.0000")
        #expect(NumberText.fixed(-2.5, decimals: 1) == "-2.5")
        #expect(NumberText.fixed(12345.678, decimals: 0) == "12346")
        #expect(NumberText.fixed(.nan, decimals: 2) == "NaN")
    }

    @Test("Stepped ticks: every whole step, one beyond the data on each side")
    func stepped() {
        let ticks = AxisTicks.stepped(lower: 2.95, upper: 4.05, step: 1)
        #expect(ticks.values == [2, 3, 4, 5] && ticks.labels == ["2", "3", "4", "5"])
        #expect(AxisTicks.stepped(lower: 3, upper: 3, step: 1).values == [2, 3, 4])
    }
}
