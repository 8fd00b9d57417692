import Cluster
import Datasets
import Foundation
import QLSTM
import QPUProfiles
import VariationalCircuits

/// `qlstm train`: trains one model and writes its run directory.
enum TrainCommand: Command {
    static let name = "train"
    static let summary = "train a QLSTM (centric or distributed), a classical LSTM or the ablation"
    static let usage = "qlstm train [--task pendulum | --csv FILE --column C] [--model qlstm] [OPTIONS] --out DIR"
    static let options: [OptionSpec] =
        RunOptions.specs + [
            .value("out", "DIR", "the run directory (default runs/TASK-MODEL-SEED)"),
            .flag("resume", "continue the run in --out from its last completed epoch"),
            .flag("force", "replace a run in --out made with other settings (or train a finished one again)"),
            .value("threads", "N", "threads for in-process circuits (default: every core)"),
            .value("cluster", "FILE", "evaluate circuits on the workers listed in FILE (see cluster.json)"),
            .value("local-workers", "N", "start N worker processes on 127.0.0.1 for this run and use them"),
            .flag("quiet", "no progress line"),
        ]

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(0, usage: usage)
        let resume = options.flag("resume")
        var specification: RunSpecification
        let directory: URL
        var checkpoint: Trainer.Checkpoint?
        if resume {
            guard let out = options.string("out") else {
                throw CommandLineError.missingArgument("--out DIR (the run to resume)", usage: usage)
            }
            directory = URL(fileURLWithPath: out)
            let file = try ModelFile.read(from: directory.appendingPathComponent("model.json"))
            let allowed: Set<String> = ["out", "resume", "threads", "quiet", "epochs", "cluster", "local-workers"]
            if let extra = RunOptions.specs.map(\.name).first(where: { options.isSet($0) && !allowed.contains($0) }) {
                throw CommandLineError.conflict(
                    "--\(extra) cannot change a run being resumed (its settings are in \(out)/model.json): only --epochs, --threads, --cluster, --local-workers and --quiet may be given with --resume"
                )
            }
            specification = file.specification
            if let epochs = try options.int("epochs", in: 1...100_000) { specification.training.epochs = epochs }
            checkpoint = file.checkpoint
        } else {
            specification = try RunOptions.specification(from: options)
            let out =
                options.string("out")
                ?? "runs/\(specification.data.name)-\(RunOptions.label(specification.model))-seed\(specification.training.seed)"
            directory = URL(fileURLWithPath: out)
        }
        // Everything that can be refused is checked before the run directory is made.
        let data = try specification.data.load()
        specification.model.inputWidth = data.dataset.inputWidth
        if specification.model.kind != .lstm { try Self.checkFits(specification) }
        let notes = Notes()
        if !resume {
            // The same settings in the same place continue or reuse the run; other settings
            // never overwrite it silently.
            let out = directory.path
            switch RunDirectoryState.inspect(
                directory,
                for: try RunIdentity(specification),
                specification: specification
            ) {
            case .empty:
                break
            case .finished where !options.flag("force"):
                let summary = try JSONDecoder().decode(
                    RunSummary.self,
                    from: Data(contentsOf: directory.appendingPathComponent("summary.json"))
                )
                notes.note(
                    "\(out) already holds this run, finished (same fingerprint): nothing to train; --force trains it again"
                )
                print(Self.resultLine(summary, directory: directory))
                return 0
            case .unfinished(let file) where !options.flag("force"):
                checkpoint = file.checkpoint
                notes.note(
                    "\(out) holds this run, stopped after epoch \(file.checkpoint.completedEpochs): continuing it"
                )
            case .different(let reason) where !options.flag("force"):
                throw CommandLineError.conflict(
                    "\(out) already holds another run: \(reason); continue that one with --resume --out \(out), choose another --out, or give --force to replace it"
                )
            case .finished, .unfinished, .different:
                notes.note("\(out): replacing the run it held (--force)")
                try RunDirectoryState.clear(directory)
            }
        }
        let isNewDirectory = !FileManager.default.fileExists(atPath: directory.path)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw CommandLineError.conflict(
                "cannot create the run directory \(directory.path): \(error.localizedDescription)"
            )
        }
        let backend = try await ExecutionBackend.start(
            options: options,
            profile: specification.profile,
            log: try Self.workerLog(in: directory)
        )
        do {
            var run = try await TrainingRun(
                specification: specification,
                data: data,
                directory: directory,
                backend: backend,
                checkpoint: checkpoint
            )
            let summary = try await run.train(progress: options.flag("quiet") ? nil : ProgressLine())
            print(Self.resultLine(summary, directory: directory))
        } catch let error as ClusterError where error.isBadPlan {
            // Refused before the first epoch: leave nothing behind that this command made.
            await backend.stop()
            if isNewDirectory { try? FileManager.default.removeItem(at: directory) }
            throw CommandLineError.conflict("\(error)")
        } catch let error as ClusterError {
            await backend.stop()
            throw TrainingInterrupted(
                cause: "\(error)",
                directory: directory.path,
                backendOptions: Self.backendOptions(options)
            )
        } catch {
            await backend.stop()
            throw error
        }
        await backend.stop()
        return 0
    }

    /// The partition plan is valid and, with a profile, every sub-VQC fits its QPU: refused
    /// before anything is written.
    static func checkFits(_ specification: RunSpecification) throws {
        let plan = try specification.model.partitionPlan()
        if let profile = specification.profile, let widest = plan.parts.map(\.qubits).max(), widest > profile.qubits {
            throw CommandLineError.conflict(
                "a sub-VQC of this model needs \(widest) qubits but profile \(profile.name) holds \(profile.qubits): raise --partitions or lower --n-qubits"
            )
        }
    }

    /// One line on standard output, for scripts and logs; the details are in the files.
    static func resultLine(_ summary: RunSummary, directory: URL) -> String {
        "\(summary.label) on \(summary.task): \(summary.epochs) epochs, test R^2 "
            + "\(String(format: "%.4f", summary.r2Test)), test MSE \(String(format: "%.4g", summary.mseTest)), "
            + "\(summary.parameters) parameters, \(String(format: "%.1f", summary.trainSeconds)) s of training; "
            + "results in \(directory.path)"
    }

    /// `--cluster FILE` or `--local-workers N` as given, to repeat in a resume hint.
    static func backendOptions(_ options: ParsedOptions) -> String {
        if let file = options.string("cluster") { return " --cluster \(file)" }
        if let count = options.string("local-workers") { return " --local-workers \(count)" }
        return ""
    }

    /// Local workers' log lines go to `workers.log` in the run directory.
    static func workerLog(in directory: URL) throws -> FileHandle {
        let url = directory.appendingPathComponent("workers.log")
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: url)
        handle.seekToEndOfFile()
        return handle
    }
}

