/// Short, locale-free text for numbers, so files stay small and read the same everywhere.
public enum NumberText {
    /// A count with its noun, singular for one ("1 seed", "3 seeds", "0 runs").
    /// - Parameter plural: the plural when it is not `singular` + "s".
    public static func count(_ value: Int, _ singular: String, plural: String? = nil) -> String {
        "\(value) " + (value == 1 ? singular : plural ?? singular + "s")
    }

    /// A coordinate rounded to two decimals with trailing zeros dropped ("12.5", "300", "-0.07").
    ///
    /// Two decimals are a hundredth of a pixel: finer than any screen, far shorter than `description`.
    public static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let hundredths = (value * 100).rounded()
        guard abs(hundredths) < 1e15 else { return String(value) }
        return decimal(mantissa: Int64(hundredths), exponent: -2)
    }

    /// `value` with exactly `decimals` digits after the point ("0.9912"); never "-0.0000".
    public static func fixed(_ value: Double, decimals: Int) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let places = max(0, min(decimals, 15))
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return String(value) }
        let digits = Int64(scaled)
        var text = decimal(mantissa: digits, exponent: -places, keepingTrailingZeros: true)
        if value < 0 && digits != 0 { text = "-" + text }
        return text
    }

    /// The exact decimal `mantissa × 10^exponent` written without floating-point noise.
    ///
    /// Tick values come from integers and powers of ten, so they are printed from those
    /// integers: `3 × 10^-1` is "0.3", never "0.30000000000000004".
    public static func decimal(mantissa: Int64, exponent: Int, keepingTrailingZeros: Bool = false) -> String {
        let negative = mantissa < 0
        var digits = String(mantissa.magnitude)
        var exponent = exponent
        if !keepingTrailingZeros {
            while exponent < 0, digits.count > 1, digits.hasSuffix("0") {
                digits.removeLast()
                exponent += 1
            }
            if digits == "0" { return "0" }
        }
        var text: String
        if exponent >= 0 {
            text = digits + String(repeating: "0", count: exponent)
        } else {
            let places = -exponent
            if digits.count <= places {
                digits = String(repeating: "0", count: places - digits.count + 1) + digits
            }
            let point = digits.index(digits.endIndex, offsetBy: -places)
            text = digits[..<point] + "." + digits[point...]
        }
        return negative ? "-" + text : text
    }

    /// `mantissa × 10^exponent` in compact scientific form ("2.5e-7", "1e6").
    public static func scientific(mantissa: Int64, exponent: Int) -> String {
        guard mantissa != 0 else { return "0" }
        var digits = String(mantissa.magnitude)
        var exponent = exponent
        while digits.count > 1, digits.hasSuffix("0") {
            digits.removeLast()
            exponent += 1
        }
        let leading = exponent + digits.count - 1
        var text = String(digits.first!)
        if digits.count > 1 { text += "." + digits.dropFirst() }
        text += "e\(leading)"
        return mantissa < 0 ? "-" + text : text
    }
}
