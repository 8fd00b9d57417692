import Datasets
import QLSTM
import QLSTMCluster
import QPUProfiles
import VariationalCircuits

/// The options that fix a run, in groups, and their translation into a `RunSpecification`.
///
/// `train` and `resources` take every group; `compare` takes the data, circuit and training
/// groups (its own options say which models), so a comparison runs on any data a single run
/// can, with the same names, defaults and checks.
enum RunOptions {
    /// Where the series comes from and how it is cut into windows.
    static let dataSpecs: [OptionSpec] = [
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
        .value(
            "transform",
            "T1,T2",
            "difference, log-return or log, several in order (log,difference), applied before the scaling (fitted on the training part); forecasts and metrics stay in original units"
        ),
        .value(
            "validation-fraction",
            "F",
            "the last F of the training windows validate, in time order, and are never trained on (default 0.1; 0 for none)"
        ),
        .flag(
            "paper-protocol",
            "reproduce the paper's code: constant lr, whole-series scaling, reference windowing, no validation split"
        ),
    ]

    /// The model's shape (`train` only: `compare` chooses its models itself).
    static let modelSpecs: [OptionSpec] = [
        .value("model", "KIND", "qlstm, lstm or ablation (default qlstm)"),
        .value(
            "n-qubits",
            "Q",
            "qubits per sub-VQC, 1...25 (default: one per input, d_x + d_h when centric; 4 with --projection)"
        ),
        .value("partitions", "M", "sub-VQCs per gate, 1...64 (default 1: centric)"),
        .value("hidden-size", "H", "d_h, 1...1000 (default 5)"),
        .flag(
            "projection",
            "classical maps from v_t to the circuits and from their outputs to d_h (each part then has --n-qubits inputs, default 4)"
        ),
        .flag("bidirectional", "a second LSTM reads each window backwards"),
        .flag("inversward", "read each window from its last element to its first"),
    ]

    /// The circuits of every quantum model.
    static let circuitSpecs: [OptionSpec] = [
        .value("depth", "D", "variational layers, 1...30 (default 5)"),
        .value("n-qlayers", "R", "entangling repetitions per layer, 1...5 (default 1)"),
        .value("encoding", "E", "paper, arctan, angle-x, angle-y or iqp (PennyLane's IQPEmbedding; default paper)"),
        .value("n-repeats", "N", "repetitions of the iqp encoding, 1...10 (default 1)"),
        .value(
            "ansatz",
            "A",
            "entangler: brick, ring, strongly-entangling or hardware-efficient (RY RZ, then a CZ ladder; default brick)"
        ),
        .value("rotations", "R", "ry, xyz, rot or ry-rz (default ry; ry-rz with --ansatz hardware-efficient)"),
        .value(
            "architecture",
            "A",
            "four-vqc (the gates' circuits) or chen2020 (and VQC5 for h_t, VQC6 for the output; default four-vqc)"
        ),
        .value("diff-method", "M", "parameter-shift or adjoint (default parameter-shift)"),
    ]

    /// How the models are trained.
    static let trainingSpecs: [OptionSpec] = [
        .value(
            "shots",
            "N|exact",
            "sample every circuit with N shots, 1...10000000, or exact (default exact, or the profile's)"
        ),
        .value(
            "profile",
            "NAME|FILE",
            "emulate this QPU (noise, shots, size; `qlstm profiles`); on a cluster, every worker must emulate it"
        ),
        .value("optimizer", "O", "sgd, rmsprop or adam (default rmsprop)"),
        .value("lr", "X", "learning rate (default 0.01)"),
        .value("momentum", "X", "SGD momentum, 0...1 (default 0)"),
        .value("lr-schedule", "S", "cosine (anneal to 0 over the run) or constant (default cosine)"),
        .value("loss", "L", "mse or mae (default mse; classification is trained on cross-entropy)"),
        .value("epochs", "N", "training epochs (default 100)"),
        .value("batch-size", "B", "windows per mini-batch (default 10)"),
        .value("seed", "S", "seed of weights, shuffling and shots (default 0)"),
        .flag("no-shuffle", "visit the training windows in time order every epoch"),
    ]

