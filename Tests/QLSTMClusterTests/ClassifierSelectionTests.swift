import Datasets
import Foundation
import QLSTMCluster
import Testing

@Suite("Model selection of classifiers")
struct ClassifierSelectionTests {
    /// Two classes on four validation windows, the first two calm, the last two volatile.
    static let truths = [0, 1, 0, 1]
    static let regimes = VolatilityRegimes(window: 3, thresholds: [0.5])
    static let windowRegimes = [0, 0, 1, 1]

    /// A classifier's run predicting `predicted`, each with probability `confidence`.
    static func run(
        _ model: String,
        seed: UInt64 = 0,
        _ predicted: [Int],
        confidence: Double
    ) -> ModelSelection.RunScores {
        .init(
            directory: "runs/\(model)-seed\(seed)",
            model: model,
            seed: seed,
            truths: truths.map(Double.init),
            predictions: predicted.map(Double.init),
            probabilities: predicted.map { $0 == 1 ? [1 - confidence, confidence] : [confidence, 1 - confidence] }
        )
    }

    /// Balanced accuracy and cross-entropy on `windows`, counted here from their definitions.
    static func figures(_ predicted: [Int], confidence: Double, on windows: [Int]) -> (Double, Double) {
        let present = Set(windows.map { truths[$0] }).sorted()
        let recalls = present.map { k in
            let support = windows.filter { truths[$0] == k }
            return Double(support.filter { predicted[$0] == k }.count) / Double(support.count)
        }
        let losses = windows.map { -log(predicted[$0] == truths[$0] ? confidence : 1 - confidence) }
        return (recalls.reduce(0, +) / Double(recalls.count), losses.reduce(0, +) / Double(windows.count))
    }

    /// The expected winner of "a" and "b": the higher balanced accuracy, then the lower
    /// cross-entropy, then "a" (listed first, and first by name).
    static func expectedWinner(_ a: (Double, Double), _ b: (Double, Double)) -> String {
        if a.0 != b.0 { return a.0 > b.0 ? "a" : "b" }
        if a.1 != b.1 { return a.1 < b.1 ? "a" : "b" }
        return "a"
    }

