import Foundation
import QLSTM
import Reports

extension ModelSelection {
    /// A run's figures on some validation windows, or a model's mean over seeds, as they rank.
    struct Score {
        /// The MSE, or a classifier's balanced accuracy.
        var headline: Double
        /// A classifier's cross-entropy in nats per window, which breaks ties of balanced
        /// accuracy (a few windows often tie); `nil` for a regressor.
        var crossEntropy: Double?

        init(headline: Double, crossEntropy: Double? = nil) {
            self.headline = headline
            self.crossEntropy = crossEntropy
        }

        /// A run's figures on `windows`.
        /// - Precondition: `windows` is nonempty, and a classifier's classes lie in its
        ///   probabilities' range (`RunScores.fits`).
        init(of run: RunScores, on windows: [Int]) {
            precondition(!windows.isEmpty, "no windows to score")
            guard let probabilities = run.probabilities else {
                headline =
                    windows.reduce(0) { $0 + pow(run.predictions[$1] - run.truths[$1], 2) } / Double(windows.count)
                return
            }
            let truths = windows.map { Int(run.truths[$0]) }
            let confusion = ConfusionMatrix(
                truth: truths,
                predicted: windows.map { Int(run.predictions[$0]) },
                classes: probabilities[windows[0]].count
            )
            // From the probabilities predictions.csv holds; one that underflowed to 0 counts as
            // the smallest Double, so the figure stays finite (JSON holds no infinity).
            let loss =
                zip(windows, truths).reduce(0) {
                    $0 - log(max(probabilities[$1.0][$1.1], .leastNonzeroMagnitude))
                } / Double(windows.count)
            headline = ClassificationMetrics(confusion: confusion, crossEntropy: loss).balancedAccuracy
            crossEntropy = loss
        }

        /// The mean of each figure over seeds.
        /// - Precondition: `scores` is nonempty.
        init(mean scores: [Score]) {
            headline = scores.reduce(0) { $0 + $1.headline } / Double(scores.count)
            let entropies = scores.compactMap(\.crossEntropy)
            crossEntropy = entropies.count == scores.count ? entropies.reduce(0, +) / Double(scores.count) : nil
        }

        /// Whether this ranks before `other`: the lower MSE; the higher balanced accuracy, then
        /// the lower cross-entropy.
        func ranks(before other: Score) -> Bool {
            guard let crossEntropy, let otherEntropy = other.crossEntropy else { return headline < other.headline }
            return headline > other.headline || (headline == other.headline && crossEntropy < otherEntropy)
        }
    }
}

extension ModelSelection.Candidate {
    /// A model's candidate from its runs' scores, in seed order.
    init(_ scores: [ModelSelection.Score], of model: String, runs: [String], bestRun: String) {
        let headlines = scores.map(\.headline)
        let statistics = SampleStatistics(headlines)
        self.model = model
        self.runs = runs
        self.bestRun = bestRun
        standardDeviation = statistics?.standardDeviation
        let entropies = scores.compactMap(\.crossEntropy)
        if entropies.isEmpty {
            validationMSE = headlines
            meanValidationMSE = statistics?.mean ?? .nan
        } else {
            validationBalancedAccuracy = headlines
            meanValidationBalancedAccuracy = statistics?.mean ?? .nan
            validationCrossEntropy = entropies
            meanValidationCrossEntropy = SampleStatistics(entropies)?.mean ?? .nan
        }
    }

    /// Each run's MSE or balanced accuracy, in seed order.
    var headlines: [Double] { validationMSE ?? validationBalancedAccuracy ?? [] }

    /// The model's mean figures, as they rank.
    var meanScore: ModelSelection.Score {
        .init(
            headline: meanValidationMSE ?? meanValidationBalancedAccuracy ?? .nan,
            crossEntropy: meanValidationCrossEntropy
        )
    }
}

extension ModelSelection.RunScores {
    /// Whether this run was validated on the windows of `other`, with as many predictions and,
    /// for a classifier, one probability per class and classes in their range.
    func fits(_ other: Self) -> Bool {
        guard truths == other.truths, predictions.count == truths.count else { return false }
        guard let probabilities else { return other.probabilities == nil }
        let classes = Double(probabilities.first?.count ?? 0)
        return probabilities.count == truths.count && probabilities.allSatisfy { Double($0.count) == classes }
            && (truths + predictions).allSatisfy { $0 >= 0 && $0 < classes && $0.rounded() == $0 }
    }
}