    /// Every option of one run, as `train` and `resources` take them.
    static let specs = dataSpecs + ObjectiveOptions.specs + modelSpecs + circuitSpecs + trainingSpecs
    static func specification(from options: ParsedOptions) throws -> RunSpecification {
        let ansatz = try ansatz(from: options)
        let model = ModelConfiguration(
            kind: try options.choice("model", as: ModelKind.self) ?? .qlstm,
            inputWidth: 1,
            hiddenSize: try options.int("hidden-size", in: ModelConfiguration.hiddenSizeRange) ?? 5,
            qubits: try options.int("n-qubits", in: 1...25),
            partitions: try options.int("partitions", in: ModelConfiguration.partitionsRange) ?? 1,
            ansatz: ansatz,
            projection: options.flag("projection"),
            bidirectional: options.flag("bidirectional"),
            inversward: options.flag("inversward"),
            architecture: try options.choice("architecture", as: Architecture.self) ?? .fourVQC,
            outputs: try ObjectiveOptions.classes(from: options) ?? 1
        )
        if model.kind == .lstm,
            let flag = [
                "n-qubits", "partitions", "depth", "n-qlayers", "encoding", "n-repeats", "ansatz", "rotations",
                "architecture", "projection", "diff-method", "shots", "profile",
            ].first(where: options.isSet)
        {
            throw CommandLineError.conflict(
                "--\(flag) does not apply to --model lstm (a classical LSTM has no circuits)"
            )
        }
        let profile = try profile(from: options)
        return RunSpecification(
            data: try data(from: options, seriesSeed: try options.uint64("seed") ?? 0),
            model: model,
            training: try training(from: options, profile: profile),
            profile: profile
        )
    }

