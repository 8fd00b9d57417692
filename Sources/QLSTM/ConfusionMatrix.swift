/// Counts of (true class, predicted class) pairs over a set of windows.
///
/// `counts[t][p]` is the number of windows of class `t` predicted as `p`: rows are the truth,
/// columns the prediction (scikit-learn's `confusion_matrix` layout).
public struct ConfusionMatrix: Sendable, Codable, Equatable {
    /// K.
    public let classes: Int
    /// `classes x classes`, truth-major.
    public let counts: [[Int]]

    /// Tallies `truth` against `predicted`.
    ///
    /// - Precondition: both are equally long and every value is in 0..<classes.
    public init(truth: [Int], predicted: [Int], classes: Int) {
        precondition(classes >= 1 && truth.count == predicted.count, "truth and predictions must be equally long")
        var counts = Array(repeating: Array(repeating: 0, count: classes), count: classes)
        for (t, p) in zip(truth, predicted) {
            precondition(
                (0..<classes).contains(t) && (0..<classes).contains(p),
                "class \(t) or \(p) outside 0..<\(classes)"
            )
            counts[t][p] += 1
        }
        self.classes = classes
        self.counts = counts
    }

    /// The number of windows tallied.
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// Windows correctly classified, the diagonal's sum.
    public var correct: Int { (0..<classes).reduce(0) { $0 + counts[$1][$1] } }

    /// Windows whose true class is `k` (row `k`'s sum).
    public func support(of k: Int) -> Int { counts[k].reduce(0, +) }

    /// Windows predicted as `k` (column `k`'s sum).
    public func predictions(of k: Int) -> Int { counts.reduce(0) { $0 + $1[k] } }
}

extension ConfusionMatrix {
    /// Decodes a matrix and refuses one that is not square with nonnegative counts.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let counts = try container.decode([[Int]].self)
        guard !counts.isEmpty, counts.allSatisfy({ $0.count == counts.count && $0.allSatisfy { $0 >= 0 } }) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a confusion matrix must be square with counts >= 0"
                )
            )
        }
        self.classes = counts.count
        self.counts = counts
    }

    /// Encodes the counts alone, as the nested array a reader expects (`[[int]]`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(counts)
    }
}
