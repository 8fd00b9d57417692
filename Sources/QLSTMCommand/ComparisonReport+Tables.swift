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
        var columns: [ModelColumn] = []
        if hasValidation {
            columns.append(.init("validation R^2") { Self.statistics($0.summaries.compactMap(\.r2Validation)) })
        }
        columns.append(.init("test R^2") { Self.statistics($0.summaries.compactMap(\.r2Test)) })
        if paper {
            columns.append(.init("test R^2 (paper)") { $0.variant.paper.map { NumberText.fixed($0.r2, decimals: 4) } ?? "-" })
        }
        columns.append(Self.convergenceColumn)
        if paper {
            columns.append(.init("convergence epoch (paper)") { $0.variant.paper.map { "\($0.convergence)" } ?? "-" })
        }
        var table = modelTable(
            caption:
                "\(data.name), \(NumberText.count(epochs, "epoch")), mean ± standard deviation over \(NumberText.count(seeds, "seed"))",
            columns: columns
        )
        appendBaselines(to: &table)
        return table
    }

    /// A column of the per-model tables: its header and each row's cell.
    struct ModelColumn {
        let header: String
        let cell: (Row) -> String

        init(_ header: String, cell: @escaping (Row) -> String) {
            self.header = header
            self.cell = cell
        }
    }

    static var convergenceColumn: ModelColumn {
        ModelColumn("convergence epoch") {
            statistics($0.summaries.compactMap { $0.convergenceEpoch.map(Double.init) }, decimals: 1)
        }
    }

    /// One row per model: its size (qubits per QPU, QPUs, parameters), then `columns`, then
    /// its training time and circuits executed; the regression and the classification tables.
    func modelTable(caption: String, columns: [ModelColumn]) -> Table {
        let headers =
            ["model", "qubits per QPU", "QPUs", "parameters"] + columns.map(\.header)
            + ["train time (s)", "circuits executed"]
        var table = Table(
            headers: headers,
            alignments: [.left] + Array(repeating: .right, count: headers.count - 1),
            caption: caption
        )
        for row in rows {
            let first = row.summaries[0]
            let classical = first.model == "lstm"
            let circuits = row.summaries.map(\.circuitsExecuted).reduce(0, +) / UInt64(max(row.summaries.count, 1))
            table.append(
                [
                    row.variant.title,
                    classical ? "-" : "\(first.nQubits)",
                    classical ? "-" : "\(first.partitions)",
                    "\(first.parameters)",
                ] + columns.map { $0.cell(row) } + [
                    Self.statistics(row.summaries.map(\.trainSeconds), decimals: 1),
                    first.model == "qlstm" ? "\(circuits)" : "0",
                ]
            )
        }
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