    /// The data options: a benchmark (`--task`, default pendulum) or a CSV file, and its windows.
    /// - Parameter seriesSeed: the seed of a random benchmark input (narma10-random).
    static func data(from options: ParsedOptions, seriesSeed: UInt64) throws -> DataSpecification {
        let csv = options.string("csv")
        let task = try options.choice("task", as: BenchmarkTask.self)
        if csv != nil && task != nil { throw CommandLineError.conflict("give either --task or --csv, not both") }
        if csv == nil, let flag = ["column", "features", "time-column"].first(where: options.isSet) {
            throw CommandLineError.conflict("--\(flag) needs --csv FILE")
        }
        let paper = try paperProtocol(options)
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
            validationFraction: paper ? 0 : try options.double("validation-fraction", in: 0...0.9) ?? 0.1,
            scaling: scaling,
            scalingScope: paper || options.flag("whole-series-scaling") ? .wholeSeries : .trainingRows,
            principalComponents: try options.int("pca", in: 1...1000),
            referenceWindowing: paper || options.flag("reference-windowing"),
            transform: try transform(from: options)
        )
        return DataSpecification(
            task: csv == nil ? (task ?? .pendulum) : nil,
            csvPath: csv,
            targetColumn: options.string("column").map(CSVColumn.init(argument:)),
            featureColumns: (options.string("features") ?? "").split(separator: ",").map {
                CSVColumn(argument: String($0))
            },
            timeColumn: options.string("time-column").map(CSVColumn.init(argument:)),
            windows: windows,
            seriesSeed: seriesSeed
        )
    }

    /// `--transform T1,T2`: the chain of series transforms (none by default).
    static func transform(from options: ParsedOptions) throws -> SeriesTransform {
        guard let text = options.string("transform") else { return .none }
        do {
            return try SeriesTransform(parsing: text)
        } catch .invalidParameter(_, _, let expected) {
            throw CommandLineError.invalidValue(option: "--transform", value: text, expected: expected)
        }
    }

    /// The circuit options (defaults: the paper's circuit; RY, RZ for hardware-efficient layers).
    static func ansatz(from options: ParsedOptions) throws -> Ansatz {
        let encoding = try options.choice("encoding", as: Encoding.self) ?? .paper
        let entangler = try options.choice("ansatz", as: EntanglingPattern.self) ?? .brick
        let repeats = try options.int("n-repeats", in: Ansatz.encodingRepetitionsRange)
        if repeats != nil && encoding != .iqp {
            throw CommandLineError.conflict(
                "--n-repeats repeats the iqp encoding: add --encoding iqp, or drop --n-repeats"
            )
        }
        let repetitions = try options.int("n-qlayers", in: Ansatz.entanglingRepetitionsRange) ?? 1
        if entangler == .hardwareEfficient && repetitions > 1 {
            throw CommandLineError.conflict(
                "--n-qlayers \(repetitions) would repeat the hardware-efficient CZ ladder, and CZ ladders cancel in pairs: use --n-qlayers 1 and raise --depth"
            )
        }
        return Ansatz(
            encoding: encoding,
            entangler: entangler,
            rotations: try options.choice("rotations", as: RotationLayer.self)
                ?? (entangler == .hardwareEfficient ? .ryrz : .ry),
            depth: try options.int("depth", in: Ansatz.depthRange) ?? 5,
            entanglingRepetitions: repetitions,
            encodingRepetitions: repeats ?? 1
        )
    }

    /// `--profile NAME|FILE`, loaded.
    static func profile(from options: ParsedOptions) throws -> QPUProfile? {
        try options.string("profile").map { try ProfilesCommand.load($0) }
    }

    /// The training options, with the shots of `profile` when `--shots` is absent; refuses the
    /// adjoint method where it cannot work (shots, a noisy profile).
    static func training(from options: ParsedOptions, profile: QPUProfile?) throws -> TrainingSettings {
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
        return TrainingSettings(
            epochs: try options.int("epochs", in: 1...100_000) ?? 100,
            batchSize: try options.int("batch-size", in: 1...100_000) ?? 10,
            loss: try ObjectiveOptions.loss(from: options),
            optimizer: optimizer,
            seed: try options.uint64("seed") ?? 0,
            differentiation: method,
            shots: shots,
            shuffle: !options.flag("no-shuffle"),
            schedule: try paperProtocol(options)
                ? .constant : try options.choice("lr-schedule", as: LearningRateSchedule.self) ?? .cosine
        )
    }

    /// `--paper-protocol`: the settings of the paper's code. It fixes the learning-rate
    /// schedule and the validation split, so giving either as well is refused rather than
    /// one of them silently ignored.
    static func paperProtocol(_ options: ParsedOptions) throws -> Bool {
        guard options.flag("paper-protocol") else { return false }
        if let flag = ["validation-fraction", "lr-schedule"].first(where: options.isSet) {
            throw CommandLineError.conflict(
                "--paper-protocol fixes --\(flag) (constant lr, no validation split, as the paper's code): give one or the other"
            )
        }
        return true
    }

    /// The settings each option fixes, as key paths of `RunIdentity.settings`: what `--resume`
    /// compares when an option is given again.
    static let settingKeys: [String: [String]] = [
        "task": ["data.task"], "csv": ["dataDigest", "data.task"], "column": ["data.targetColumn"],
        "features": ["data.featureColumns"], "time-column": ["data.timeColumn"],
        "seq-len": ["data.windows.sequenceLength"], "horizon": ["data.windows.horizon"],
        "train-fraction": ["data.windows.trainFraction"],
        "validation-fraction": ["data.windows.validationFraction"], "scaling": ["data.windows.scaling"],
        "whole-series-scaling": ["data.windows.scalingScope"],
        "reference-windowing": ["data.windows.referenceWindowing"], "pca": ["data.windows.principalComponents"],
        "transform": ["data.windows.transform"],
        "paper-protocol": [
            "data.windows.scalingScope", "data.windows.referenceWindowing", "data.windows.validationFraction",
            "training.schedule",
        ],
        "model": ["model.kind"], "n-qubits": ["model.qubits"], "partitions": ["model.partitions"],
        "hidden-size": ["model.hiddenSize"], "projection": ["model.projection"],
        "bidirectional": ["model.bidirectional"], "inversward": ["model.inversward"],
        "depth": ["model.ansatz.depth"], "n-qlayers": ["model.ansatz.entanglingRepetitions"],
        "encoding": ["model.ansatz.encoding"], "n-repeats": ["model.ansatz.encodingRepetitions"],
        "ansatz": ["model.ansatz.entangler"],
        "rotations": ["model.ansatz.rotations"], "architecture": ["model.architecture"],
        "diff-method": ["training.differentiation"],
        "shots": ["training.shots"], "profile": ["profile"], "optimizer": ["training.optimizer.kind"],
        "lr": ["training.optimizer.learningRate"], "momentum": ["training.optimizer.momentum"],
        "lr-schedule": ["training.schedule"], "loss": ["training.loss"], "epochs": ["training.epochs"],
        "batch-size": ["training.batchSize"], "seed": ["training.seed", "data.seriesSeed"],
        "no-shuffle": ["training.shuffle"], "objective": ["training.loss", "model.outputs"],
        "classes": ["model.outputs"],
    ]

    /// The given options whose values differ from a run's settings, each as
    /// `--depth 3 (the run has model.ansatz.depth 2)`; empty when the command line agrees with
    /// the run (the original command repeated).
    /// - Parameters:
    ///   - names: the options given.
    ///   - run: the run's specification (model.json's).
    ///   - asked: the specification the options give (their defaults for the rest).
    static func changes(
        _ names: [String],
        of options: ParsedOptions,
        from run: RunSpecification,
        to asked: RunSpecification
    ) throws -> [String] {
        var asked = asked
        asked.model.inputWidth = run.model.inputWidth
        // Fitted on the data: a different K shows as model.outputs.
        asked.data.classes = run.data.classes
        let theirs = try RunIdentity(run).settings
        let ours = try RunIdentity(asked).settings
        let keys = Set(theirs.keys).union(ours.keys).sorted()
        return names.compactMap { name in
            let prefixes = settingKeys[name] ?? [""]
            let differing = keys.filter { key in
                theirs[key] != ours[key]
                    && prefixes.contains {
                        key == $0 || key.hasPrefix($0 + ".") || key.hasPrefix($0 + "[") || $0.isEmpty
                    }
            }
            guard !differing.isEmpty else { return nil }
            let value = options.string(name).map { $0 == "true" ? "" : " \($0)" } ?? ""
            let was = differing.map { "\($0) \(theirs[$0] ?? "unset")" }.joined(separator: ", ")
            return "--\(name)\(value) (the run has \(was))"
        }
    }
}