/// A run stopped by its executor (no capable worker left): what happened, where the last
/// checkpoint is and how to continue.
struct TrainingInterrupted: Error, CustomStringConvertible {
    let cause: String
    let directory: String
    let backendOptions: String

    var description: String {
        let model = URL(fileURLWithPath: directory).appendingPathComponent("model.json")
        let epochs = (try? ModelFile.read(from: model))?.checkpoint.completedEpochs
        let checkpoint =
            epochs.map { "the last checkpoint, after epoch \($0), is \(model.path)" } ?? "no epoch was completed"
        return "\(cause); \(checkpoint); continue with: qlstm train --resume --out \(directory)\(backendOptions)"
    }
}

/// The options that fix a run (shared by `train` and `compare`), and their translation into a
/// `RunSpecification`.
enum RunOptions {
    static let specs: [OptionSpec] = [
        .value(
            "task",
            "NAME",
            "benchmark series: " + BenchmarkTask.allCases.map(\.rawValue).joined(separator: ", ")
                + " (default pendulum)"
        ),
        .value("csv", "FILE", "read the series from a CSV file instead of a benchmark"),
        .value("column", "C", "the CSV target column, by name or 0-based index (default 0)"),
        .value("features", "C1,C2", "CSV feature columns (default: the target column alone)"),
        .value("time-column", "C", "a CSV column holding the time index (default: the row number)"),
        .value("model", "KIND", "qlstm, lstm or ablation (default qlstm)"),
        .value("n-qubits", "Q", "qubits per sub-VQC, 1...25 (default: one per input, d_x + d_h when centric)"),
        .value("partitions", "M", "sub-VQCs per gate, 1...64 (default 1: centric)"),
        .value("hidden-size", "H", "d_h, 1...1000 (default 5)"),
        .value("depth", "D", "variational layers, 1...30 (default 5)"),
        .value("n-qlayers", "R", "entangling repetitions per layer, 1...5 (default 1)"),
        .value("encoding", "E", "paper, arctan, angle-x or angle-y (default paper)"),
        .value("ansatz", "A", "entangler: brick, ring or strongly-entangling (default brick)"),
        .value("rotations", "R", "ry, xyz or rot (default ry)"),
        .flag("projection", "classical maps from v_t to the circuits and from their outputs to d_h"),
        .flag("bidirectional", "a second LSTM reads each window backwards"),
        .flag("inversward", "read each window from its last element to its first"),
        .value("diff-method", "M", "parameter-shift or adjoint (default parameter-shift)"),
        .value("shots", "N|exact", "sample every circuit with N shots, 1...10000000, or exact (default exact, or the profile's)"),
        .value(
            "profile",
            "NAME|FILE",
            "emulate this QPU (noise, shots, size; `qlstm profiles`); on a cluster, every worker must emulate it"
        ),
        .value("optimizer", "O", "sgd, rmsprop or adam (default rmsprop)"),
        .value("lr", "X", "learning rate (default 0.01)"),
        .value("momentum", "X", "SGD momentum, 0...1 (default 0)"),
        .value("lr-schedule", "S", "cosine (anneal to 0 over the run) or constant (default cosine)"),
        .value("loss", "L", "mse or mae (default mse)"),
        .value("epochs", "N", "training epochs (default 100)"),
        .value("batch-size", "B", "windows per mini-batch (default 10)"),
        .value("seq-len", "L", "time steps per window (default 4)"),
        .value("horizon", "H", "predict the value H steps after the window (default 1)"),
        .value("train-fraction", "F", "the first F of the windows train, the rest test (default 0.67)"),
        .value("scaling", "S", "minmax (to [-1, 1]) or zscore (default minmax)"),
        .flag(
            "whole-series-scaling",
            "fit the scaling on the whole series, as the paper's code does (leaks test data)"
        ),
        .flag("reference-windowing", "drop the last window, as the paper's code does (157/78 pendulum split)"),
        .value("pca", "K", "reduce the feature columns to K principal components"),
        .value("seed", "S", "seed of weights, shuffling and shots (default 0)"),
        .flag("no-shuffle", "visit the training windows in time order every epoch"),
    ]

