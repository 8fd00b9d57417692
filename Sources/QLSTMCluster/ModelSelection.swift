import Datasets
import Foundation
import Reports

/// Seed 000's tool selector: which model of a comparison to use, overall and per volatility
/// regime, chosen on the validation windows only (the test windows stay untouched for the
/// final figures), with the evidence written beside the choice.
///
/// Regressors are scored by their validation MSE in original units, classifiers by their
/// validation balanced accuracy (ties: the lower cross-entropy), averaged over seeds; each
/// model's best-scoring run is the one a forecaster uses.
public struct ModelSelection: Codable, Sendable, Equatable {
    /// One model of the comparison and its validation scores: MSE for regressors, balanced
    /// accuracy and cross-entropy for classifiers (the other figures absent).
    public struct Candidate: Codable, Sendable, Equatable {
        public var model: String
        /// Run directories, relative to the comparison folder, in seed order.
        public var runs: [String]
        /// Validation MSE of each run, in the same order.
        public var validationMSE: [Double]?
        public var meanValidationMSE: Double?
        /// Validation balanced accuracy of each run, in the same order.
        public var validationBalancedAccuracy: [Double]?
        public var meanValidationBalancedAccuracy: Double?
        /// Validation cross-entropy (nats per window) of each run, in the same order.
        public var validationCrossEntropy: [Double]?
        public var meanValidationCrossEntropy: Double?
        /// Of the MSE, or of the balanced accuracy.
        public var standardDeviation: Double?
        /// The best-scoring run.
        public var bestRun: String
    }

    /// The winner's margin over the runner-up: their difference of mean validation MSE (or
    /// balanced accuracy) with a Welch 95 % interval over seeds (`nil` with one seed each).
    public struct Margin: Codable, Sendable, Equatable {
        public var runnerUp: String
        public var difference: Double
        public var lower: Double?
        public var upper: Double?
        /// The interval contains 0: the data cannot tell the two apart.
        public var withinNoise: Bool?
    }

    /// The choice for one volatility regime.
    public struct RegimeChoice: Codable, Sendable, Equatable {
        public var regime: Int
        public var name: String
        /// Volatilities in [from, to); `to` is `nil` for the top regime.
        public var volatilityFrom: Double
        public var volatilityTo: Double?
        public var validationWindows: Int
        public var model: String
        public var run: String
        /// Each model's mean validation figures on this regime's windows (a model without
        /// windows there is absent): MSE for regressors, balanced accuracy and cross-entropy
        /// for classifiers.
        public var meanValidationMSE: [String: Double]?
        public var meanValidationBalancedAccuracy: [String: Double]?
        public var meanValidationCrossEntropy: [String: Double]?
        /// Why this model: the best mean, or the overall choice for a regime with no window.
        public var reason: String
    }

    public var format = "qlstm-selection"
    public var metric = Self.regressionMetric
    /// The comparison folder (absolute) whose `runs/` the choices name.
    public var comparison: String
    /// The target column or benchmark the comparison forecasts.
    public var target: String
    public var regimes: VolatilityRegimes
    public var candidates: [Candidate]
    public var overall: String
    public var overallRun: String
    public var margin: Margin?
    public var byRegime: [RegimeChoice]

    static let regressionMetric = "validation MSE in original units, mean over seeds"
    static let classificationMetric =
        "validation balanced accuracy, mean over seeds (ties: the lower mean validation cross-entropy)"

    /// Whether the candidates are classifiers, scored by balanced accuracy (from their figures,
    /// which the choice was made on, rather than from the wording of `metric`).
    public var isClassification: Bool { candidates.contains { $0.meanValidationBalancedAccuracy != nil } }

    /// What a selection needs from one run: its model label, seed, and its validation
    /// predictions in window order.
    public struct RunScores: Sendable {
        public var directory: String
        public var model: String
        public var seed: UInt64
        /// The true values, or a classifier's true classes.
        public var truths: [Double]
        /// The predicted values, or a classifier's predicted classes.
        public var predictions: [Double]
        /// A classifier's probability of each class per window; `nil` for a regressor.
        public var probabilities: [[Double]]?

        public init(
            directory: String,
            model: String,
            seed: UInt64,
            truths: [Double],
            predictions: [Double],
            probabilities: [[Double]]? = nil
        ) {
            self.directory = directory
            self.model = model
            self.seed = seed
            self.truths = truths
            self.predictions = predictions
            self.probabilities = probabilities
        }
    }

