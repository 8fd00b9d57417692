/// A training loss over a batch, averaged over the batch.
///
/// A batch's predictions are one row per target: one value for `mse` and `mae`; for
/// `crossEntropy`, K logits (row-major, `batch x K`) whose targets are class indices 0..<K held
/// as `Double`, so that regression and classification share the trainer, its batches and the
/// model files.
public enum Loss: String, Sendable, Codable, CaseIterable {
    /// Mean squared error, (1/B) sum (p - y)^2: the paper's loss.
    case mse
    /// Mean absolute error, (1/B) sum |p - y|.
    case mae
    /// Softmax cross-entropy, (1/B) sum_b (log sum_k exp z_bk - z_b,y_b): the loss of
    /// classification, on the K logits z_b of each window.
    case crossEntropy = "cross-entropy"

    /// Whether the loss scores class logits against class indices.
    public var isClassification: Bool { self == .crossEntropy }

    /// The loss of `predictions` against `targets`, summed in index order.
    ///
    /// - Precondition: `targets` is nonempty; `predictions` has one value per target (`mse`,
    ///   `mae`) or a positive multiple K of their count (`crossEntropy`, each target an integer
    ///   in 0..<K).
    public func value(predictions: [Double], targets: [Double]) -> Double {
        let width = Self.rowWidth(predictions: predictions, targets: targets, classification: isClassification)
        var sum = 0.0
        for (b, y) in targets.enumerated() {
            switch self {
            case .mse:
                let p = predictions[b]
                sum += (p - y) * (p - y)
            case .mae:
                sum += abs(predictions[b] - y)
            case .crossEntropy:
                let row = predictions[b * width..<(b + 1) * width]
                sum += Softmax.logSumExp(row) - row[row.startIndex + Self.classIndex(y, classes: width)]
            }
        }
        return sum / Double(targets.count)
    }

    /// dLoss/dprediction for each prediction, laid out as `predictions`.
    ///
    /// MAE's derivative at p = y is taken as 0 (the subgradient PyTorch uses), so a perfect
    /// prediction is left alone. Cross-entropy's is (softmax(z_b) - onehot(y_b)) / B.
    public func gradient(predictions: [Double], targets: [Double]) -> [Double] {
        let width = Self.rowWidth(predictions: predictions, targets: targets, classification: isClassification)
        let n = Double(targets.count)
        switch self {
        case .mse:
            return zip(predictions, targets).map { p, y in 2 * (p - y) / n }
        case .mae:
            return zip(predictions, targets).map { p, y in p > y ? 1 / n : (p < y ? -1 / n : 0) }
        case .crossEntropy:
            var gradient: [Double] = []
            gradient.reserveCapacity(predictions.count)
            for (b, y) in targets.enumerated() {
                let probabilities = Softmax.probabilities(predictions[b * width..<(b + 1) * width])
                let label = Self.classIndex(y, classes: width)
                for (k, p) in probabilities.enumerated() {
                    gradient.append((p - (k == label ? 1 : 0)) / n)
                }
            }
            return gradient
        }
    }

    /// The number of predictions per target, after checking the counts.
    private static func rowWidth(predictions: [Double], targets: [Double], classification: Bool) -> Int {
        precondition(!targets.isEmpty, "targets must be nonempty")
        let width = predictions.count / targets.count
        precondition(
            width * targets.count == predictions.count && (classification ? width >= 1 : width == 1),
            "expected \(classification ? "K logits" : "one prediction") per target, got \(predictions.count) for \(targets.count) targets"
        )
        return width
    }

    /// A class target as an index, refusing anything but an integer in 0..<classes.
    private static func classIndex(_ target: Double, classes: Int) -> Int {
        precondition(
            target >= 0 && target < Double(classes) && target.rounded() == target,
            "class target \(target) is not an index in 0..<\(classes)"
        )
        return Int(target)
    }
}
