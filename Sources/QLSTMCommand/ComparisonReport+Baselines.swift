import Datasets
import Foundation
import QLSTM
import QLSTMCluster
import Reports

extension ComparisonReport {
    /// One naive forecast on the comparison's validation and test windows, in the series' units.
    struct BaselineResult {
        let baseline: Baseline
        /// 0 for persistence and seasonal naive; L x d_x + 1 for the linear autoregression.
        let parameters: Int
        let validation: RegressionMetrics?
        let test: RegressionMetrics
        /// Every validation and test window's time, truth and forecast, for predictions.csv.
        let forecasts: [(time: Double, truth: Double, forecast: Double, split: String)]

        /// Each baseline's forecasts and metrics on `dataset`'s validation and test windows.
        ///
        /// - Throws: `DatasetError` for a seasonal period that reaches before the series.
        static func measure(
            _ baselines: [Baseline],
            series: TimeSeries,
            dataset: WindowedDataset
        ) throws(DatasetError) -> [BaselineResult] {
            try baselines.map { (baseline) throws(DatasetError) in
                let validation = try dataset.forecasts(baseline, for: dataset.validation, series: series)
                let test = try dataset.forecasts(baseline, for: dataset.test, series: series)
                var forecasts: [(time: Double, truth: Double, forecast: Double, split: String)] = []
                for (split, windows, truths, values) in [
                    ("validation", dataset.validation, dataset.validationTargets, validation),
                    ("test", dataset.test, dataset.testTargets, test),
                ] {
                    for (window, (truth, value)) in zip(windows, zip(truths, values)) {
                        forecasts.append((window.time, truth, value, split))
                    }
                }
                let width = dataset.inputWidth * dataset.configuration.sequenceLength
                return BaselineResult(
                    baseline: baseline,
                    parameters: baseline == .linearAutoregression ? width + 1 : 0,
                    validation: validation.isEmpty
                        ? nil : RegressionMetrics(predictions: validation, targets: dataset.validationTargets),
                    test: RegressionMetrics(predictions: test, targets: dataset.testTargets),
                    forecasts: forecasts
                )
            }
        }
    }

    /// A baseline's `summary.json`: the keys of a run's summary that apply to it.
    struct BaselineSummary: Codable, Equatable {
        var baseline: String
        var title: String
        var task: String
        /// The seasonal naive forecast's period in rows.
        var season: Int?
        var parameters: Int
        /// Where the linear autoregression is fitted: on the model's inputs and targets.
        var fittedOn: String?
        var r2Test: Double
        var mseTest: Double
        var maeTest: Double
        var r2Validation: Double?
        var mseValidation: Double?
        var maeValidation: Double?

        enum CodingKeys: String, CodingKey {
            case baseline, title, task, season, parameters
            case fittedOn = "fitted_on"
            case r2Test = "r2_test"
            case mseTest = "mse_test"
            case maeTest = "mae_test"
            case r2Validation = "r2_validation"
            case mseValidation = "mse_validation"
            case maeValidation = "mae_validation"
        }
    }

    func summary(of result: BaselineResult) -> BaselineSummary {
        var season: Int?
        if case .seasonalNaive(let period) = result.baseline { season = period }
        return BaselineSummary(
            baseline: result.baseline.name,
            title: result.baseline.title,
            task: data.name,
            season: season,
            parameters: result.parameters,
            fittedOn: result.baseline == .linearAutoregression
                ? "the training windows' model inputs and targets ("
                    + (data.windows.transform.isIdentity ? "" : "transform \(data.windows.transform), then ")
                    + "scaled)"
                : nil,
            r2Test: result.test.r2,
            mseTest: result.test.mse,
            maeTest: result.test.mae,
            r2Validation: result.validation?.r2,
            mseValidation: result.validation?.mse,
            maeValidation: result.validation?.mae
        )
    }

    /// `baselines/NAME/summary.json` and `predictions.csv` (time, truth, prediction, split;
    /// the series' units) for every baseline.
    func writeBaselines(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        for result in baselines {
            let folder = directory.appendingPathComponent("baselines/\(result.baseline.name)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try AtomicFile.write(
                try encoder.encode(summary(of: result)),
                to: folder.appendingPathComponent("summary.json")
            )
            var csv = "time,truth,prediction,split\n"
            for row in result.forecasts { csv += "\(row.time),\(row.truth),\(row.forecast),\(row.split)\n" }
            try AtomicFile.write(Data(csv.utf8), to: folder.appendingPathComponent("predictions.csv"))
        }
    }

    /// The series transform, when there is one, for the protocol paragraph.
    var transformSentence: String {
        let transform = data.windows.transform
        guard !transform.isIdentity else { return "" }
        return
            " Every model reads the series through the transform \(transform) (fitted on the training part, before scaling); forecasts are inverted from each window's last observed value, so every figure is in the series' units."
    }

