import Datasets
import Foundation
import QLSTMCluster
import Testing

@Suite("Model selection")
struct ModelSelectionTests {
    /// Six validation windows, the first three calm, the last three volatile; model "a" is
    /// exact on calm windows and off by 2 on volatile ones, "b" off by 1 everywhere.
    static func runs() -> [ModelSelection.RunScores] {
        let truths = [1.0, 2, 3, 4, 5, 6]
        func run(_ model: String, _ seed: UInt64, _ errors: [Double]) -> ModelSelection.RunScores {
            .init(
                directory: "runs/\(model)-seed\(seed)",
                model: model,
                seed: seed,
                truths: truths,
                predictions: zip(truths, errors).map { $0 + $1 }
            )
        }
        return [
            run("a", 0, [0, 0, 0, 2, 2, 2]), run("a", 1, [0, 0, 0, 2, 2, 2.5]),
            run("b", 0, [1, 1, 1, 1, 1, 1]), run("b", 1, [1, -1, 1, 1, 1, 1]),
        ]
    }

    @Test("overall: the lowest mean validation MSE; per regime: the lowest on that regime's windows")
    func choices() throws {
        let selection = try ModelSelection(
            comparison: "/tmp/x",
            target: "y",
            runs: Self.runs(),
            regimes: VolatilityRegimes(window: 3, thresholds: [0.5]),
            windowRegimes: [0, 0, 0, 1, 1, 1]
        )
        // a: seed 0 MSE 2, seed 1 (4 + 4 + 6.25) / 6 = 2.375; b: 1 and 1.
        #expect(selection.overall == "b")
        let a = try #require(selection.candidates.first { $0.model == "a" })
        let mse = try #require(a.validationMSE)
        #expect(abs(mse[0] - 2) < 1e-12 && abs(mse[1] - 2.375) < 1e-12)
        #expect(a.validationBalancedAccuracy == nil && !selection.isClassification)
        #expect(a.bestRun == "runs/a-seed0")
        #expect(selection.byRegime[0].model == "a" && selection.byRegime[0].run == "runs/a-seed0")
        #expect(selection.byRegime[1].model == "b")
        #expect(selection.byRegime[0].validationWindows == 3)
        let margin = try #require(selection.margin)
        #expect(margin.runnerUp == "a" && abs(margin.difference - (1 - 2.1875)) < 1e-12)
        // A forecaster follows the regime of the volatility it sees.
        #expect(selection.run(forVolatility: 0.1).model == "a")
        #expect(selection.run(forVolatility: 0.9).model == "b")
        #expect(selection.run(forVolatility: nil).model == "b")
    }

    @Test("a regime without validation windows falls back to the overall choice and says so")
    func emptyRegime() throws {
        let selection = try ModelSelection(
            comparison: "/tmp/x",
            target: "y",
            runs: Self.runs(),
            regimes: VolatilityRegimes(window: 3, thresholds: [0.5, 0.8]),
            windowRegimes: [0, 0, 0, 1, 1, 1]
        )
        #expect(selection.byRegime[2].model == selection.overall)
        #expect(selection.byRegime[2].reason.contains("no validation window"))
    }

    @Test("runs scored on other windows, or on none, are refused")
    func refusals() {
        var runs = Self.runs()
        runs[1].truths[0] = 9
        #expect(throws: SelectionError.self) {
            try ModelSelection(
                comparison: "/tmp/x", target: "y", runs: runs,
                regimes: VolatilityRegimes(window: 3, thresholds: [0.5]), windowRegimes: [0, 0, 0, 1, 1, 1]
            )
        }
        let empty = [ModelSelection.RunScores(directory: "runs/a", model: "a", seed: 0, truths: [], predictions: [])]
        #expect(throws: SelectionError.noValidationWindows(run: "runs/a")) {
            try ModelSelection(
                comparison: "/tmp/x", target: "y", runs: empty,
                regimes: VolatilityRegimes(window: 3, thresholds: [0.5]), windowRegimes: []
            )
        }
    }
}

@Suite("Reading selection.json")
struct ModelSelectionFileTests {
    /// A fresh folder for one test's files.
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("selection-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("a selection whose regimes do not fit together is refused instead of trapping a forecast")
    func inconsistentFileRefused() throws {
        let selection = try ModelSelection(
            comparison: "/tmp/x",
            target: "y",
            runs: ModelSelectionTests.runs(),
            regimes: VolatilityRegimes(window: 3, thresholds: [0.5]),
            windowRegimes: [0, 0, 0, 1, 1, 1]
        )
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("good.json")
        try selection.write(to: good)
        #expect(try ModelSelection.read(from: good) == selection)

        for broken in [
            ModelSelection(copying: selection, regimes: VolatilityRegimes(window: 3, thresholds: [0.5, 0.9])),
            ModelSelection(copying: selection, regimes: VolatilityRegimes(window: -4, thresholds: [0.5])),
            ModelSelection(copying: selection, regimes: VolatilityRegimes(window: 1, thresholds: [0.5])),
        ] {
            let file = folder.appendingPathComponent("broken.json")
            try broken.write(to: file)
            #expect(throws: RunFileError.self) { try ModelSelection.read(from: file) }
        }
    }
}

extension ModelSelection {
    /// `selection` with other regimes, as a hand edit would leave it.
    init(copying selection: ModelSelection, regimes: VolatilityRegimes) {
        self = selection
        self.regimes = regimes
    }
}
