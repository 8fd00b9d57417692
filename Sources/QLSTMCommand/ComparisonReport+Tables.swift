import Foundation
import QLSTM
import QLSTMCluster
import Reports

extension ComparisonReport {
    /// The paper's Table I/II layout: our mean ± std over seeds, its single runs beside them
    /// where it has them, validation R^2 when the runs had a validation split.
    func table() -> Table {
        if isClassification { return classificationTable() }
        let paper = hasPaperFigures
        let validation = hasValidation
        var headers = ["model", "qubits per QPU", "QPUs", "parameters"]
        if validation { headers.append("validation R^2") }
        headers.append("test R^2")
        if paper { headers.append("test R^2 (paper)") }
        headers.append("convergence epoch")
        if paper { headers.append("convergence epoch (paper)") }
        headers += ["train time (s)", "circuits executed"]
        var table = Table(
            headers: headers,
            alignments: [.left] + Array(repeating: .right, count: headers.count - 1),
            caption:
                "\(data.name), \(NumberText.count(epochs, "epoch")), mean ± standard deviation over \(NumberText.count(seeds, "seed"))"
        )
        for row in rows {
            let first = row.summaries[0]
            let classical = first.model == "lstm"
            var cells = [
                row.variant.title,
                classical ? "-" : "\(first.nQubits)",
                classical ? "-" : "\(first.partitions)",
                "\(first.parameters)",
            ]
            if validation { cells.append(Self.statistics(row.summaries.compactMap(\.r2Validation))) }
            cells.append(Self.statistics(row.summaries.compactMap(\.r2Test)))
            if paper { cells.append(row.variant.paper.map { NumberText.fixed($0.r2, decimals: 4) } ?? "-") }
            cells.append(
                Self.statistics(row.summaries.compactMap { $0.convergenceEpoch.map(Double.init) }, decimals: 1)
            )
            if paper { cells.append(row.variant.paper.map { "\($0.convergence)" } ?? "-") }
            let circuits = row.summaries.map(\.circuitsExecuted).reduce(0, +) / UInt64(max(row.summaries.count, 1))
            cells += [
                Self.statistics(row.summaries.map(\.trainSeconds), decimals: 1),
                first.model == "qlstm" ? "\(circuits)" : "0",
            ]
            table.append(cells)
        }
        appendBaselines(to: &table)
        return table
    }

    /// Every run's own figures, so a mean can be checked against the values it summarises.
    func perSeedTable() -> Table {
        if isClassification { return classificationPerSeedTable() }
        let validation = hasValidation
        var headers = ["model", "seed"]
        if validation { headers.append("validation R^2") }
        headers += ["test R^2", "test MSE", "convergence epoch", "train time (s)", "run (fingerprint)"]
        var table = Table(
            headers: headers,
            alignments: [.left] + Array(repeating: .right, count: headers.count - 2) + [.left],
            caption: "one line per run; MSE in the series' units"
        )
        for row in rows {
            for run in row.runs {
                let summary = run.summary
                var cells = [row.variant.title, "\(summary.seed)"]
                if validation { cells.append(summary.r2Validation.map { NumberText.fixed($0, decimals: 4) } ?? "-") }
                cells += [
                    summary.r2Test.map { NumberText.fixed($0, decimals: 4) } ?? "-",
                    summary.mseTest.map { String(format: "%.4g", $0) } ?? "-",
                    summary.convergenceEpoch.map(String.init) ?? "-",
                    NumberText.fixed(summary.trainSeconds, decimals: 1),
                    "\(run.name) (\((summary.fingerprint ?? "none").prefix(12)))",
                ]
                table.append(cells)
            }
        }
        return table
    }
}
