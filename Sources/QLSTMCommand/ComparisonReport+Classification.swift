import Datasets
import Foundation
import QLSTM
import QLSTMCluster
import Reports

extension CompareCommand.Variant {
    /// The variant as a classifier into `classes` classes (its head one logit per class, and no
    /// paper figure: the paper measured regression); itself for regression (`nil`).
    func classifying(into classes: Int?) -> Self {
        guard let classes else { return self }
        var variant = self
        variant.model.outputs = classes
        variant.paper = nil
        return variant
    }
}

extension ComparisonReport {
    /// Whether the runs classify the next move (`--objective classification`).
    var isClassification: Bool { training.loss.isClassification }

    /// The figure models are chosen and compared by: R^2, or balanced accuracy for a classifier
    /// (accuracy would reward always predicting the commoner class).
    var headlineName: String { isClassification ? "balanced accuracy" : "R^2" }

    func headlineTest(_ summary: RunSummary) -> Double? {
        isClassification ? summary.balancedAccuracyTest : summary.r2Test
    }

    func headlineValidation(_ summary: RunSummary) -> Double? {
        isClassification ? summary.balancedAccuracyValidation : summary.r2Validation
    }

    func headlineTestIdeal(_ summary: RunSummary) -> Double? {
        isClassification ? summary.balancedAccuracyTestIdeal : summary.r2TestIdeal
    }

    /// What the classes are, in one sentence.
    var classesSentence: String {
        guard let classes = data.classes else { return "" }
        let horizon = data.windows.horizon
        let move =
            "the move of \(targetName) from a window's last row to the row \(horizon == 1 ? "after it" : "\(horizon) rows after it")"
        if classes == .direction {
            return
                "Each window is classified by the direction of \(move): up (the move is above 0) or not up (0 or below, so a flat step is not up)."
        }
        let bounds = classes.thresholds.map { NumberText.fixed($0, decimals: 4) }.joined(separator: ", ")
        return
            "Each window is classified by \(move) into \(classes.count) classes split at \(bounds) (the quantiles of the training windows' moves, so the classes are about equally frequent there; a move on a boundary belongs to the lower class)."
    }

    /// A classification comparison's report: the regression report's sections with the
    /// classifier's figures, confusion matrices in place of predictions and residuals.
    func classificationBlocks() -> [ReportBlock] {
        var blocks: [ReportBlock] = [
            .paragraph(
                "Each model was trained \(NumberText.count(seeds, "time")) (\(seeds == 1 ? "seed 0" : "seeds 0 to \(seeds - 1)")) for \(NumberText.count(epochs, "epoch")) on \(data.task == nil ? "column \(targetName) of \(URL(fileURLWithPath: data.csvPath ?? data.name).lastPathComponent)" : "the \(data.name) benchmark") with the softmax cross-entropy of one logit per class. \(classesSentence) Balanced accuracy is the mean over classes of the share of each class's windows classified correctly (1 / K for a model that always says the same), macro F1 the mean of the classes' F1 scores; classes absent from a split are left out, as scikit-learn does. Testing-epoch convergence is the first epoch whose test loss is within 5 % of the run's best."
            ),
            .paragraph(protocolSentence + transformSentence),
            .table(table()),
        ]
        var conclusions = conclusionBlocks()
        conclusions.insert(contentsOf: classPersistenceBlocks(), at: min(conclusions.count, 2))
        blocks += conclusions
        blocks += [
            .heading("Per-seed values", level: 2),
            .table(perSeedTable()),
            .heading("Confusion matrices", level: 2),
        ]
        blocks += confusionTables().map { .table($0) }
        blocks += [
            .heading("Balanced accuracy against qubits per QPU", level: 2),
            .chart(r2Chart(), fileName: "balanced-accuracy-qubits.svg"),
        ]
        blocks += timeBlocks()
        blocks += resourceBlocks()
        blocks += [.heading("Loss curves", level: 2), .figures(lossCharts())]
        if let noise { blocks += noiseBlocks(noise) }
        blocks += researchLog()
        return blocks
    }

    /// Per model, mean ± standard deviation over seeds of the classifier's figures.
    func classificationTable() -> Table {
        var columns: [ModelColumn] = []
        if hasValidation {
            columns.append(
                .init("validation balanced accuracy") {
                    Self.statistics($0.summaries.compactMap(\.balancedAccuracyValidation))
                }
            )
        }
        columns += [
            .init("test balanced accuracy") { Self.statistics($0.summaries.compactMap(\.balancedAccuracyTest)) },
            .init("test accuracy") { Self.statistics($0.summaries.compactMap(\.accuracyTest)) },
            .init("test macro F1") { Self.statistics($0.summaries.compactMap(\.macroF1Test)) },
            .init("test cross-entropy") { Self.statistics($0.summaries.compactMap(\.crossEntropyTest)) },
            Self.convergenceColumn,
        ]
        var table = modelTable(
            caption:
                "\(data.name), \(data.classes?.count ?? 0) classes, \(NumberText.count(epochs, "epoch")), mean ± standard deviation over \(NumberText.count(seeds, "seed"))",
            columns: columns
        )
        appendClassPersistence(to: &table)
        return table
    }

