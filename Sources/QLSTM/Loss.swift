/// A training loss over a batch of scalar predictions, averaged over the batch.
public enum Loss: String, Sendable, Codable, CaseIterable {
    /// Mean squared error, (1/B) sum (p - y)^2: the paper's loss.
    case mse
    /// Mean absolute error, (1/B) sum |p - y|.
    case mae

    /// The loss of `predictions` against `targets`, summed in index order.
    ///
    /// - Precondition: Both have the same, nonzero count.
    public func value(predictions: [Double], targets: [Double]) -> Double {
        precondition(
            !targets.isEmpty && predictions.count == targets.count,
            "predictions and targets must be equally long and nonempty"
        )
        var sum = 0.0
        for (p, y) in zip(predictions, targets) {
            switch self {
            case .mse: sum += (p - y) * (p - y)
            case .mae: sum += abs(p - y)
            }
        }
        return sum / Double(targets.count)
    }

    /// dLoss/dprediction for each prediction.
    ///
    /// MAE's derivative at p = y is taken as 0 (the subgradient PyTorch uses), so a perfect
    /// prediction is left alone.
    public func gradient(predictions: [Double], targets: [Double]) -> [Double] {
        precondition(
            !targets.isEmpty && predictions.count == targets.count,
            "predictions and targets must be equally long and nonempty"
        )
        let n = Double(targets.count)
        return zip(predictions, targets).map { p, y in
            switch self {
            case .mse: 2 * (p - y) / n
            case .mae: p > y ? 1 / n : (p < y ? -1 / n : 0)
            }
        }
    }
}
