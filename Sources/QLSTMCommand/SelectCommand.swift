import Datasets
import Foundation
import QLSTMCluster
import Reports

/// `qlstm select DIR`: seed 000's tool selector over a comparison, on its validation windows.
enum SelectCommand: Command {
    static let name = "select"
    static let summary = "choose a comparison's model overall and per volatility regime, on the validation windows"
    static let usage = "qlstm select DIR [--regimes K] [--volatility-window W] [--out FILE]"
    static let options: [OptionSpec] = [
        .value("regimes", "K", "volatility regimes, cut at quantiles of the training rows (default 2: calm, volatile)"),
        .value("volatility-window", "W", "one-step changes in each rolling standard deviation (default 10)"),
        .value("out", "FILE", "where to write the choice and its evidence (default DIR/selection.json)"),
    ]

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(1, usage: usage)
        guard let folder = options.positionals.first else {
            throw CommandLineError.missingArgument("the comparison folder DIR (compare's --out)", usage: usage)
        }
        let comparison = URL(fileURLWithPath: folder)
        let selection: ModelSelection
        do {
            selection = try ModelSelection.choose(
                comparison: comparison,
                regimeCount: try options.int("regimes", in: 2...10) ?? 2,
                volatilityWindow: try options.int("volatility-window", in: 2...10_000) ?? 10
            )
        } catch let error as SelectionError {
            throw CommandLineError.invalidFile(path: folder, message: "\(error)")
        }
        let out = options.string("out").map { URL(fileURLWithPath: $0) }
            ?? comparison.appendingPathComponent("selection.json")
        try selection.write(to: out)
        for line in describe(selection) { print(line) }
        print("wrote \(out.path); forecast with it: qlstm predict --selection \(out.path) --csv FILE")
        return 0
    }

    /// The choice in a few lines, with its evidence.
    static func describe(_ s: ModelSelection) -> [String] {
        func figure(_ value: Double) -> String { String(format: "%.4g", value) }
        var lines: [String] = []
        if let winner = s.candidates.first(where: { $0.model == s.overall }) {
            let score =
                s.isClassification
                ? "validation balanced accuracy \(figure(winner.meanValidationBalancedAccuracy ?? .nan))"
                : "validation MSE \(figure(winner.meanValidationMSE ?? .nan))"
            var line =
                "overall: \(s.overall) (\(winner.bestRun)), \(score)"
                + (winner.standardDeviation.map { " ± \(figure($0))" } ?? "")
                + " over \(NumberText.count(winner.runs.count, "seed"))"
                + (winner.meanValidationCrossEntropy.map { ", cross-entropy \(figure($0))" } ?? "")
            if let margin = s.margin {
                line +=
                    s.isClassification
                    ? "; \(figure(margin.difference)) above \(margin.runnerUp)"
                    : "; \(figure(-margin.difference)) below \(margin.runnerUp)"
                if let lower = margin.lower, let upper = margin.upper {
                    line +=
                        ", 95 % interval of the difference [\(figure(lower)), \(figure(upper))]"
                        + (margin.withinNoise == true ? ": within noise, the two cannot be told apart" : "")
                } else {
                    line += " (one seed each: no interval)"
                }
            }
            lines.append(line)
        }
        for choice in s.byRegime {
            let range =
                choice.volatilityTo.map { "volatility \(figure(choice.volatilityFrom)) to \(figure($0))" }
                ?? "volatility from \(figure(choice.volatilityFrom))"
            lines.append(
                "\(choice.name) (\(range), \(NumberText.count(choice.validationWindows, "validation window"))): \(choice.model) (\(choice.run)); \(choice.reason)"
            )
        }
        return lines
    }
}
