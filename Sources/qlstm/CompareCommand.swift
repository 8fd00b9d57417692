import Cluster
import Datasets
import Foundation
import QLSTM
import QPUProfiles
import Reports
import VariationalCircuits

/// `qlstm compare`: trains the centric and distributed QLSTMs (and a classical LSTM and the
/// ablation) on the same data, over several seeds, and writes the paper's tables and figures.
enum CompareCommand: Command {
    static let name = "compare"
    static let summary = "centric vs distributed QLSTM (vs LSTM, ablation) over seeds: tables, loss curves, predictions"
    static let usage =
        "qlstm compare [--task pendulum] [--qubits 3,4,5,6] [--distributed 2x3 ...] [--with-lstm] [--ablation] [--seeds K] [--out DIR]"
    static let options: [OptionSpec] = [
        .value(
            "task",
            "NAME",
            "benchmark series: " + BenchmarkTask.allCases.map(\.rawValue).joined(separator: ", ")
                + " (default pendulum)"
        ),
        .value("qubits", "Q1,Q2", "centric QLSTMs of these qubit counts, d_x + d_h each (default 3,4,5,6)"),
        .value(
            "distributed",
            "MxQ",
            "a distributed QLSTM of M sub-VQCs of Q qubits (default 2x3; repeatable)",
            repeatable: true
        ),
        .flag("with-lstm", "add a classical LSTM of the paper's hidden size (on by default with no model options)"),
        .flag("ablation", "add the ablation: the distributed QLSTM with affine maps for circuits"),
        .value("seeds", "K", "seeds 0...K-1 per model (default 3)"),
        .value("epochs", "N", "epochs per run (default 100)"),
        .value(
            "profile",
            "NAME|FILE",
            "train and test every QLSTM on this emulated QPU; the report adds noisy vs ideal R^2 and gradient variances"
        ),
        .value("shots", "N|exact", "shots per circuit, or exact expectations (default: the profile's, or exact)"),
        .value("gradient-samples", "K", "random initialisations per model for the gradient variance (default 20)"),
        .value("cluster", "FILE", "evaluate circuits on the workers listed in FILE"),
        .value("local-workers", "N", "the embedded cluster: N worker processes on 127.0.0.1 (default 2)"),
        .value("out", "DIR", "where the report and the runs go (default reports/TASK)"),
        .flag("force", "replace runs in --out that were made with other settings (never done without it)"),
        .flag("quiet", "no progress line"),
    ]

    /// One model of the comparison.
    struct Variant {
        var label: String
        var title: String
        var model: ModelConfiguration
        /// The paper's (R^2, convergence epoch) for this row, when it has one.
        var paper: (r2: Double, convergence: Int)?
    }

