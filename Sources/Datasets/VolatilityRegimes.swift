/// Volatility regimes of a series (seed 000's "by regime"): the rolling standard deviation of
/// its one-step changes, cut into `K` regimes at quantiles fitted on the training rows only.
///
/// A window belongs to the regime of the rolling volatility at its last input row, which is
/// known when the forecast is made, so a forecaster can follow the regime without looking
/// ahead.
public struct VolatilityRegimes: Sendable, Codable, Equatable {
    /// Rows of one-step changes in each rolling standard deviation.
    public let window: Int
    /// `K - 1` increasing cut points: regime `i` holds volatilities in
    /// `[thresholds[i - 1], thresholds[i])`, the first from 0, the last to infinity.
    public let thresholds: [Double]

    public var count: Int { thresholds.count + 1 }

    /// Fits `regimes` regimes on rows `fittedRows` of `values`.
    /// - Throws: `DatasetError.invalidParameter` for fewer than 2 or more than 10 regimes, a
    ///   window under 2, or too few fitted rows to estimate the quantiles.
    public init(fitting values: [Double], rows fittedRows: Range<Int>, regimes: Int, window: Int) throws(DatasetError) {
        guard regimes >= 2, regimes <= 10 else {
            throw .invalidParameter(name: "regimes", value: "\(regimes)", expected: "2 to 10")
        }
        guard window >= 2 else {
            throw .invalidParameter(name: "volatility window", value: "\(window)", expected: "at least 2 rows")
        }
        let volatility = Self.rollingVolatility(values, window: window)
        let fitted = volatility[fittedRows.clamped(to: volatility.indices)].compactMap { $0 }.sorted()
        guard fitted.count >= regimes * 2 else {
            throw .invalidParameter(
                name: "volatility window",
                value: "\(window)",
                expected:
                    "a window that leaves at least \(regimes * 2) training rows with a volatility (\(fitted.count) have one): shorten it or use fewer regimes"
            )
        }
        self.window = window
        thresholds = (1..<regimes).map { Self.quantile(fitted, Double($0) / Double(regimes)) }
    }

    public init(window: Int, thresholds: [Double]) {
        self.window = window
        self.thresholds = thresholds
    }

    /// The regime of a volatility.
    public func regime(ofVolatility volatility: Double) -> Int {
        thresholds.firstIndex { volatility < $0 } ?? thresholds.count
    }

    /// The regime at each row of `values` (`nil` before the first full window).
    public func regimes(of values: [Double]) -> [Int?] {
        Self.rollingVolatility(values, window: window).map { $0.map(regime(ofVolatility:)) }
    }

    /// A name for regime `index`: "calm" and "volatile" for two, otherwise by quantile.
    public func name(of index: Int) -> String {
        if count == 2 { return index == 0 ? "calm" : "volatile" }
        return "volatility quantile \(index + 1) of \(count)"
    }

    /// At each row, the standard deviation (n - 1) of the `window` one-step changes ending at
    /// that row; `nil` for the first `window` rows.
    public static func rollingVolatility(_ values: [Double], window: Int) -> [Double?] {
        guard values.count > window else { return Array(repeating: nil, count: values.count) }
        let changes = zip(values.dropFirst(), values).map { $0 - $1 }
        return values.indices.map { row -> Double? in
            guard row >= window else { return nil }
            // Changes into rows row - window + 1 ... row.
            let slice = changes[(row - window)..<row]
            let mean = slice.reduce(0, +) / Double(window)
            let variance = slice.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(window - 1)
            return variance.squareRoot()
        }
    }

    /// The `p` quantile of sorted `values`, linearly interpolated (numpy's default).
    public static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let position = p * Double(sorted.count - 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        return sorted[below] + (sorted[above] - sorted[below]) * (position - Double(below))
    }
}
