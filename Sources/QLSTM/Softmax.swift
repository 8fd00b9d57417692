import Foundation

/// The softmax of a row of logits and its log-normaliser, computed from z - max z so that no
/// exponential overflows whatever the logits' size.
public enum Softmax {
    /// log sum_k exp z_k, summed in index order.
    ///
    /// - Precondition: `logits` is nonempty.
    public static func logSumExp(_ logits: ArraySlice<Double>) -> Double {
        precondition(!logits.isEmpty, "softmax of no logits")
        let largest = logits.max()!
        guard largest.isFinite else { return largest }
        var sum = 0.0
        for z in logits { sum += exp(z - largest) }
        return largest + log(sum)
    }

    /// exp z_k / sum_j exp z_j for every k.
    ///
    /// - Precondition: `logits` is nonempty.
    public static func probabilities(_ logits: ArraySlice<Double>) -> [Double] {
        let normaliser = logSumExp(logits)
        return logits.map { exp($0 - normaliser) }
    }

    /// The index of the largest logit (the lowest such index on a tie): the predicted class.
    ///
    /// - Precondition: `logits` is nonempty.
    public static func predictedClass(_ logits: ArraySlice<Double>) -> Int {
        precondition(!logits.isEmpty, "no logits to choose from")
        var best = logits.startIndex
        for k in logits.indices where logits[k] > logits[best] { best = k }
        return best - logits.startIndex
    }
}