    /// Tables I and II of the paper (single runs, 100 epochs).
    static func paperFigures(task: BenchmarkTask, qubits: Int?, distributed: Bool) -> (Double, Int)? {
        let pendulum: [Int: (Double, Int)] = [3: (0.9898, 81), 4: (0.9913, 68), 5: (0.9938, 38), 6: (0.9903, 27)]
        let narma: [Int: (Double, Int)] = [3: (0.5477, 2), 4: (0.8611, 2), 5: (0.2651, 2), 6: (0.7799, 2)]
        switch task {
        case .pendulum: return distributed ? (0.9936, 31) : qubits.flatMap { pendulum[$0] }
        case .narma2, .narma5, .narma10: return distributed ? (0.7523, 2) : qubits.flatMap { narma[$0] }
        case .narma10Random: return nil
        }
    }

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(0, usage: usage)
        let task = try options.choice("task", as: BenchmarkTask.self) ?? .pendulum
        let seeds = try options.int("seeds", in: 1...100) ?? 3
        let epochs = try options.int("epochs", in: 1...100_000) ?? 100
        let out = URL(fileURLWithPath: options.string("out") ?? "reports/\(task.rawValue)")
        let variants = try Self.variants(options, task: task)
        if options.isSet("cluster") && options.isSet("local-workers") {
            throw CommandLineError.conflict("give either --cluster FILE or --local-workers N, not both")
        }
        let data = DataSpecification(
            task: task,
            csvPath: nil,
            targetColumn: nil,
            featureColumns: [],
            timeColumn: nil,
            windows: .init(sequenceLength: 4),
            seriesSeed: 0
        )
        let loaded = try data.load()
        let profile = try options.string("profile").map { try ProfilesCommand.load($0) }
        let shots = (try options.shots(in: 1...10_000_000)) ?? profile?.shots
        let gradientSamples = try options.int("gradient-samples", in: 2...10_000) ?? 20
        if let profile {
            for variant in variants where variant.model.kind == .qlstm {
                var model = variant.model
                model.inputWidth = loaded.dataset.inputWidth
                try TrainCommand.checkFits(
                    RunSpecification(data: data, model: model, training: TrainingSettings(), profile: profile)
                )
            }
        }
        // Every run directory is judged before anything starts: a clash found after an hour of
        // training would waste that hour, and nothing is written for a refused command.
        let force = options.flag("force")
        let plans = try variants.flatMap { variant in
            try (0..<seeds).map { seed in
                try PlannedRun(
                    variant: variant,
                    seed: seed,
                    epochs: epochs,
                    data: data,
                    loaded: loaded,
                    out: out,
                    profile: profile,
                    shots: shots
                )
            }
        }
        if !force, let clash = plans.first(where: \.isDifferent) {
            throw CommandLineError.conflict(
                "\(clash.directory.path) is not this comparison's run: \(clash.differenceReason ?? ""); choose another --out, or give --force to replace it"
            )
        }
        do {
            try FileManager.default.createDirectory(
                at: out.appendingPathComponent("runs"),
                withIntermediateDirectories: true
            )
        } catch {
            throw CommandLineError.conflict("cannot create \(out.path): \(error.localizedDescription)")
        }
        // One cluster for the whole comparison; each run connects its own executor to it.
        var configuration: ClusterConfiguration
        var local: LocalCluster?
        if let file = options.string("cluster") {
            do {
                configuration = try ClusterConfiguration(contentsOf: URL(fileURLWithPath: file))
            } catch let error as ClusterError {
                throw CommandLineError.invalidFile(path: file, message: "\(error)")
            }
            if let profile {
                for index in configuration.workers.indices { configuration.workers[index].profile = profile }
            }
        } else {
            let started = try LocalCluster.start(
                workers: try options.int("local-workers", in: 1...64) ?? 2,
                profile: profile,
                log: try TrainCommand.workerLog(in: out)
            )
            local = started
            configuration = started.configuration
        }
        defer { local?.stop() }

