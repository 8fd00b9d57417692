import Datasets
import Foundation
import QLSTM
import QLSTMCluster

/// `qlstm train --warm-start RUN [--refit-scaler]`: the options a warm start fixes and the run
/// it begins.
extension WarmStart {
    /// The options a warm start takes from its model: the architecture, and the window the
    /// model reads. Given with another value they are refused, not silently overridden.
    static let architectureOptions =
        RunOptions.modelSpecs.map(\.name) + [
            "depth", "n-qlayers", "encoding", "ansatz", "rotations", "seq-len", "horizon", "transform", "objective",
            "classes",
        ]
    /// The options the kept scaler fixes (free with `--refit-scaler`).
    static let scalerOptions = ["scaling", "pca"]

    /// Refuses `--warm-start` and `--refit-scaler` where they do not apply.
    static func checkOptions(_ options: ParsedOptions) throws {
        if options.flag("resume"), let flag = ["warm-start", "refit-scaler"].first(where: options.isSet) {
            throw CommandLineError.conflict(
                "--\(flag) starts a run and --resume continues one (from its own start): give one or the other"
            )
        }
        if options.flag("refit-scaler") && !options.isSet("warm-start") {
            throw CommandLineError.conflict("--refit-scaler applies to --warm-start RUN: give the run to start from")
        }
    }

    /// The run `options` ask for, started from the model at `path`: its architecture and window
    /// (options that differ are refused, naming them), its scalers unless `--refit-scaler`, its
    /// CSV columns unless given; data and training from `options`, as for any run.
    /// - Parameter asked: `RunOptions.specification(from: options)`.
    /// - Returns: the specification, and the checkpoint to start from: the model's weights, a
    ///   new optimiser, no epochs.
    static func begin(
        from path: String,
        asked: RunSpecification,
        options: ParsedOptions
    ) throws -> (RunSpecification, Trainer.Checkpoint) {
        let source = try read(path)
        guard let fingerprint = source.fingerprint else {
            throw CommandLineError.invalidFile(
                path: path,
                message:
                    "has no run fingerprint (made by qlstm before 0.2.0): retrain it with this version to warm-start from it"
            )
        }
        let from = source.specification
        let refit = options.flag("refit-scaler")
        // Compared setting by setting, without the data files' bytes: the source's may be gone.
        var before = from
        before.data.csvPath = nil
        var now = asked
        now.data.csvPath = nil
        let architecture = try RunOptions.changes(
            architectureOptions.filter(options.isSet),
            of: options,
            from: before,
            to: now
        )
        if !architecture.isEmpty {
            throw CommandLineError.conflict(
                "--warm-start continues the model of \(path), and these options differ from its architecture: \(architecture.joined(separator: "; ")); drop them, or train a new model without --warm-start"
            )
        }
        let scaler =
            refit ? [] : try RunOptions.changes(scalerOptions.filter(options.isSet), of: options, from: before, to: now)
        if !scaler.isEmpty {
            throw CommandLineError.conflict(
                "--warm-start keeps the scaler of \(path), and these options differ from it: \(scaler.joined(separator: "; ")); drop them, or give --refit-scaler to fit a new scaler on the new data"
            )
        }
        if from.model.kind == .lstm,
            let flag = ["shots", "profile", "diff-method"].first(where: options.isSet)
        {
            throw CommandLineError.conflict(
                "--\(flag) does not apply to the model of \(path): a classical LSTM has no circuits"
            )
        }

        if from.training.loss.isClassification, options.isSet("loss"), asked.training.loss != from.training.loss {
            throw CommandLineError.conflict(
                "--loss \(asked.training.loss.rawValue) does not apply to the classifier of \(path), which is trained on cross-entropy: drop --loss"
            )
        }
        var specification = asked
        specification.model = from.model
        // A classifier stays one: its K logits, its cross-entropy and the classes they mean.
        if from.training.loss.isClassification { specification.training.loss = from.training.loss }
        specification.data.classes = from.data.classes
        specification.data.windows.sequenceLength = from.data.windows.sequenceLength
        specification.data.windows.horizon = from.data.windows.horizon
        // The model reads its transform's units (differences, logarithms): kept like the window.
        specification.data.windows.transform = from.data.windows.transform
        if !options.isSet("scaling") { specification.data.windows.scaling = from.data.windows.scaling }
        if !options.isSet("pca") {
            specification.data.windows.principalComponents = from.data.windows.principalComponents
        }
        // A newer file of the same series has the same columns.
        if specification.data.csvPath != nil && from.data.task == nil {
            if !options.isSet("column") { specification.data.targetColumn = from.data.targetColumn }
            if !options.isSet("features") { specification.data.featureColumns = from.data.featureColumns }
            if !options.isSet("time-column") { specification.data.timeColumn = from.data.timeColumn }
        }
        specification.warmStart = WarmStart(
            // Where a link such as /var/lib/qlstm/current pointed when the run started.
            path: URL(fileURLWithPath: path).resolvingSymlinksInPath().path,
            fingerprint: fingerprint,
            epochs: source.checkpoint.completedEpochs,
            parameterDigest: digest(source.checkpoint.parameters),
            refitScaler: refit,
            preprocessing: refit ? nil : source.preprocessing
        )
        var checkpoint = source.checkpoint
        checkpoint.completedEpochs = 0
        checkpoint.steps = 0
        checkpoint.history = []
        checkpoint.optimizer = specification.training.optimizer.make()
        return (specification, checkpoint)
    }

    /// The model file of a run directory, or the file itself.
    private static func read(_ path: String) throws -> ModelFile {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandLineError.conflict(
                "--warm-start \(path): no such run: give a run directory written by qlstm train, or its model.json"
            )
        }
        let url =
            isDirectory.boolValue
            ? URL(fileURLWithPath: path).appendingPathComponent("model.json") : URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CommandLineError.conflict(
                "--warm-start \(path): the directory holds no model.json: give a run directory written by qlstm train, or its model.json"
            )
        }
        return try ModelFile.read(from: url)
    }
}
