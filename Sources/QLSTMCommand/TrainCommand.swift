import Cluster
import Datasets
import Foundation
import QLSTM
import QLSTMCluster
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
            .value(
                "warm-start",
                "RUN",
                "start from this trained model's weights and scaler (same architecture), on the data given"
            ),
            .flag("refit-scaler", "with --warm-start: fit new scalers on the new data instead of keeping the model's"),
            .flag("force", "replace a run in --out made with other settings (or train a finished one again)"),
            .value("threads", "N", "threads for in-process circuits (default: every core)"),
            .value(
                "cluster",
                "FILE",
                "evaluate circuits on the workers listed in FILE (start the workers first; see cluster.json)"
            ),
            .value("local-workers", "N", "start N worker processes on 127.0.0.1 for this run and use them"),
            Verification.optionSpec,
            .flag("quiet", "no progress line"),
        ]

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(0, usage: usage)
        try WarmStart.checkOptions(options)
        let resume = options.flag("resume")
        var specification: RunSpecification
        let directory: URL
        var checkpoint: Trainer.Checkpoint?
        if resume {
            guard let out = options.string("out") else {
                throw CommandLineError.missingArgument("--out DIR (the run to resume)", usage: usage)
            }
            directory = URL(fileURLWithPath: out)
            let modelURL = directory.appendingPathComponent("model.json")
            guard FileManager.default.fileExists(atPath: modelURL.path) else {
                throw CommandLineError.conflict(
                    "\(out) holds no run to resume (no model.json): start the run without --resume, or check --out"
                )
            }
            let file = try ModelFile.read(from: modelURL)
            // The original command line repeated is fine; a value that differs from the run's is not.
            let given = RunOptions.specs.map(\.name).filter { options.isSet($0) && $0 != "epochs" }
            if !given.isEmpty {
                let changes = try RunOptions.changes(
                    given,
                    of: options,
                    from: file.specification,
                    to: try RunOptions.specification(from: options)
                )
                if !changes.isEmpty {
                    throw CommandLineError.conflict(
                        "--resume continues the run in \(out) with its own settings, and these options differ from them: \(changes.joined(separator: "; ")); drop them (only --epochs may change), or start another run with another --out"
                    )
                }
            }
            specification = file.specification
            if let epochs = try options.int("epochs", in: 1...100_000) { specification.training.epochs = epochs }
            checkpoint = file.checkpoint
        } else {
            specification = try RunOptions.specification(from: options)
            if let source = options.string("warm-start") {
                (specification, checkpoint) = try WarmStart.begin(from: source, asked: specification, options: options)
            }
            let out =
                options.string("out")
                ?? "runs/\(specification.data.name)-\(specification.model.label)-seed\(specification.training.seed)"
            directory = URL(fileURLWithPath: out)
        }
        // Everything that can be refused is checked before the run directory is made.
        let data = try specification.loadData()
        specification.model.inputWidth = data.dataset.inputWidth
        // A warm start keeps its model's classes, as it keeps the model.
        if specification.warmStart == nil { specification.data.classes = try specification.fittedClasses(to: data) }
        if specification.model.kind != .lstm { try Self.checkFits(specification) }
        let verification = try Verification.fromOptions(
            options,
            seed: specification.training.seed,
            shots: specification.training.shots,
            profile: specification.profile,
            onCluster: options.isSet("cluster") || options.isSet("local-workers")
        )
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
                let summary = try RunDirectory(directory).summary()
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
        let progress = options.flag("quiet") ? nil : ProgressLine()
        let resumeCommand = "qlstm train --resume --out \(directory.path)\(Self.backendOptions(options))"
        let totalEpochs = specification.training.epochs
        Interrupt.onInterrupt {
            let model = directory.appendingPathComponent("model.json")
            let epochs = (try? ModelFile.read(from: model))?.checkpoint.completedEpochs ?? 0
            return
                "interrupted: \(directory.path) holds the checkpoint after epoch \(epochs) of \(totalEpochs); continue with: \(resumeCommand)"
        }
        let backend = try await ExecutionBackend.start(
            options: options,
            profile: specification.profile,
            verification: verification,
            progress: progress,
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
            let summary = try await run.train(progress: progress)
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
        "\(summary.label) on \(summary.task): \(summary.epochs) epochs, \(summary.testFigures), "
            + "\(summary.parameters) parameters, \(String(format: "%.1f", summary.trainSeconds)) s of training; "
            + "results in \(directory.path)"
    }

    /// `--cluster FILE` or `--local-workers N` as given, to repeat in a resume hint.
    static func backendOptions(_ options: ParsedOptions) -> String {
        let verify = options.string("verify-fraction").map { " --verify-fraction \($0)" } ?? ""
        if let file = options.string("cluster") { return " --cluster \(file)\(verify)" }
        if let count = options.string("local-workers") { return " --local-workers \(count)\(verify)" }
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
