import Datasets
import Foundation
import QLSTM
import QLSTMCluster
import QPUProfiles
import Reports

/// The comparison's report: results over seeds with their spread, conclusions with intervals,
/// per-seed values, R^2 against qubits per QPU, where the training time went, the paper's
/// resource estimate beside the counted circuits, loss curves, predictions and residuals, the
/// noise study with `--profile`, and the research log. The paper's Table I/II figures stand
/// beside ours only for the data it measured them on.
struct ComparisonReport {
    /// One run of one model, as its directory left it.
    struct Run {
        /// `runs/LABEL-seedS`.
        let name: String
        let summary: RunSummary
        let history: [EpochRecord]
        let testPredictions: [(x: Double, y: Double)]
    }

    /// One model over every seed.
    struct Row {
        let variant: CompareCommand.Variant
        let runs: [Run]
        /// The first run's manifest.json, for the research log (`nil` if it is unreadable).
        let manifest: RunManifest?

        var summaries: [RunSummary] { runs.map(\.summary) }
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
    /// The test span's truth, in the series' units.
    let truth: [(x: Double, y: Double)]
    /// Windows per split and their length: what the resource estimate counts.
    let windowCounts: (train: Int, validation: Int, test: Int)
    let wallSeconds: Double
    /// Runs found finished (same fingerprint) and not trained again by this invocation.
    let reusedRuns: Int
    let topology: [String]
    /// Persistence, seasonal naive and the linear autoregression on the same windows.
    var baselines: [BaselineResult] = []
    /// A classification comparison's yardstick: the class of the last move, repeated.
    var classPersistence: ClassPersistence?

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
        windowCounts = (dataset.train.count, dataset.validation.count, dataset.test.count)
        rows = try variants.map { variant in
            let directories = runs[variant.label] ?? []
            let manifest = try? RunDirectory(directories[0]).manifest()
            return Row(variant: variant, runs: try directories.map(Self.readRun), manifest: manifest)
        }
    }

    /// A run directory's summary, history and test predictions.
    static func readRun(_ directory: URL) throws -> Run {
        let run = RunDirectory(directory)
        let summary = try run.summary()
        let history = try run.metrics()
        let csv = try String(contentsOf: run.file(RunDirectory.File.predictions), encoding: .utf8)
        let predictions = csv.split(separator: "\n").dropFirst().compactMap { line -> (Double, Double)? in
            let fields = line.split(separator: ",")
            guard fields.count == 4, fields[3] == "test", let time = Double(fields[0]), let value = Double(fields[2])
            else { return nil }
            return (time, value)
        }
        let name = "runs/" + directory.lastPathComponent
        return Run(name: name, summary: summary, history: history, testPredictions: predictions)
    }

    /// The colour of model `index` in every chart; black is kept for the ground truth.
    static func colour(ofRow index: Int) -> Colour {
        let colours = Colour.palette.filter { $0 != Colour(red: 0, green: 0, blue: 0) }
        return colours[index % colours.count]
    }

    /// Whether the runs had a validation split (not under `--paper-protocol`).
    var hasValidation: Bool { rows.contains { $0.summaries.contains { headlineValidation($0) != nil } } }

    /// Whether any model has a figure in the paper (its Tables I and II: the pendulum and NARMA-5).
    var hasPaperFigures: Bool { rows.contains { $0.variant.paper != nil } }

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
                "Protocol: the paper's code (--paper-protocol): a constant learning rate, min-max scaling fitted on the whole series (test rows included), the reference windowing (the last window dropped) and no validation split, so no model can be chosen without looking at the test windows."
        }
        let windows = data.windows
        let schedule =
            training.schedule == .cosine ? "the learning rate annealed along a cosine to 0" : "a constant learning rate"
        let scaling =
            windows.scalingScope == .wholeSeries
            ? "the whole series (test rows included)" : "the rows of the windows trained on only"
        let validation =
            windows.validationFraction > 0
            ? "the last \(NumberText.fixed(windows.validationFraction * 100, decimals: 0)) % of the training windows held out for validation, in time order (\(windowCounts.train) windows train, \(windowCounts.validation) validate, \(windowCounts.test) test). Choices are made on validation \(headlineName); test \(headlineName) is reported, never tuned on."
            : "no validation split (--validation-fraction 0)."
        return "Protocol: this project's: \(schedule), scaling fitted on \(scaling), \(validation)"
    }

    /// `mean ± std` of `values`, or "-" for none.
    static func statistics(_ values: [Double], decimals: Int = 4) -> String {
        SampleStatistics(values).map { $0.formatted(decimals: decimals) } ?? "-"
    }

    /// The report's blocks, in order.
    func blocks() -> [ReportBlock] {
        if isClassification { return classificationBlocks() }
        var blocks: [ReportBlock] = [
            .paragraph(
                "Each model was trained \(NumberText.count(seeds, "time")) (\(seeds == 1 ? "seed 0" : "seeds 0 to \(seeds - 1)")) for \(NumberText.count(epochs, "epoch")) on \(data.task == nil ? "column \(targetName) of \(URL(fileURLWithPath: data.csvPath ?? data.name).lastPathComponent)" : "the \(data.name) benchmark"); R^2 is in the series' original units. \(hasPaperFigures ? "The paper's columns are its Tables I and II (single runs, its own protocol). " : "")Testing-epoch convergence, which the paper does not define, is here the first epoch whose test loss is within 5 % of the run's best."
            ),
            .paragraph(protocolSentence + transformSentence),
            .table(table()),
        ]
        blocks += conclusionBlocks()
        blocks += [
            .heading("Per-seed values", level: 2),
            .table(perSeedTable()),
            .heading("R^2 against qubits per QPU", level: 2),
            .chart(r2Chart(), fileName: "r2-qubits.svg"),
        ]
        blocks += timeBlocks()
        blocks += resourceBlocks()
        blocks += [
            .heading("Loss curves", level: 2),
            .figures(lossCharts()),
            .heading("Predictions and residuals", level: 2),
            .figures([
                (predictionChart(), "predictions.svg"),
                (residualChart(), "residuals.svg"),
            ]),
        ]
        if let noise { blocks += noiseBlocks(noise) }
        blocks += researchLog()
        return blocks
    }

    /// report.md and report.html (self-contained), with every chart also as an SVG file.
    func write(to directory: URL) throws {
        let title = "QLSTM comparison: \(data.name)"
        let markdown = MarkdownDocument(title: title, blocks: blocks())
        try AtomicFile.write(markdown.render(), to: directory.appendingPathComponent("report.md"))
        for (name, svg) in markdown.chartFiles() {
            try AtomicFile.write(svg, to: directory.appendingPathComponent(name))
        }
        try AtomicFile.write(
            HTMLDocument(title: title, blocks: markdown.blocks).render(),
            to: directory.appendingPathComponent("report.html")
        )
    }
}