        let progress = options.flag("quiet") ? nil : ProgressLine()
        let notes = Notes()
        let start = Date()
        var reused: [String] = []
        for (index, plan) in plans.enumerated() {
            var checkpoint: Trainer.Checkpoint?
            switch plan.state {
            case .finished:
                reused.append(plan.name)
                continue
            case .unfinished(let file):
                checkpoint = file.checkpoint
                notes.note("\(plan.name): continuing from epoch \(file.checkpoint.completedEpochs) of \(epochs)")
            case .empty:
                break
            case .different(let reason):
                notes.note("\(plan.name): replacing it (--force): \(reason)")
                try RunDirectoryState.clear(plan.directory)
            }
            try FileManager.default.createDirectory(at: plan.directory, withIntermediateDirectories: true)
            let backend =
                plan.specification.model.kind == .qlstm
                ? try await ExecutionBackend.connect(to: configuration, local: local)
                : .inProcess(LocalExecutor(threads: 1))
            do {
                var run = try await TrainingRun(
                    specification: plan.specification,
                    data: loaded,
                    directory: plan.directory,
                    backend: backend,
                    checkpoint: checkpoint
                )
                try await run.train(
                    progress: progress,
                    label: "[\(index + 1)/\(plans.count)] \(plan.variant.title) seed \(plan.seed)"
                )
            } catch {
                await backend.stop(keepingWorkers: true)
                throw error
            }
            await backend.stop(keepingWorkers: true)
        }
        progress?.finish()
        if !reused.isEmpty {
            notes.note(
                "reused \(reused.count) finished run(s) with the same fingerprint: \(reused.joined(separator: ", "))"
            )
        }
        var noise: ComparisonReport.NoiseStudy?
        if let profile {
            noise = try await Self.noiseStudy(
                variants,
                profile: profile,
                samples: gradientSamples,
                loaded: loaded,
                progress: progress
            )
        }
        let report = try ComparisonReport(
            task: task,
            variants: variants,
            runs: Dictionary(grouping: plans, by: \.variant.label).mapValues { $0.map(\.directory) },
            seeds: seeds,
            epochs: epochs,
            dataset: loaded.dataset,
            wallSeconds: Date().timeIntervalSince(start),
            reusedRuns: reused.count,
            noise: noise,
            topology: configuration.workers.map { "\($0.name) \($0.endpoint)" }
        )
        try report.write(to: out)
        print(
            "wrote \(out.appendingPathComponent("report.md").path) and report.html (\(plans.count) runs, \(plans.count - reused.count) trained now, \(reused.count) reused; \(ProgressLine.duration(Date().timeIntervalSince(start))))"
        )
        print(report.table().markdown())
        return 0
    }

    /// The gradient variance at initialisation of every QLSTM, on the ideal emulator and on
    /// `profile`, over `samples` random draws of its angles, on the first 4 training windows.
    static func noiseStudy(
        _ variants: [Variant],
        profile: QPUProfile,
        samples: Int,
        loaded: (series: TimeSeries, dataset: WindowedDataset),
        progress: ProgressLine?
    ) async throws -> ComparisonReport.NoiseStudy {
        let windows = TrainingRun.sequences(Array(loaded.dataset.train.prefix(4)), width: loaded.dataset.inputWidth)
        let measure = GradientVariance(samples: samples)
        var rows: [ComparisonReport.NoiseStudy.Row] = []
        for variant in variants where variant.model.kind == .qlstm {
            progress?.update("gradient variance: \(variant.title), \(samples) samples, ideal and \(profile.name)")
            var model = variant.model
            model.inputWidth = loaded.dataset.inputWidth
            let plan = try model.partitionPlan()
            rows.append(
                .init(
                    label: variant.label,
                    title: variant.title,
                    qubitsPerQPU: plan.parts.map(\.qubits).max() ?? 0,
                    distributed: plan.count > 1,
                    ideal: try await measure.measure(model, profile: nil, on: windows),
                    noisy: try await measure.measure(model, profile: profile, on: windows)
                )
            )
        }
        progress?.finish()
        return .init(profile: profile, samples: samples, windows: windows.targets.count, rows: rows)
    }

    /// One run of the comparison: its settings, its directory and what that directory holds.
    struct PlannedRun {
        let variant: Variant
        let seed: Int
        let directory: URL
        let specification: RunSpecification
        let state: RunDirectoryState

        init(
            variant: Variant,
            seed: Int,
            epochs: Int,
            data: DataSpecification,
            loaded: (series: TimeSeries, dataset: WindowedDataset),
            out: URL,
            profile: QPUProfile?,
            shots: Int?
        ) throws {
            self.variant = variant
            self.seed = seed
            var model = variant.model
            model.inputWidth = loaded.dataset.inputWidth
            let quantum = model.kind == .qlstm
            specification = RunSpecification(
                data: data,
                model: model,
                training: TrainingSettings(epochs: epochs, seed: UInt64(seed), shots: quantum ? shots : nil),
                profile: quantum ? profile : nil
            )
            directory = out.appendingPathComponent("runs/\(variant.label)-seed\(seed)")
            state = RunDirectoryState.inspect(
                directory,
                for: try RunIdentity(specification),
                specification: specification
            )
        }

        /// `runs/LABEL-seedS`, as messages and reports name it.
        var name: String { "runs/\(variant.label)-seed\(seed)" }

        var isDifferent: Bool { differenceReason != nil }

        var differenceReason: String? {
            if case .different(let reason) = state { return reason }
            return nil
        }
    }

    /// The models the options ask for: centric (default 3,4,5,6 qubits) and distributed (default
    /// 2x3) QLSTMs, `none` to leave either out; the classical LSTM with `--with-lstm` or when no
    /// model option is given; the ablation with `--ablation`.
    static func variants(_ options: ParsedOptions, task: BenchmarkTask) throws -> [Variant] {
        var variants: [Variant] = []
        let qubitList = options.string("qubits") ?? "3,4,5,6"
        let qubits =
            try qubitList == "none"
            ? []
            : qubitList.split(separator: ",").map { text -> Int in
                guard let q = Int(text.trimmingCharacters(in: .whitespaces)), (2...25).contains(q) else {
                    throw CommandLineError.invalidValue(
                        option: "--qubits",
                        value: String(text),
                        expected: "qubit counts from 2 to 25, such as 3,4,5,6, or none"
                    )
                }
                return q
            }
        for q in qubits {
            // Centric: one circuit of d_x + d_h qubits per gate, so d_h = q - 1.
            variants.append(
                Variant(
                    label: "centric-\(q)q",
                    title: "Centric QLSTM (\(q) qubits)",
                    model: ModelConfiguration(hiddenSize: q - 1),
                    paper: paperFigures(task: task, qubits: q, distributed: false)
                )
            )
        }
        let given = options.strings("distributed")
        let shapes = given.isEmpty ? ["2x3"] : given == ["none"] ? [] : given
        var distributed: [(String, ModelConfiguration)] = []
        for shape in shapes {
            let parts = shape.lowercased().split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, (2...64).contains(parts[0]), (1...25).contains(parts[1]) else {
                throw CommandLineError.invalidValue(
                    option: "--distributed",
                    value: shape,
                    expected: "MxQ: M sub-VQCs of Q qubits, such as 2x3, or none"
                )
            }
            let (m, q) = (parts[0], parts[1])
            // The paper's distributed QLSTM keeps d_h = 5 on two 3-qubit QPUs: the parts hold
            // the d_x + d_h inputs, so d_h = M q - 1.
            let model = ModelConfiguration(hiddenSize: m * q - 1, qubits: q, partitions: m)
            _ = try model.partitionPlan()
            distributed.append(("\(m)x\(q)q", model))
            variants.append(
                Variant(
                    label: "distributed-\(m)x\(q)q",
                    title: "Distributed QLSTM (\(m) x \(q) qubits)",
                    model: model,
                    paper: m == 2 && q == 3 ? paperFigures(task: task, qubits: nil, distributed: true) : nil
                )
            )
        }
        if options.flag("ablation") {
            var ablation = distributed.first?.1 ?? ModelConfiguration(hiddenSize: 5, qubits: 3, partitions: 2)
            ablation.kind = .ablation
            variants.append(
                Variant(
                    label: "ablation-\(distributed.first?.0 ?? "2x3q")",
                    title: "Ablation (affine parts, \(distributed.first?.0 ?? "2x3q"))",
                    model: ablation,
                    paper: nil
                )
            )
        }
        let modelOptions = ["qubits", "distributed", "with-lstm", "ablation"].contains(where: options.isSet)
        if options.flag("with-lstm") || !modelOptions {
            variants.append(
                Variant(
                    label: "lstm",
                    title: "Classical LSTM (hidden 5)",
                    model: ModelConfiguration(kind: .lstm),
                    paper: nil
                )
            )
        }
        guard !variants.isEmpty else {
            throw CommandLineError.conflict(
                "no model to compare: give --qubits, --distributed, --with-lstm or --ablation"
            )
        }
        return variants
    }
}
