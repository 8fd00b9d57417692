/// A forecast that needs no trained model: the floor a model has to clear before its figures
/// mean anything. On a trending series persistence alone reaches an R^2 near 1.
public enum Baseline: Sendable, Hashable {
    /// "Tomorrow = today": the target's value at the window's last row, whatever the horizon.
    case persistence
    /// The target's value whole periods before the forecast row: one period back when the
    /// horizon is at most the period, otherwise the fewest periods that reach an observed row.
    case seasonalNaive(period: Int)
    /// A least-squares linear map from a window's L x F model inputs and an intercept to the
    /// model's target, fitted on the training windows (`LinearAutoregression`).
    case linearAutoregression

    /// A name for files and keys: `persistence`, `seasonal-naive-12`, `linear-ar`.
    public var name: String {
        switch self {
        case .persistence: "persistence"
        case .seasonalNaive(let period): "seasonal-naive-\(period)"
        case .linearAutoregression: "linear-ar"
        }
    }

    /// A name for tables.
    public var title: String {
        switch self {
        case .persistence: "Persistence (tomorrow = today)"
        case .seasonalNaive(let period): "Seasonal naive (period \(period))"
        case .linearAutoregression: "Linear autoregression (least squares)"
        }
    }
}

/// A linear model of exactly what the networks read: y = w . inputs + c, fitted by least
/// squares on the training windows' model inputs (transformed, scaled, projected) and scaled
/// targets, and mapped back to the series' units like a network's output. Without a transform
/// it is an AR(L) on the levels (scaling is affine and there is an intercept, so the fit in
/// the series' own units is the same); with `difference` it is an AR(L) on the changes.
public struct LinearAutoregression: Sendable, Equatable {
    /// One weight per input of a window, oldest time step first, features within a step.
    public let weights: [Double]
    public let intercept: Double

    public init(weights: [Double], intercept: Double) {
        self.weights = weights
        self.intercept = intercept
    }

    /// Fits the model to `windows` by least squares (Householder QR; an input that is a linear
    /// combination of others gets weight 0).
    ///
    /// - Precondition: at least one window.
    public static func fit(_ windows: [WindowedDataset.Window]) -> LinearAutoregression {
        precondition(!windows.isEmpty, "at least one window")
        // The intercept's column comes first, so that an input it already explains (a constant
        // column) is the one left out.
        let rows = windows.map { window -> [Double] in [1] + window.inputs.flatMap { $0 } }
        let solution = LeastSquares.solve(rows: rows, targets: windows.map(\.target))
        return LinearAutoregression(weights: Array(solution.dropFirst()), intercept: solution[0])
    }

    /// Parameters: the weights and the intercept.
    public var parameterCount: Int { weights.count + 1 }

    /// The scaled forecast for one window.
    public func predict(_ window: WindowedDataset.Window) -> Double {
        var sum = intercept
        for (weight, input) in zip(weights, window.inputs.joined()) { sum += weight * input }
        return sum
    }
}

extension WindowedDataset {
    /// The baseline's forecasts for `windows` of this dataset, in the series' units.
    ///
    /// - Parameter series: the series this dataset was cut from (its original target values).
    /// - Throws: `DatasetError.invalidParameter` for a seasonal period of less than 1, or one
    ///   that reaches before the series' first row for one of `windows`.
    public func forecasts(
        _ baseline: Baseline,
        for windows: [Window],
        series: TimeSeries
    ) throws(DatasetError) -> [Double] {
        let horizon = configuration.horizon
        switch baseline {
        case .persistence:
            return windows.map { series.target[$0.row - horizon] }
        case .seasonalNaive(let period):
            guard period >= 1 else {
                throw .invalidParameter(name: "season", value: "\(period)", expected: "a period of at least 1 row")
            }
            // Whole periods back, enough of them that the row is at or before the window's last.
            let back = period * ((horizon + period - 1) / period)
            if let first = windows.first(where: { $0.row - back < 0 }) {
                throw .invalidParameter(
                    name: "season",
                    value: "\(period)",
                    expected:
                        "a period that reaches an observed row: the forecast of row \(first.row) would need row \(first.row - back); use a shorter period"
                )
            }
            return windows.map { series.target[$0.row - back] }
        case .linearAutoregression:
            let model = LinearAutoregression.fit(train)
            return originalUnits(windows.map(model.predict), of: windows)
        }
    }
}
