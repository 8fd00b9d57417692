import Datasets
import Foundation
import QLSTM
import QPUProfiles
import Reports

/// The comparison's report: the paper's Table I/II layout with its figures beside ours, loss
/// curves (Figures 3 and 5), predictions on the test span (Figures 4 and 6) and the research log.
struct ComparisonReport {
    struct Row {
        let variant: CompareCommand.Variant
        let summaries: [RunSummary]
        let history: [EpochRecord]
        let testPredictions: [(x: Double, y: Double)]
        let manifest: [String: Any]
    }

    /// What `compare --profile` adds: the gradient variance at initialisation per model, on the
    /// ideal emulator and on the profile.
    struct NoiseStudy {
        struct Row {
            let label: String
            let title: String
            let qubitsPerQPU: Int
            let distributed: Bool
            let ideal: Double
            let noisy: Double
        }
        let profile: QPUProfile
        let samples: Int
        let windows: Int
        let rows: [Row]
    }

    let data: DataSpecification
    /// The training settings every run shares but its seed.
    let training: TrainingSettings
    /// The predicted column's name, for axis labels.
    let targetName: String
    let rows: [Row]
    let noise: NoiseStudy?
    let seeds: Int
    let epochs: Int
    let truth: [(x: Double, y: Double)]
    let wallSeconds: Double
    /// Runs found finished (same fingerprint) and not trained again by this invocation.
    let reusedRuns: Int
    let topology: [String]

    init(
        data: DataSpecification,
        targetName: String,
        variants: [CompareCommand.Variant],
        runs: [String: [URL]],
        seeds: Int,
        training: TrainingSettings,
        dataset: WindowedDataset,
        wallSeconds: Double,
        reusedRuns: Int,
        noise: NoiseStudy? = nil,
        topology: [String]
    ) throws {
        self.reusedRuns = reusedRuns
        self.noise = noise
        self.data = data
        self.training = training
        self.targetName = targetName
        self.seeds = seeds
        self.epochs = training.epochs
        self.wallSeconds = wallSeconds
        self.topology = topology
        truth = zip(dataset.test, dataset.testTargets).map { ($0.time, $1) }
        rows = try variants.map { variant in
            let directories = runs[variant.label] ?? []
            let decoder = JSONDecoder()
            let summaries = try directories.map {
                try decoder.decode(RunSummary.self, from: Data(contentsOf: $0.appendingPathComponent("summary.json")))
            }
            let first = directories[0]
            let history: [EpochRecord] = try JSONLines.read(
                EpochRecord.self,
                from: first.appendingPathComponent("metrics.jsonl")
            )
            let csv = try String(contentsOf: first.appendingPathComponent("predictions.csv"), encoding: .utf8)
            let predictions = csv.split(separator: "\n").dropFirst().compactMap { line -> (Double, Double)? in
                let fields = line.split(separator: ",")
                guard fields.count == 4, fields[3] == "test", let time = Double(fields[0]),
                    let value = Double(fields[2])
                else { return nil }
                return (time, value)
            }
            let manifest =
                (try? JSONSerialization.jsonObject(
                    with: Data(contentsOf: first.appendingPathComponent("manifest.json"))
                )) as? [String: Any] ?? [:]
            return Row(
                variant: variant,
                summaries: summaries,
                history: history,
                testPredictions: predictions,
                manifest: manifest
            )
        }
    }

    private static func format(_ value: Double, _ decimals: Int = 4) -> String {
        NumberText.fixed(value, decimals: decimals)
    }

    /// Whether the runs had a validation split (not under `--paper-protocol`).
    var hasValidation: Bool { rows.contains { $0.summaries.contains { $0.r2Validation != nil } } }

    /// Whether the runs followed the paper's code (`--paper-protocol`): a constant learning
    /// rate, scaling fitted on the whole series, the reference windowing, no validation split.
    var isPaperProtocol: Bool {
        training.schedule == .constant && data.windows.scalingScope == .wholeSeries
            && data.windows.referenceWindowing && data.windows.validationFraction == 0
    }

