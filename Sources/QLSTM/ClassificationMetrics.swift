/// How well class predictions match the truth: accuracy, balanced accuracy, macro F1, the
/// cross-entropy of the predicted probabilities and the confusion matrix.
///
/// The predicted class is the most probable one (the lowest index on a tie). Classes that a
/// set of windows never holds are left out of the averages the way scikit-learn leaves them
/// out, so that a test span without, say, a falling step is not scored as if the model had
/// missed every one of them:
/// - balanced accuracy is the mean recall over the classes present in the truth
///   (`balanced_accuracy_score`);
/// - macro F1 is the mean of F1_k = 2 TP_k / (2 TP_k + FP_k + FN_k) over the classes present
///   in the truth or the predictions (`f1_score(average="macro")`), so a class that is never
///   predicted counts with F1 = 0.
public struct ClassificationMetrics: Sendable, Equatable {
    /// Correct predictions over all windows.
    public let accuracy: Double
    /// The mean over present classes of recall_k = TP_k / support_k: 1 / K for a model that
    /// always predicts one class, whatever the class frequencies.
    public let balancedAccuracy: Double
    /// The unweighted mean of the per-class F1 scores.
    public let macroF1: Double
    /// (1/n) sum -log p(true class): the softmax cross-entropy, in nats.
    public let crossEntropy: Double
    public let confusion: ConfusionMatrix

    /// Scores logits (`n x classes`, row-major) against class labels.
    ///
    /// - Precondition: `labels` is nonempty, `logits.count == labels.count * classes`, every
    ///   label in 0..<classes.
    public init(logits: [Double], labels: [Int], classes: Int) {
        precondition(
            !labels.isEmpty && classes >= 1 && logits.count == labels.count * classes,
            "expected \(classes) logits for each of \(labels.count) labels, got \(logits.count)"
        )
        let rows = labels.indices.map { logits[$0 * classes..<($0 + 1) * classes] }
        let confusion = ConfusionMatrix(truth: labels, predicted: rows.map(Softmax.predictedClass), classes: classes)
        var loss = 0.0
        for (row, label) in zip(rows, labels) {
            loss += Softmax.logSumExp(row) - row[row.startIndex + label]
        }
        self.init(confusion: confusion, crossEntropy: loss / Double(labels.count))
    }

    /// The metrics of a confusion matrix, with the cross-entropy computed elsewhere.
    ///
    /// - Precondition: the matrix counts at least one window.
    public init(confusion: ConfusionMatrix, crossEntropy: Double) {
        precondition(confusion.total > 0, "no windows to score")
        var recalls: [Double] = []
        var f1Scores: [Double] = []
        for k in 0..<confusion.classes {
            let truePositives = confusion.counts[k][k]
            let support = confusion.support(of: k)
            let predicted = confusion.predictions(of: k)
            if support > 0 { recalls.append(Double(truePositives) / Double(support)) }
            // 2 TP + FP + FN = support + predicted: zero only for a class absent from both.
            if support + predicted > 0 { f1Scores.append(Double(2 * truePositives) / Double(support + predicted)) }
        }
        accuracy = Double(confusion.correct) / Double(confusion.total)
        balancedAccuracy = recalls.reduce(0, +) / Double(recalls.count)
        macroF1 = f1Scores.reduce(0, +) / Double(f1Scores.count)
        self.crossEntropy = crossEntropy
        self.confusion = confusion
    }
}