    /// Chooses among `runs`, whose validation windows fall in `windowRegimes` (one per window).
    /// - Throws: `SelectionError` when the runs have no validation windows, disagree on them,
    ///   or mix classifiers and regressors.
    public init(
        comparison: String,
        target: String,
        runs: [RunScores],
        regimes: VolatilityRegimes,
        windowRegimes: [Int]
    ) throws {
        guard let first = runs.first else { throw SelectionError.noRuns }
        guard !first.truths.isEmpty else { throw SelectionError.noValidationWindows(run: first.directory) }
        for run in runs where (run.probabilities == nil) != (first.probabilities == nil) {
            let (classifier, regressor) = run.probabilities == nil ? (first, run) : (run, first)
            throw SelectionError.mixedObjectives(classifier: classifier.directory, regressor: regressor.directory)
        }
        for run in runs where !run.fits(first) {
            throw SelectionError.differentWindows(run: run.directory, other: first.directory)
        }
        guard windowRegimes.count == first.truths.count else {
            throw SelectionError.differentWindows(run: "the series' regimes", other: first.directory)
        }
        let allWindows = Array(first.truths.indices)
        let models = runs.map(\.model).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let byModel = Dictionary(grouping: runs, by: \.model).mapValues { $0.sorted { $0.seed < $1.seed } }
        let isClassification = first.probabilities != nil
        candidates = models.map { model in
            let runs = byModel[model] ?? []
            let scores = runs.map { Score(of: $0, on: allWindows) }
            let best = zip(runs, scores).min { $0.1.ranks(before: $1.1) }?.0.directory ?? runs[0].directory
            return Candidate(scores, of: model, runs: runs.map(\.directory), bestRun: best)
        }
        let ranked = candidates.sorted { $0.meanScore.ranks(before: $1.meanScore) }
        overall = ranked[0].model
        overallRun = ranked[0].bestRun
        margin = ranked.count > 1 ? Self.margin(ranked[0], over: ranked[1]) : nil
        metric = isClassification ? Self.classificationMetric : Self.regressionMetric
        self.comparison = comparison
        self.target = target
        self.regimes = regimes
        byRegime = (0..<regimes.count).map { regime in
            let windows = allWindows.filter { windowRegimes[$0] == regime }
            var means: [String: Score] = [:]
            for model in models {
                let runs = byModel[model] ?? []
                if !windows.isEmpty && !runs.isEmpty {
                    means[model] = Score(mean: runs.map { Score(of: $0, on: windows) })
                }
            }
            // Equal figures: the model first by name.
            let best = means.min {
                $0.value.ranks(before: $1.value) || (!$1.value.ranks(before: $0.value) && $0.key < $1.key)
            }
            let model = best?.key ?? ranked[0].model
            let candidate = ranked.first { $0.model == model } ?? ranked[0]
            let figure =
                isClassification ? "the highest mean validation balanced accuracy" : "the lowest mean validation MSE"
            return RegimeChoice(
                regime: regime,
                name: regimes.name(of: regime),
                volatilityFrom: regime == 0 ? 0 : regimes.thresholds[regime - 1],
                volatilityTo: regime < regimes.thresholds.count ? regimes.thresholds[regime] : nil,
                validationWindows: windows.count,
                model: model,
                run: candidate.bestRun,
                meanValidationMSE: isClassification ? nil : means.mapValues(\.headline),
                meanValidationBalancedAccuracy: isClassification ? means.mapValues(\.headline) : nil,
                meanValidationCrossEntropy: isClassification ? means.compactMapValues(\.crossEntropy) : nil,
                reason: best == nil
                    ? "no validation window falls in this regime: the overall choice"
                    : "\(figure) on this regime's \(windows.count) window(s)"
            )
        }
    }

    private static func margin(_ winner: Candidate, over runnerUp: Candidate) -> Margin {
        let interval = MeanDifference(winner.headlines, runnerUp.headlines)
        return Margin(
            runnerUp: runnerUp.model,
            difference: winner.meanScore.headline - runnerUp.meanScore.headline,
            lower: interval?.lower,
            upper: interval?.upper,
            withinNoise: interval?.isWithinNoise
        )
    }

    /// The comparison folder: where it was, or, if it moved with its selection.json inside it,
    /// the folder holding `selectionFile`.
    public func comparisonFolder(besides selectionFile: URL) throws -> URL {
        for folder in [URL(fileURLWithPath: comparison), selectionFile.deletingLastPathComponent()]
        where FileManager.default.fileExists(atPath: folder.appendingPathComponent(overallRun).path) {
            return folder
        }
        throw RunFileError.invalid(
            path: selectionFile.path,
            message: "its runs (\(overallRun)) are neither in \(comparison) nor beside it: keep selection.json in its comparison folder"
        )
    }

    /// The choice for a window whose last input row has volatility `volatility` (`nil`: not
    /// enough history, the overall choice).
    public func run(forVolatility volatility: Double?) -> (model: String, run: String) {
        guard let volatility else { return (overall, overallRun) }
        let choice = byRegime[regimes.regime(ofVolatility: volatility)]
        return (choice.model, choice.run)
    }
}

/// Why a selection cannot be made.
public enum SelectionError: Error, Equatable, CustomStringConvertible {
    case noRuns
    case noValidationWindows(run: String)
    case differentWindows(run: String, other: String)
    case differentData(run: String, other: String)
    /// A comparison whose runs do not share one objective.
    case mixedObjectives(classifier: String, regressor: String)

    public var description: String {
        switch self {
        case .noRuns:
            "no finished runs (runs/*/summary.json) in the comparison: run qlstm compare first"
        case .noValidationWindows(let run):
            "\(run) has no validation windows, and choosing on test windows would tune on the test set: rerun compare with --validation-fraction above 0 (not --paper-protocol)"
        case .differentWindows(let run, let other):
            "\(run) was validated on other windows than \(other): select among runs of one comparison"
        case .differentData(let run, let other):
            "\(run) was trained on other data or windows than \(other): select among runs of one comparison"
        case .mixedObjectives(let classifier, let regressor):
            "\(classifier) classifies the next move (--objective classification) but \(regressor) forecasts values: balanced accuracy and MSE do not rank together; select among runs of one comparison (one --objective)"
        }
    }
}