    /// The baselines as rows of the results table, under the models: each cell by its column's
    /// title, "-" where a column does not apply (no seeds, no circuits, no training).
    func appendBaselines(to table: inout Table) {
        guard !baselines.isEmpty else { return }
        table.caption = (table.caption ?? "") + "; the baselines below the models need no training (one value each)"
        for result in baselines {
            table.append(
                table.headers.map { header in
                    switch header {
                    case "model": result.baseline.title
                    case "parameters": "\(result.parameters)"
                    case "validation R^2": result.validation.map { NumberText.fixed($0.r2, decimals: 4) } ?? "-"
                    case "test R^2": NumberText.fixed(result.test.r2, decimals: 4)
                    case "circuits executed": "0"
                    default: "-"
                    }
                }
            )
        }
    }

    /// Persistence's test forecasts as a dotted grey line, for the predictions chart: what a
    /// model has to improve on.
    func persistenceSeries() -> [LineSeries] {
        guard let persistence = baselines.first(where: { $0.baseline == .persistence }) else { return [] }
        return [
            LineSeries(
                name: "persistence",
                points: persistence.forecasts.filter { $0.split == "test" }.map { ($0.time, $0.forecast) },
                stroke: .dotted,
                colour: Colour(red: 140, green: 140, blue: 140)
            )
        ]
    }

    /// How many of a model's runs have a lower test MSE than the baseline (the same windows, so
    /// a higher test R^2).
    private func seedsBeating(_ result: BaselineResult, _ row: Row) -> Int {
        row.summaries.filter { ($0.mseTest ?? .infinity) < result.test.mse }.count
    }

    /// What the conclusions say about the baselines: whether any model beats persistence, which
    /// baseline validation would prefer to the models, and each model against each baseline.
    func baselineConclusions() -> [ReportBlock] {
        guard !baselines.isEmpty else { return [] }
        var blocks: [ReportBlock] = []
        if let persistence = baselines.first(where: { $0.baseline == .persistence }) {
            let line =
                "persistence (\"tomorrow = today\", test R^2 \(NumberText.fixed(persistence.test.r2, decimals: 4)), MSE \(String(format: "%.4g", persistence.test.mse)))"
            let beating = rows.filter { mean($0.summaries.compactMap(\.mseTest)) < persistence.test.mse }
            if beating.isEmpty {
                let best = rows.max {
                    mean($0.summaries.compactMap(\.r2Test)) < mean($1.summaries.compactMap(\.r2Test))
                }
                blocks.append(
                    .paragraph(
                        "No model beats \(line) on the test windows"
                            + (best.map {
                                "; the best, \($0.variant.title), has mean test R^2 \(Self.statistics($0.summaries.compactMap(\.r2Test)))"
                            } ?? "")
                            + ". A forecast that does not beat repeating the last value has learnt nothing a forecaster can use."
                            + (data.windows.transform.differenceOrder == 0
                                ? " On a trending series, models fitted on levels cannot forecast levels they never saw: try --transform difference (or log-return) (docs/DATASETS.md)."
                                : "")
                    )
                )
            } else {
                let parts = rows.map { row in
                    let verb = beating.contains { $0.variant.label == row.variant.label } ? "beats" : "does not beat"
                    return
                        "\(row.variant.title) \(verb) it (test MSE below it on \(seedsBeating(persistence, row)) of \(NumberText.count(row.runs.count, "seed")), mean test R^2 \(Self.statistics(row.summaries.compactMap(\.r2Test))))"
                }
                blocks.append(.paragraph("Against \(line), by mean test MSE: " + parts.joined(separator: "; ") + "."))
            }
        }
        if hasValidation,
            let bestBaseline = baselines.compactMap({ result in result.validation.map { (result, $0.r2) } })
                .max(by: { $0.1 < $1.1 }),
            let bestModel = rows.map({ mean($0.summaries.compactMap(\.r2Validation)) }).max(),
            bestBaseline.1 > bestModel
        {
            blocks.append(
                .paragraph(
                    "On validation, \(bestBaseline.0.baseline.title) (R^2 \(NumberText.fixed(bestBaseline.1, decimals: 4))) scores above every model's mean (best \(NumberText.fixed(bestModel, decimals: 4))): chosen on validation, the baseline wins."
                )
            )
        }
        var table = Table(
            headers: ["model", "mean test R^2"] + baselines.map { "beats \($0.baseline.name)" },
            alignments: [.left] + Array(repeating: .right, count: baselines.count + 1),
            caption:
                "seeds whose test MSE is below the baseline's, on the same test windows; baselines' test R^2: "
                + baselines.map { "\($0.baseline.name) \(NumberText.fixed($0.test.r2, decimals: 4))" }.joined(
                    separator: ", "
                )
        )
        for row in rows {
            table.append(
                [row.variant.title, Self.statistics(row.summaries.compactMap(\.r2Test))]
                    + baselines.map { "\(seedsBeating($0, row)) of \(row.runs.count)" }
            )
        }
        return blocks + [.table(table)]
    }

    private func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(max(values.count, 1))
    }
}