    /// Which protocol the runs followed, in one sentence.
    var protocolSentence: String {
        if isPaperProtocol {
            return
                "Protocol: the paper's code (--paper-protocol): a constant learning rate, min-max scaling fitted on the whole series (test rows included), the reference windowing (the last window dropped) and no validation split; nothing here was chosen on held-out data."
        }
        let windows = data.windows
        return
            "Protocol: this project's: \(training.schedule == .cosine ? "the learning rate annealed along a cosine to 0" : "a constant learning rate"), scaling fitted on \(windows.scalingScope == .wholeSeries ? "the whole series (test rows included)" : "the training windows' rows only"), "
            + (windows.validationFraction > 0
                ? "the last \(NumberText.fixed(windows.validationFraction * 100, decimals: 0)) % of the training windows held out for validation (never trained on, in time order). Choices are to be made on validation R^2; test R^2 is reported, never tuned on."
                : "no validation split (--validation-fraction 0).")
    }

    /// Whether any model has a figure in the paper (its Tables I and II: the pendulum and NARMA-5).
    var hasPaperFigures: Bool { rows.contains { $0.variant.paper != nil } }

    /// The paper's Table I/II layout, with our mean (± std over seeds) beside its single runs
    /// where it has them.
    func table() -> Table {
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
            let r2 = SampleStatistics(row.summaries.map(\.r2Test)).map { $0.formatted(decimals: 4) } ?? "-"
            let convergence =
                SampleStatistics(row.summaries.compactMap { $0.convergenceEpoch.map(Double.init) }).map {
                    $0.formatted(decimals: 1)
                } ?? "-"
            let seconds = SampleStatistics(row.summaries.map(\.trainSeconds)).map { Self.format($0.mean, 1) } ?? "-"
            let circuits = row.summaries.map(\.circuitsExecuted).reduce(0, +) / UInt64(max(row.summaries.count, 1))
            var cells = [
                row.variant.title,
                first.model == "lstm" ? "-" : "\(first.nQubits)",
                first.model == "lstm" ? "-" : "\(first.partitions)",
                "\(first.parameters)",
            ]
            if validation {
                cells.append(
                    SampleStatistics(row.summaries.compactMap(\.r2Validation)).map { $0.formatted(decimals: 4) } ?? "-"
                )
            }
            cells.append(r2)
            if paper { cells.append(row.variant.paper.map { Self.format($0.r2) } ?? "-") }
            cells.append(convergence)
            if paper { cells.append(row.variant.paper.map { "\($0.convergence)" } ?? "-") }
            cells += [seconds, first.model == "lstm" || first.model == "ablation" ? "0" : "\(circuits)"]
            table.append(cells)
        }
        return table
    }

    func lossChart() -> LineChart {
        var series: [LineSeries] = []
        for (index, row) in rows.enumerated() {
            let colour = Colour.palette[index % Colour.palette.count]
            series.append(
                LineSeries(
                    name: "\(row.variant.title) train",
                    y: row.history.map(\.trainLoss),
                    stroke: .solid,
                    colour: colour
                )
            )
            series.append(
                LineSeries(
                    name: "\(row.variant.title) test",
                    y: row.history.map(\.testLoss),
                    stroke: .dashed,
                    colour: colour
                )
            )
        }
        return LineChart(
            title: "Training (solid) and test (dashed) loss, seed 0",
            xLabel: "epoch",
            yLabel: "MSE (scaled units)",
            series: series,
            yScale: .logarithmic
        )
    }

    func predictionChart() -> LineChart {
        var series = [
            LineSeries(name: "ground truth", points: truth, stroke: .solid, colour: Colour(red: 0, green: 0, blue: 0))
        ]
        for (index, row) in rows.enumerated() {
            series.append(
                LineSeries(
                    name: row.variant.title,
                    points: row.testPredictions,
                    stroke: .dashed,
                    colour: Colour.palette[index % Colour.palette.count]
                )
            )
        }
        let yLabel = data.task == .pendulum ? "angular velocity (rad/s)" : targetName
        return LineChart(
            title: "Test span: ground truth and every model, seed 0",
            xLabel: "time",
            yLabel: yLabel,
            series: series
        )
    }

    /// Noisy vs ideal test R^2 of every QLSTM trained on the profile (the same weights, tested
    /// on the profile and on the ideal emulator).
    func noiseTable(_ study: NoiseStudy) -> Table {
        var table = Table(
            headers: [
                "model", "qubits per QPU", "QPUs", "test R^2 on \(study.profile.name)", "same weights, ideal",
                "ideal - noisy", "gradient variance (ideal)", "gradient variance (\(study.profile.name))",
            ],
            alignments: [.left, .right, .right, .right, .right, .right, .right, .right],
            caption:
                "mean ± standard deviation over \(seeds) seed\(seeds == 1 ? "" : "s"); gradient variances over \(study.samples) random initialisations"
        )
        for row in rows where row.variant.model.kind == .qlstm {
            let noisy = row.summaries.map(\.r2Test)
            let ideal = row.summaries.compactMap(\.r2TestIdeal)
            let gap = zip(ideal, noisy).map { $0 - $1 }
            let variance = study.rows.first { $0.label == row.variant.label }
            table.append([
                row.variant.title,
                "\(row.summaries[0].nQubits)",
                "\(row.summaries[0].partitions)",
                SampleStatistics(noisy).map { $0.formatted(decimals: 4) } ?? "-",
                SampleStatistics(ideal).map { $0.formatted(decimals: 4) } ?? "-",
                SampleStatistics(gap).map { $0.formatted(decimals: 4) } ?? "-",
                variance.map { String(format: "%.3g", $0.ideal) } ?? "-",
                variance.map { String(format: "%.3g", $0.noisy) } ?? "-",
            ])
        }
        return table
    }

    /// Gradient variance at initialisation against qubits per QPU, centric and distributed,
    /// ideal and noisy.
    func gradientChart(_ study: NoiseStudy) -> LineChart {
        var series: [LineSeries] = []
        for (index, (distributed, name)) in [(false, "centric"), (true, "distributed")].enumerated() {
            let points = study.rows.filter { $0.distributed == distributed }.sorted {
                $0.qubitsPerQPU < $1.qubitsPerQPU
            }
            guard !points.isEmpty else { continue }
            let colour = Colour.palette[index % Colour.palette.count]
            series.append(
                LineSeries(
                    name: "\(name), ideal",
                    points: points.map { (Double($0.qubitsPerQPU), $0.ideal) },
                    stroke: .solid,
                    colour: colour
                )
            )
            series.append(
                LineSeries(
                    name: "\(name), \(study.profile.name)",
                    points: points.map { (Double($0.qubitsPerQPU), $0.noisy) },
                    stroke: .dashed,
                    colour: colour
                )
            )
        }
        return LineChart(
            title: "Variance of the loss gradient at initialisation (\(study.samples) samples)",
            xLabel: "qubits per QPU",
            yLabel: "mean Var[dL/dθ]",
            series: series,
            yScale: .logarithmic
        )
    }

    func noiseBlocks(_ study: NoiseStudy) -> [ReportBlock] {
        let p = study.profile
        return [
            .heading("Noise: profile \(p.name)", level: 2),
            .paragraph(
                "Every QLSTM trained and was tested on the emulated QPU \(p.name) (p1 \(p.gateError1q), p2 \(p.gateError2q), T1 \(p.t1Seconds.map { "\($0) s" } ?? "none"), T2 \(p.t2Seconds.map { "\($0) s" } ?? "none"), readout \(p.readoutError0to1) / \(p.readoutError1to0), \(rows.first { $0.variant.model.kind == .qlstm }?.manifest["qpuProfile"] as? String ?? "")); the same trained weights were then tested on the ideal emulator. The gradient variance is the variance over \(study.samples) random initialisations (circuit angles uniform in [0, 2π), exact expectations, the MSE on \(study.windows) training windows) of each circuit angle's derivative, averaged over the angles: the barren-plateau measure behind partitioning onto small QPUs."
            ),
            .table(noiseTable(study)),
            .chart(gradientChart(study), fileName: "gradient-variance.svg"),
        ]
    }

    func blocks(markdown: Bool) -> [ReportBlock] {
        var blocks: [ReportBlock] = [
            .paragraph(
                "Each model was trained \(NumberText.count(seeds, "time")) (\(seeds == 1 ? "seed 0" : "seeds 0 to \(seeds - 1)")) for \(NumberText.count(epochs, "epoch")) on \(data.task == nil ? "the series \(targetName) of \(data.name)" : "the \(data.name) benchmark"); R^2 is on the test windows in the series' original units. \(hasPaperFigures ? "The paper's columns are its Tables I and II (single runs). " : "")Testing-epoch convergence, which the paper does not define, is here the first epoch whose test loss is within 5 % of the run's best."
            ),
            .paragraph(protocolSentence),
            .table(table()),
            .heading("Loss curves", level: 2),
            .chart(lossChart(), fileName: "loss-curves.svg"),
            .heading("Predictions", level: 2),
            .chart(predictionChart(), fileName: "predictions.svg"),
        ]
        if let noise { blocks += noiseBlocks(noise) }
        blocks += [
            .heading("Research log", level: 2),
            .keyValues([
                ("cluster", topology.joined(separator: "; ")),
                (
                    "wall time",
                    ProgressLine.duration(wallSeconds)
                        + (reusedRuns > 0
                            ? " for this invocation; \(NumberText.count(reusedRuns, "finished run")) reused, their training time is in the table"
                            : "")
                ),
                ("qlstm version", ProjectVersion.current),
                ("git revision", (rows.first?.manifest["gitRevision"] as? String) ?? "unknown"),
            ]),
        ]
        for row in rows {
            let manifest = row.manifest
            let circuits = (manifest["circuits"] as? [[String: Any]]) ?? []
            let gates =
                circuits.first.map { circuit in
                    ((circuit["gateCounts"] as? [String: Int]) ?? [:]).sorted { $0.key < $1.key }.map {
                        "\($0.key) \($0.value)"
                    }.joined(separator: ", ")
                } ?? "-"
            blocks.append(
                .keyValues([
                    ("model", row.variant.title),
                    ("backend", (manifest["backend"] as? String) ?? "-"),
                    ("QPU profile", (manifest["qpuProfile"] as? String) ?? "-"),
                    (
                        "qubits per QPU",
                        ((manifest["qubitsPerQPU"] as? [Int]) ?? []).map(String.init).joined(separator: ", ")
                    ),
                    ("QPUs per gate", "\((manifest["qpus"] as? Int) ?? 0)"),
                    ("circuit depth (layers)", "\((circuits.first?["depth"] as? Int) ?? 0)"),
                    ("gates per sub-VQC", gates),
                    (
                        "parameters (circuits / classical)",
                        "\((manifest["circuitParameterCount"] as? Int) ?? 0) / \((manifest["classicalParameterCount"] as? Int) ?? 0)"
                    ),
                    (
                        "runs used (fingerprint)",
                        row.summaries.map {
                            "runs/\(row.variant.label)-seed\($0.seed) (\(($0.fingerprint ?? "none").prefix(12)))"
                        }.joined(separator: ", ")
                    ),
                ])
            )
        }
        return blocks
    }

    /// report.md, report.html (self-contained), loss-curves.svg, predictions.svg.
    func write(to directory: URL) throws {
        let title = "QLSTM comparison: \(data.name)"
        let markdown = MarkdownDocument(title: title, blocks: blocks(markdown: true))
        try AtomicFile.write(markdown.render(), to: directory.appendingPathComponent("report.md"))
        for (name, svg) in markdown.chartFiles() {
            try AtomicFile.write(svg, to: directory.appendingPathComponent(name))
        }
        try AtomicFile.write(
            HTMLDocument(title: title, blocks: blocks(markdown: false)).render(),
            to: directory.appendingPathComponent("report.html")
        )
    }
}
