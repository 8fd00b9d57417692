import Datasets
import QLSTM

/// `--objective` and `--classes`: whether a run predicts the target's value (regression) or the
/// class of its next move (classification), and the checks that keep the two apart.
///
/// A classification run's specification says so three ways that always agree: its data holds
/// the fitted `MoveClasses`, its model has K outputs (one logit per class, K = 2 included, so
/// one softmax head and one loss serve every K) and its loss is cross-entropy. All three are in
/// the run's fingerprint.
enum ObjectiveOptions {
    enum Objective: String, CaseIterable {
        case regression, classification
    }

    static let specs: [OptionSpec] = [
        .value(
            "objective",
            "O",
            "regression (predict the target's value) or classification (predict the class of its next move) (default regression)"
        ),
        .value(
            "classes",
            "K",
            "with --objective classification: 2 for the direction of the next move (up, or not up: a flat step is not up), or 3...50 classes split at quantiles of the training windows' moves (default 2)"
        ),
    ]

    /// The largest K: beyond it a class holds too few windows of any series this tool trains on.
    static let classRange = 2...50

    /// K for `--objective classification`, `nil` for regression.
    /// - Throws: `CommandLineError` for `--classes` outside 2...50, or given for regression.
    static func classes(from options: ParsedOptions) throws -> Int? {
        let objective = try options.choice("objective", as: Objective.self) ?? .regression
        guard let text = options.string("classes") else { return objective == .classification ? 2 : nil }
        guard objective == .classification else {
            throw CommandLineError.conflict(
                "--classes applies to --objective classification: add --objective classification, or drop --classes to predict the value"
            )
        }
        guard let count = Int(text) else {
            throw CommandLineError.invalidValue(
                option: "--classes",
                value: text,
                expected: "a number of classes, 2 or more"
            )
        }
        guard classRange.contains(count) else {
            throw CommandLineError.outOfRange(
                option: "--classes",
                value: text,
                range:
                    "2 (the direction of the next move: up or not) up to \(classRange.upperBound) (classes split at quantiles of the training moves)"
            )
        }
        return count
    }

    /// The loss: `--loss` (default mse) for regression, cross-entropy for classification.
    /// - Throws: `CommandLineError` for a regression loss with classification or the reverse.
    static func loss(from options: ParsedOptions) throws -> Loss {
        let classification = try classes(from: options) != nil
        let loss = try options.choice("loss", as: Loss.self)
        if classification, let loss, loss != .crossEntropy {
            throw CommandLineError.conflict(
                "--loss \(loss.rawValue) does not apply to --objective classification, which is trained on the softmax cross-entropy of its class logits: drop --loss"
            )
        }
        if !classification, loss == .crossEntropy {
            throw CommandLineError.conflict(
                "--loss cross-entropy scores class logits: add --objective classification, or use --loss mse or mae to predict the value"
            )
        }
        return classification ? .crossEntropy : loss ?? .mse
    }
}