    /// A short label such as `qlstm-6q`, `qlstm-2x3q`, `lstm`.
    static func label(_ model: ModelConfiguration) -> String {
        switch model.kind {
        case .lstm: return "lstm"
        case .qlstm, .ablation:
            let plan = try? model.partitionPlan()
            let qubits = plan?.parts.first?.qubits ?? 0
            let shape = model.partitions == 1 ? "\(qubits)q" : "\(model.partitions)x\(qubits)q"
            return "\(model.kind.rawValue)-\(shape)"
        }
    }

    static func specification(from options: ParsedOptions) throws -> RunSpecification {
        let csv = options.string("csv")
        let task = try options.choice("task", as: BenchmarkTask.self)
        if csv != nil && task != nil { throw CommandLineError.conflict("give either --task or --csv, not both") }
        if csv == nil, let flag = ["column", "features", "time-column"].first(where: options.isSet) {
            throw CommandLineError.conflict("--\(flag) needs --csv FILE")
        }
        let scaling: Scaler.Kind
        switch options.string("scaling") ?? "minmax" {
        case "minmax": scaling = .minMax()
        case "zscore": scaling = .zScore
        case let other:
            throw CommandLineError.invalidValue(option: "--scaling", value: other, expected: "minmax or zscore")
        }
        let windows = WindowedDataset.Configuration(
            sequenceLength: try options.int("seq-len", in: 1...10_000) ?? 4,
            horizon: try options.int("horizon", in: 1...10_000) ?? 1,
            trainFraction: try options.double("train-fraction", in: 0.01...0.99) ?? 0.67,
            scaling: scaling,
            scalingScope: options.flag("whole-series-scaling") ? .wholeSeries : .trainingRows,
            principalComponents: try options.int("pca", in: 1...1000),
            referenceWindowing: options.flag("reference-windowing")
        )
        let data = DataSpecification(
            task: csv == nil ? (task ?? .pendulum) : nil,
            csvPath: csv,
            targetColumn: options.string("column").map(CSVColumn.init(argument:)),
            featureColumns: (options.string("features") ?? "").split(separator: ",").map {
                CSVColumn(argument: String($0))
            },
            timeColumn: options.string("time-column").map(CSVColumn.init(argument:)),
            windows: windows,
            seriesSeed: try options.uint64("seed") ?? 0
        )
        let ansatz = Ansatz(
            encoding: try options.choice("encoding", as: Encoding.self) ?? .paper,
            entangler: try options.choice("ansatz", as: EntanglingPattern.self) ?? .brick,
            rotations: try options.choice("rotations", as: RotationLayer.self) ?? .ry,
            depth: try options.int("depth", in: Ansatz.depthRange) ?? 5,
            entanglingRepetitions: try options.int("n-qlayers", in: Ansatz.entanglingRepetitionsRange) ?? 1
        )
        let model = ModelConfiguration(
            kind: try options.choice("model", as: ModelKind.self) ?? .qlstm,
            inputWidth: 1,
            hiddenSize: try options.int("hidden-size", in: ModelConfiguration.hiddenSizeRange) ?? 5,
            qubits: try options.int("n-qubits", in: 1...25),
            partitions: try options.int("partitions", in: ModelConfiguration.partitionsRange) ?? 1,
            ansatz: ansatz,
            projection: options.flag("projection"),
            bidirectional: options.flag("bidirectional"),
            inversward: options.flag("inversward")
        )
        if model.kind == .lstm,
            let flag = [
                "n-qubits", "partitions", "depth", "n-qlayers", "encoding", "ansatz", "rotations", "projection",
                "diff-method", "shots", "profile",
            ].first(where: options.isSet)
        {
            throw CommandLineError.conflict(
                "--\(flag) does not apply to --model lstm (a classical LSTM has no circuits)"
            )
        }
        var optimizer = OptimizerSettings(
            kind: try options.choice("optimizer", as: OptimizerSettings.Kind.self) ?? .rmsprop,
            learningRate: try options.double("lr", in: 1e-12...10) ?? 0.01
        )
        if let momentum = try options.double("momentum", in: 0...1) {
            guard optimizer.kind == .sgd else {
                throw CommandLineError.conflict("--momentum applies to --optimizer sgd only")
            }
            optimizer.momentum = momentum
        }
        let method = try options.choice("diff-method", as: DifferentiationMethod.self) ?? .parameterShift
        let profile = try options.string("profile").map { try ProfilesCommand.load($0) }
        if method == .adjoint, let profile, !profile.isNoiseless {
            throw CommandLineError.conflict(
                "--diff-method adjoint needs a pure state, and profile \(profile.name) is noisy: use --diff-method parameter-shift"
            )
        }
        let shots = (try options.shots(in: 1...10_000_000)) ?? profile?.shots
        if method == .adjoint && shots != nil {
            throw CommandLineError.conflict(
                "--diff-method adjoint needs exact simulation: drop --shots or use --diff-method parameter-shift"
            )
        }
        let training = TrainingSettings(
            epochs: try options.int("epochs", in: 1...100_000) ?? 100,
            batchSize: try options.int("batch-size", in: 1...100_000) ?? 10,
            loss: try options.choice("loss", as: Loss.self) ?? .mse,
            optimizer: optimizer,
            seed: try options.uint64("seed") ?? 0,
            differentiation: method,
            shots: shots,
            shuffle: !options.flag("no-shuffle"),
            schedule: try options.choice("lr-schedule", as: LearningRateSchedule.self) ?? .cosine
        )
        return RunSpecification(data: data, model: model, training: training, profile: profile)
    }
}