    /// Every run's own classification figures.
    func classificationPerSeedTable() -> Table {
        let validation = hasValidation
        var headers = ["model", "seed"]
        if validation { headers.append("validation balanced accuracy") }
        headers += [
            "test balanced accuracy", "test accuracy", "test macro F1", "test cross-entropy", "convergence epoch",
            "train time (s)", "run (fingerprint)",
        ]
        var table = Table(
            headers: headers,
            alignments: [.left] + Array(repeating: .right, count: headers.count - 2) + [.left],
            caption: "one line per run; cross-entropy in nats per window"
        )
        func fixed(_ value: Double?) -> String { value.map { NumberText.fixed($0, decimals: 4) } ?? "-" }
        for row in rows {
            for run in row.runs {
                let summary = run.summary
                var cells = [row.variant.title, "\(summary.seed)"]
                if validation { cells.append(fixed(summary.balancedAccuracyValidation)) }
                cells += [
                    fixed(summary.balancedAccuracyTest),
                    fixed(summary.accuracyTest),
                    fixed(summary.macroF1Test),
                    fixed(summary.crossEntropyTest),
                    summary.convergenceEpoch.map(String.init) ?? "-",
                    NumberText.fixed(summary.trainSeconds, decimals: 1),
                    "\(run.name) (\((summary.fingerprint ?? "none").prefix(12)))",
                ]
                table.append(cells)
            }
        }
        return table
    }

    /// Per model, the test windows' confusion matrix summed over seeds: rows the true class,
    /// columns the predicted one.
    func confusionTables() -> [Table] {
        guard let classes = data.classes else { return [] }
        return rows.map { row in
            var counts = Array(repeating: Array(repeating: 0, count: classes.count), count: classes.count)
            for matrix in row.summaries.compactMap(\.confusionTest) where matrix.classes == classes.count {
                for t in 0..<classes.count {
                    for p in 0..<classes.count { counts[t][p] += matrix.counts[t][p] }
                }
            }
            var table = Table(
                headers: ["true class"] + (0..<classes.count).map { "predicted \($0)" } + ["recall"],
                alignments: [.left] + Array(repeating: .right, count: classes.count + 1),
                caption:
                    "\(row.variant.title): test windows, summed over \(NumberText.count(row.summaries.count, "seed"))"
            )
            for t in 0..<classes.count {
                let support = counts[t].reduce(0, +)
                table.append(
                    ["\(t): \(classes.name(ofClass: t))"] + counts[t].map(String.init)
                        + [support == 0 ? "-" : NumberText.fixed(Double(counts[t][t]) / Double(support), decimals: 3)]
                )
            }
            return table
        }
    }
}

extension ComparisonReport {
    /// Persistence of the class: each window's next move predicted to fall in the class of the
    /// move that ended at its last row. It needs no training; a classifier that does not beat
    /// it has learnt nothing a forecaster can use.
    struct ClassPersistence {
        let validation: ClassificationMetrics?
        let test: ClassificationMetrics?

        /// Scored on the validation and test windows whose last move lies inside the series.
        init(_ classes: MoveClasses, data: (series: TimeSeries, dataset: WindowedDataset)) {
            let horizon = data.dataset.configuration.horizon
            func score(_ windows: [WindowedDataset.Window]) -> ClassificationMetrics? {
                let pairs = zip(
                    classes.labels(of: windows, in: data.series, horizon: horizon),
                    classes.persistenceLabels(of: windows, in: data.series, horizon: horizon)
                ).compactMap { truth, guess in guess.map { (truth, $0) } }
                guard !pairs.isEmpty else { return nil }
                let confusion = ConfusionMatrix(
                    truth: pairs.map(\.0),
                    predicted: pairs.map(\.1),
                    classes: classes.count
                )
                // A hard guess has no probabilities, so no cross-entropy.
                return ClassificationMetrics(confusion: confusion, crossEntropy: .nan)
            }
            validation = score(data.dataset.validation)
            test = score(data.dataset.test)
        }
    }

    /// The persistence row under the models in the results table.
    func appendClassPersistence(to table: inout Table) {
        guard let persistence = classPersistence, let test = persistence.test else { return }
        table.caption = (table.caption ?? "") + "; persistence needs no training (one value)"
        func fixed(_ value: Double?) -> String { value.map { NumberText.fixed($0, decimals: 4) } ?? "-" }
        table.append(
            table.headers.map { header in
                switch header {
                case "model": "Persistence (the last move's class)"
                case "parameters": "0"
                case "validation balanced accuracy": fixed(persistence.validation?.balancedAccuracy)
                case "test balanced accuracy": fixed(test.balancedAccuracy)
                case "test accuracy": fixed(test.accuracy)
                case "test macro F1": fixed(test.macroF1)
                case "circuits executed": "0"
                default: "-"
                }
            }
        )
    }

    /// Each model against persistence: how many of its seeds score a higher test balanced
    /// accuracy on the same windows.
    func classPersistenceBlocks() -> [ReportBlock] {
        guard let test = classPersistence?.test else { return [] }
        let yardstick = NumberText.fixed(test.balancedAccuracy, decimals: 4)
        let parts = rows.map { row in
            let values = row.summaries.compactMap(\.balancedAccuracyTest)
            let above = values.filter { $0 > test.balancedAccuracy }.count
            return
                "\(row.variant.title) \(above == 0 ? "never beats it" : "beats it on \(above) of \(NumberText.count(values.count, "seed"))") (mean \(Self.statistics(values)))"
        }
        return [
            .paragraph(
                "Against persistence (the next move falls in the class of the last one; test balanced accuracy \(yardstick)), by test balanced accuracy on the same windows: "
                    + parts.joined(separator: "; ") + "."
            )
        ]
    }
}
