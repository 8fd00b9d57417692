/// How well predictions match targets: mean squared error, mean absolute error and R^2.
public struct RegressionMetrics: Sendable, Codable, Equatable {
    /// (1/n) sum (p - y)^2.
    public let mse: Double
    /// (1/n) sum |p - y|.
    public let mae: Double
    /// 1 - SS_res / SS_tot with SS_res = sum (y - p)^2 and SS_tot = sum (y - mean y)^2.
    ///
    /// For constant targets (SS_tot = 0) the ratio is undefined: R^2 is 1 when the predictions
    /// are exact (SS_res = 0) and 0 otherwise, so the metric stays finite and never rewards a
    /// wrong fit. (scikit-learn makes the same choice.)
    public let r2: Double

    /// Computes the metrics; every sum runs in index order.
    ///
    /// - Precondition: Both have the same, nonzero count.
    public init(predictions: [Double], targets: [Double]) {
        precondition(
            !targets.isEmpty && predictions.count == targets.count,
            "predictions and targets must be equally long and nonempty"
        )
        let n = Double(targets.count)
        var mean = 0.0
        for y in targets { mean += y }
        mean /= n
        var squared = 0.0
        var absolute = 0.0
        var total = 0.0
        for (p, y) in zip(predictions, targets) {
            squared += (y - p) * (y - p)
            absolute += abs(y - p)
            total += (y - mean) * (y - mean)
        }
        mse = squared / n
        mae = absolute / n
        r2 = total > 0 ? 1 - squared / total : (squared == 0 ? 1 : 0)
    }
}