    @Test(
        "every pair of predictions on four windows: overall and per regime the higher balanced accuracy, ties by cross-entropy, then by order",
        arguments: [(0.7, 0.9), (0.8, 0.8)]
    )
    func exhaustiveRanking(confidences: (Double, Double)) throws {
        let patterns = (0..<16).map { bits in (0..<4).map { (bits >> $0) & 1 } }
        var tieBreaks = (byEntropy: 0, byOrder: 0)
        for predictedA in patterns {
            for predictedB in patterns {
                let selection = try ModelSelection(
                    comparison: "/tmp/x",
                    target: "y",
                    runs: [
                        Self.run("a", predictedA, confidence: confidences.0),
                        Self.run("b", predictedB, confidence: confidences.1),
                    ],
                    regimes: Self.regimes,
                    windowRegimes: Self.windowRegimes
                )
                #expect(selection.isClassification)
                let all = [0, 1, 2, 3]
                let a = Self.figures(predictedA, confidence: confidences.0, on: all)
                let b = Self.figures(predictedB, confidence: confidences.1, on: all)
                let context = "a \(predictedA), b \(predictedB)"
                #expect(selection.overall == Self.expectedWinner(a, b), "\(context)")
                let candidate = try #require(selection.candidates.first { $0.model == "a" })
                #expect(candidate.meanValidationBalancedAccuracy == a.0, "\(context)")
                #expect(abs((candidate.meanValidationCrossEntropy ?? .nan) - a.1) < 1e-12, "\(context)")
                #expect(candidate.validationMSE == nil)
                if a.0 == b.0 && a.1 == b.1 {
                    tieBreaks.byOrder += 1
                } else if a.0 == b.0 {
                    tieBreaks.byEntropy += 1
                }
                for (regime, windows) in [(0, [0, 1]), (1, [2, 3])] {
                    let choice = selection.byRegime[regime]
                    let expected = Self.expectedWinner(
                        Self.figures(predictedA, confidence: confidences.0, on: windows),
                        Self.figures(predictedB, confidence: confidences.1, on: windows)
                    )
                    #expect(
                        choice.model == expected && choice.run == "runs/\(expected)-seed0",
                        "\(context), regime \(regime)"
                    )
                    #expect(choice.meanValidationBalancedAccuracy?.count == 2 && choice.meanValidationMSE == nil)
                }
            }
        }
        // Both tie-breaks were exercised: by cross-entropy with unequal confidences, by order with equal ones.
        #expect(confidences.0 == confidences.1 ? tieBreaks.byOrder > 0 : tieBreaks.byEntropy > 0)
    }

    @Test(
        "over seeds: the mean balanced accuracy ranks models; a model's best run is its most accurate, then the lower cross-entropy"
    )
    func seeds() throws {
        let selection = try ModelSelection(
            comparison: "/tmp/x",
            target: "y",
            runs: [
                Self.run("a", seed: 0, [0, 1, 1, 1], confidence: 0.9),
                Self.run("a", seed: 1, [0, 1, 1, 1], confidence: 0.6),
                Self.run("b", seed: 0, [0, 1, 0, 1], confidence: 0.6),
                Self.run("b", seed: 1, [1, 1, 1, 1], confidence: 0.6),
            ],
            regimes: Self.regimes,
            windowRegimes: Self.windowRegimes
        )
        // a: 0.75 twice, seed 0 surer of its one mistake (cross-entropy 0.655 against 0.612);
        // b: 1 and 0.5, mean 0.75 too, so the cross-entropy decides.
        let a = try #require(selection.candidates.first { $0.model == "a" })
        #expect(a.validationBalancedAccuracy == [0.75, 0.75] && a.bestRun == "runs/a-seed1")
        #expect(selection.candidates.first { $0.model == "b" }?.bestRun == "runs/b-seed0")
        let entropyA = try #require(a.meanValidationCrossEntropy)
        let entropyB = try #require(selection.candidates.first { $0.model == "b" }?.meanValidationCrossEntropy)
        #expect(selection.overall == (entropyA < entropyB ? "a" : "b"))
        #expect(selection.margin?.difference == 0)
    }

    @Test("classifiers mixed with regressors, and classes outside the probabilities, are refused")
    func refusals() {
        let regressor = ModelSelection.RunScores(
            directory: "runs/r-seed0",
            model: "r",
            seed: 0,
            truths: [0, 1, 0, 1],
            predictions: [0, 1, 0, 1]
        )
        let classifier = Self.run("a", [0, 1, 0, 1], confidence: 0.7)
        for runs in [[classifier, regressor], [regressor, classifier]] {
            #expect(throws: SelectionError.mixedObjectives(classifier: "runs/a-seed0", regressor: "runs/r-seed0")) {
                try ModelSelection(
                    comparison: "/tmp/x",
                    target: "y",
                    runs: runs,
                    regimes: Self.regimes,
                    windowRegimes: Self.windowRegimes
                )
            }
        }
        var outside = Self.run("b", [0, 1, 0, 1], confidence: 0.7)
        outside.predictions[2] = 2
        #expect(throws: SelectionError.differentWindows(run: "runs/b-seed0", other: "runs/a-seed0")) {
            try ModelSelection(
                comparison: "/tmp/x",
                target: "y",
                runs: [classifier, outside],
                regimes: Self.regimes,
                windowRegimes: Self.windowRegimes
            )
        }
    }

    @Test("a classifier selection reads back equal, and its regimes are still checked")
    func fileRoundTrip() throws {
        let selection = try ModelSelection(
            comparison: "/tmp/x",
            target: "y",
            runs: [Self.run("a", [0, 1, 1, 1], confidence: 0.7), Self.run("b", [0, 1, 0, 0], confidence: 0.7)],
            regimes: Self.regimes,
            windowRegimes: Self.windowRegimes
        )
        let folder = try ModelSelectionFileTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("selection.json")
        try selection.write(to: file)
        #expect(try ModelSelection.read(from: file) == selection)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("meanValidationBalancedAccuracy") && !text.contains("MSE"))
        try ModelSelection(copying: selection, regimes: VolatilityRegimes(window: 1, thresholds: [0.5])).write(to: file)
        #expect(throws: RunFileError.self) { try ModelSelection.read(from: file) }
    }
}
