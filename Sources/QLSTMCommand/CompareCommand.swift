import Cluster
import Datasets
import Foundation
import QLSTM
import QLSTMCluster
import QPUProfiles
import Reports
import VariationalCircuits

/// `qlstm compare`: trains the centric and distributed QLSTMs (and a classical LSTM and the
/// ablation) on the same data, over several seeds, and writes the paper's tables and figures.
enum CompareCommand: Command {
    static let name = "compare"
    static let summary = "centric vs distributed QLSTM (vs LSTM, ablation) over seeds: tables, loss curves, predictions"
    static let usage =
        "qlstm compare [--task pendulum | --csv FILE --column C] [--qubits 3,4,5,6] [--distributed 2x3 ...] [--with-lstm] [--ablation] [--seeds K] [DATA, CIRCUIT AND TRAINING OPTIONS] [--out DIR]"
    static let options: [OptionSpec] =
        [
            .value(
                "qubits",
                "Q1,Q2",
                "centric QLSTMs of these qubit counts, d_x + d_h each (default 3,4,5,6; d_x is the inputs per step)"
            ),
            .value(
                "distributed",
                "MxQ",
                "a distributed QLSTM of M sub-VQCs of Q qubits, d_h = M Q - d_x (default 2x3; repeatable)",
                repeatable: true
            ),
            .flag("with-lstm", "add a classical LSTM of the paper's hidden size (on by default with no model options)"),
            .flag("ablation", "add the ablation: the distributed QLSTM with affine maps for circuits"),
            .value("seeds", "K", "seeds 0...K-1 per model (default 3)"),
        ] + baselineSpecs + RunOptions.dataSpecs + ObjectiveOptions.specs + RunOptions.circuitSpecs
        + RunOptions.trainingSpecs.filter { $0.name != "seed" } + [
            .value(
                "gradient-samples",
                "K",
                "with --profile: random initialisations per model for the gradient variance (default 20)"
            ),
            .value("cluster", "FILE", "evaluate circuits on the workers listed in FILE (start the workers first)"),
            .value("local-workers", "N", "the embedded cluster: N worker processes on 127.0.0.1 (default 2)"),
            Verification.optionSpec,
            .value("out", "DIR", "where the report and the runs go (default reports/TASK, or reports/CSV-NAME)"),
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

    /// Tables I and II of the paper (single runs, 100 epochs), for the data it measured them on:
    /// the pendulum and NARMA-5 (its NARMA figures match NARMA-5, REFERENCE.md), windows of 4
    /// predicting the next value. Any other data has no paper figure to stand beside.
    static func paperFigures(data: DataSpecification, qubits: Int?, distributed: Bool) -> (Double, Int)? {
        let windows = data.windows
        guard windows.sequenceLength == 4, windows.horizon == 1, windows.principalComponents == nil else {
            return nil
        }
        let pendulum: [Int: (Double, Int)] = [3: (0.9898, 81), 4: (0.9913, 68), 5: (0.9938, 38), 6: (0.9903, 27)]
        let narma: [Int: (Double, Int)] = [3: (0.5477, 2), 4: (0.8611, 2), 5: (0.2651, 2), 6: (0.7799, 2)]
        switch data.task {
        case .pendulum: return distributed ? (0.9936, 31) : qubits.flatMap { pendulum[$0] }
        case .narma5: return distributed ? (0.7523, 2) : qubits.flatMap { narma[$0] }
        case .narma2, .narma10, .narma10Random, nil: return nil
        }
    }

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(0, usage: usage)
        let seeds = try options.int("seeds", in: 1...100) ?? 3
        if options.isSet("cluster") && options.isSet("local-workers") {
            throw CommandLineError.conflict("give either --cluster FILE or --local-workers N, not both")
        }
        var data = try RunOptions.data(from: options, seriesSeed: 0)
        let loaded = try data.load()
        let classCount = try ObjectiveOptions.classes(from: options)
        let baselines = try classCount == nil ? Self.baselines(options, loaded: loaded) : []
        if classCount != nil, options.isSet("season") {
            throw CommandLineError.conflict(
                "--season adds a seasonal naive forecast of values; a classification comparison measures its models against persistence of the move's class: drop --season"
            )
        }
        let out = URL(fileURLWithPath: options.string("out") ?? "reports/\(data.name)")
        var variants = try Self.variants(
            options,
            data: data,
            inputWidth: loaded.dataset.inputWidth,
            ansatz: try RunOptions.ansatz(from: options)
        )
        if try options.choice("architecture", as: Architecture.self) == .chen2020 {
            // Every quantum model (and the ablation) gets VQC5 and VQC6; the paper's figures
            // are of four-VQC models, so no row stands beside them.
            for index in variants.indices where variants[index].model.kind != .lstm {
                variants[index].model.architecture = .chen2020
                variants[index].label += "-chen2020"
                variants[index].title += ", six VQCs"
                variants[index].paper = nil
                _ = try variants[index].model.cellOutputPlan()
            }
        }
        variants = variants.map { $0.classifying(into: classCount) }
        data.classes = try classCount.map { try MoveClasses.fitted(count: $0, to: loaded.dataset, of: loaded.series) }
        let profile = try RunOptions.profile(from: options)
        let training = try RunOptions.training(from: options, profile: profile)
        let gradientSamples = try options.int("gradient-samples", in: 2...10_000) ?? 20
        // Every run of a comparison is on a cluster; each checks with its own seed.
        let verification = try Verification.fromOptions(
            options,
            seed: 0,
            shots: training.shots,
            profile: profile,
            onCluster: true
        )
        if let profile {
            for variant in variants where variant.model.kind == .qlstm {
                try TrainCommand.checkFits(
                    RunSpecification(data: data, model: variant.model, training: training, profile: profile)
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
                    data: data,
                    training: training,
                    out: out,
                    profile: profile
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
        Interrupt.onInterrupt {
            "interrupted: finished runs are kept in \(out.path)/runs and the stopped one has its last epoch's checkpoint; the same command continues: \(Interrupt.commandLine)"
        }
        let weights = Self.epochWeights(plans, dataset: loaded.dataset)
        let overall = progress.map { progress in
            OverallProgress(
                total: zip(plans, weights).reduce(0) { $0 + $1.1 * Double($1.0.remainingEpochs) },
                progress: progress
            )
        }
        var reused: [String] = []
        for (index, (plan, weight)) in zip(plans, weights).enumerated() {
            var checkpoint: Trainer.Checkpoint?
            switch plan.state {
            case .finished:
                reused.append(plan.name)
                continue
            case .unfinished(let file):
                checkpoint = file.checkpoint
                notes.note(
                    "\(plan.name): continuing from epoch \(file.checkpoint.completedEpochs) of \(training.epochs)"
                )
            case .empty:
                break
            case .different(let reason):
                notes.note("\(plan.name): replacing it (--force): \(reason)")
                try RunDirectoryState.clear(plan.directory)
            }
            try FileManager.default.createDirectory(at: plan.directory, withIntermediateDirectories: true)
            let backend =
                plan.specification.model.kind == .qlstm
                ? try await ExecutionBackend.connect(
                    to: configuration.verifying(verification, seed: plan.specification.training.seed),
                    local: local,
                    progress: progress
                )
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
                    label: "[\(index + 1)/\(plans.count)] \(plan.variant.title) seed \(plan.seed)",
                    onEpoch: { _ in overall?.add(weight) }
                )
            } catch let error as ClusterError where !error.isBadPlan {
                await backend.stop(keepingWorkers: true)
                throw CompareInterrupted(cause: "\(error)", run: plan.name, out: out.path)
            } catch {
                await backend.stop(keepingWorkers: true)
                throw error
            }
            await backend.stop(keepingWorkers: true)
        }
        progress?.setOverall(nil)
        progress?.finish()
        if !reused.isEmpty {
            notes.note(
                "reused \(NumberText.count(reused.count, "finished run")) with the same fingerprint: \(reused.joined(separator: ", "))"
            )
        }
        var noise: ComparisonReport.NoiseStudy?
        if let profile {
            noise = try await Self.noiseStudy(
                variants,
                profile: profile,
                samples: gradientSamples,
                loaded: loaded,
                classes: data.classes,
                progress: progress
            )
        }
        var report = try ComparisonReport(
            data: data,
            targetName: loaded.series.targetName,
            variants: variants,
            runs: Dictionary(grouping: plans, by: \.variant.label).mapValues { $0.map(\.directory) },
            seeds: seeds,
            training: training,
            dataset: loaded.dataset,
            wallSeconds: Date().timeIntervalSince(start),
            reusedRuns: reused.count,
            noise: noise,
            topology: configuration.workers.map { "\($0.name) \($0.endpoint)" }
        )
        report.baselines = baselines
        report.classPersistence = data.classes.map { ComparisonReport.ClassPersistence($0, data: loaded) }
        try report.write(to: out)
        try report.writeBaselines(to: out)
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
        classes: MoveClasses?,
        progress: ProgressLine?
    ) async throws -> ComparisonReport.NoiseStudy {
        let windows = TrainingRun.sequences(Array(loaded.dataset.train.prefix(4)), of: loaded, classes: classes)
        let measure = GradientVariance(samples: samples)
        var rows: [ComparisonReport.NoiseStudy.Row] = []
        for variant in variants where variant.model.kind == .qlstm {
            progress?.update("gradient variance: \(variant.title), \(samples) samples, ideal and \(profile.name)")
            let model = variant.model
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

        /// - Parameter training: the comparison's settings; the seed is this run's, and models
        ///   without circuits drop the circuit settings (shots, derivatives), which cannot change
        ///   their result, so that their fingerprint does not change with them.
        init(
            variant: Variant,
            seed: Int,
            data: DataSpecification,
            training: TrainingSettings,
            out: URL,
            profile: QPUProfile?
        ) throws {
            self.variant = variant
            self.seed = seed
            let quantum = variant.model.kind == .qlstm
            var training = training
            training.seed = UInt64(seed)
            if !quantum {
                training.shots = nil
                training.differentiation = TrainingSettings().differentiation
            }
            specification = RunSpecification(
                data: data,
                model: variant.model,
                training: training,
                profile: quantum ? profile : nil
            )
            directory = out.appendingPathComponent("runs/\(variant.label)-seed\(seed)")
            state = RunDirectoryState.inspect(
                directory,
                for: try RunIdentity(specification),
                specification: specification
            )
        }

        /// Epochs this invocation has to train: none for a finished run, the rest for a stopped one.
        var remainingEpochs: Int {
            switch state {
            case .finished: 0
            case .unfinished(let file): max(0, specification.training.epochs - file.checkpoint.completedEpochs)
            case .empty, .different: specification.training.epochs
            }
        }

        /// `runs/LABEL-seedS`, as messages and reports name it.
        var name: String { "runs/\(variant.label)-seed\(seed)" }

        var isDifferent: Bool { differenceReason != nil }

        var differenceReason: String? {
            if case .different(let reason) = state { return reason }
            return nil
        }
    }

    /// What one epoch of each run costs, for the overall progress: its circuit runs (the
    /// resource estimate) for a QLSTM; for a model without circuits a hundredth of the cheapest
    /// QLSTM's, about what its epoch takes beside one (1 when no model has circuits).
    static func epochWeights(_ plans: [PlannedRun], dataset: WindowedDataset) -> [Double] {
        let circuits = plans.map { plan -> Double? in
            guard plan.specification.model.kind == .qlstm else { return nil }
            return try? Double(
                ResourceEstimate(
                    model: plan.specification.model,
                    training: plan.specification.training,
                    trainWindows: dataset.train.count,
                    evaluatedWindows: dataset.validation.count + dataset.test.count,
                    timeSteps: plan.specification.data.windows.sequenceLength
                ).circuitsPerEpoch
            )
        }
        let classical = (circuits.compactMap { $0 }.min() ?? 100) / 100
        return circuits.map { $0 ?? classical }
    }

    /// The models the options ask for: centric (default 3,4,5,6 qubits) and distributed (default
    /// 2x3) QLSTMs, `none` to leave either out; the classical LSTM with `--with-lstm` or when no
    /// model option is given; the ablation with `--ablation`.
    /// - Parameters:
    ///   - inputWidth: d_x, the data's inputs per time step: a model of Q qubits in all has
    ///     d_h = Q - d_x hidden units.
    ///   - ansatz: the circuit of every QLSTM.
    static func variants(
        _ options: ParsedOptions,
        data: DataSpecification,
        inputWidth: Int,
        ansatz: Ansatz
    ) throws -> [Variant] {
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
                guard q > inputWidth else {
                    throw CommandLineError.invalidValue(
                        option: "--qubits",
                        value: String(text),
                        expected:
                            "more qubits than the \(inputWidth) inputs per time step, so that d_h = Q - d_x is at least 1 (or reduce the inputs with --pca)"
                    )
                }
                return q
            }
        for q in qubits {
            // Centric: one circuit of d_x + d_h qubits per gate, so d_h = q - d_x.
            variants.append(
                Variant(
                    label: "centric-\(q)q",
                    title: "Centric QLSTM (\(q) qubits)",
                    model: ModelConfiguration(inputWidth: inputWidth, hiddenSize: q - inputWidth, ansatz: ansatz),
                    paper: paperFigures(data: data, qubits: q, distributed: false)
                )
            )
        }
        let given = options.strings("distributed")
        let shapes = given.isEmpty ? ["2x3"] : given == ["none"] ? [] : given
        var distributed: [(String, ModelConfiguration)] = []
        for shape in shapes {
            let parts = shape.lowercased().split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, (2...64).contains(parts[0]), (1...25).contains(parts[1]),
                parts[0] * parts[1] > inputWidth
            else {
                throw CommandLineError.invalidValue(
                    option: "--distributed",
                    value: shape,
                    expected:
                        "MxQ: M sub-VQCs of Q qubits, such as 2x3, with M Q above the \(inputWidth) inputs per time step; or none"
                )
            }
            let (m, q) = (parts[0], parts[1])
            // The paper's distributed QLSTM keeps d_h = 5 on two 3-qubit QPUs: the parts hold
            // the d_x + d_h inputs, so d_h = M q - d_x.
            let model = ModelConfiguration(
                inputWidth: inputWidth,
                hiddenSize: m * q - inputWidth,
                qubits: q,
                partitions: m,
                ansatz: ansatz
            )
            _ = try model.partitionPlan()
            distributed.append(("\(m)x\(q)q", model))
            variants.append(
                Variant(
                    label: "distributed-\(m)x\(q)q",
                    title: "Distributed QLSTM (\(m) x \(q) qubits)",
                    model: model,
                    paper: m == 2 && q == 3 ? paperFigures(data: data, qubits: nil, distributed: true) : nil
                )
            )
        }
        if options.flag("ablation") {
            var ablation =
                distributed.first?.1
                ?? ModelConfiguration(
                    inputWidth: inputWidth,
                    hiddenSize: max(1, 6 - inputWidth),
                    qubits: 3,
                    partitions: 2
                )
            ablation.kind = .ablation
            // Affine maps have no circuit: the circuit options cannot change this model.
            ablation.ansatz = .paper
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
                    model: ModelConfiguration(kind: .lstm, inputWidth: inputWidth),
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

/// A comparison stopped by its cluster (no capable worker left): what happened, which run
/// stopped, and that the same command continues (finished runs are reused, the stopped one
/// resumes from its checkpoint).
struct CompareInterrupted: Error, CustomStringConvertible {
    let cause: String
    let run: String
    let out: String

    var description: String {
        "\(cause); \(run) in \(out) keeps its last epoch's checkpoint and the finished runs are kept; the same command continues: \(Interrupt.commandLine)"
    }
}
