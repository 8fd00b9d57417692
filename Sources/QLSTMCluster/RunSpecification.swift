import Datasets
import Foundation
import QLSTM
import QPUProfiles

/// Where a run's series comes from and how it is cut into windows.
public struct DataSpecification: Sendable, Equatable, Codable {
    /// A built-in benchmark, or `nil` for a CSV file.
    public var task: BenchmarkTask?
    public var csvPath: String?
    public var targetColumn: CSVColumn?
    public var featureColumns: [CSVColumn]
    public var timeColumn: CSVColumn?
    public var windows: WindowedDataset.Configuration
    /// The seed of a random benchmark input (narma10-random).
    public var seriesSeed: UInt64
    /// With `--objective classification`: the classes of the next move that the model
    /// predicts, fitted on the training windows once the data is loaded; `nil` for regression.
    public var classes: MoveClasses?

    /// A one-word description for tables and logs.
    public var name: String {
        task?.rawValue ?? URL(fileURLWithPath: csvPath ?? "csv").deletingPathExtension().lastPathComponent
    }

    public init(
        task: BenchmarkTask?,
        csvPath: String?,
        targetColumn: CSVColumn?,
        featureColumns: [CSVColumn],
        timeColumn: CSVColumn?,
        windows: WindowedDataset.Configuration,
        seriesSeed: UInt64,
        classes: MoveClasses? = nil
    ) {
        self.task = task
        self.csvPath = csvPath
        self.targetColumn = targetColumn
        self.featureColumns = featureColumns
        self.timeColumn = timeColumn
        self.windows = windows
        self.seriesSeed = seriesSeed
        self.classes = classes
    }

    /// Loads the series and cuts it.
    /// - Parameter preprocessing: scalers (and PCA) fitted before, to use instead of fitting
    ///   new ones (a warm start's).
    public func load(preprocessing: Preprocessing? = nil) throws -> (series: TimeSeries, dataset: WindowedDataset) {
        let series = try self.series()
        return (series, try WindowedDataset(series, configuration: windows, preprocessing: preprocessing))
    }

    /// Loads the series.
    public func series() throws -> TimeSeries {
        if let task { return try task.series(seed: seriesSeed) }
        return try TimeSeries(
            contentsOfCSV: URL(fileURLWithPath: csvPath ?? ""),
            target: targetColumn ?? .index(0),
            features: featureColumns,
            time: timeColumn
        )
    }
}

/// Everything a run was asked to do: what `--resume`, `predict` and reports read back.
public struct RunSpecification: Sendable, Equatable, Codable {
    public var data: DataSpecification
    public var model: ModelConfiguration
    public var training: TrainingSettings
    /// The emulated QPU every circuit runs on (`--profile`); `nil` for the ideal emulator.
    /// On a cluster the workers' own profiles apply, and must match this one when it is set.
    public var profile: QPUProfile?
    /// The trained model this run started from (`--warm-start`); `nil` for random weights.
    public var warmStart: WarmStart? = nil

    public init(
        data: DataSpecification,
        model: ModelConfiguration,
        training: TrainingSettings,
        profile: QPUProfile?,
        warmStart: WarmStart? = nil
    ) {
        self.data = data
        self.model = model
        self.training = training
        self.profile = profile
        self.warmStart = warmStart
    }
}

/// What a model saw: the target's and the features' names and the range of each over the rows
/// its scalers were fitted on. `predict` refuses a column of another name and warns when new
/// values leave these ranges, since a model only interpolates what it was trained on.
public struct TrainedSeries: Codable, Equatable, Sendable {
    public var target: String
    public var features: [String]
    /// [lowest, highest] of the target over the fitted rows.
    public var targetRange: [Double]
    /// Per feature column, [lowest, highest] over the fitted rows.
    public var featureRanges: [[Double]]

    public init(_ series: TimeSeries, rows: Range<Int>) {
        target = series.targetName
        features = series.featureNames
        let targets = series.target[rows]
        targetRange = [targets.min() ?? 0, targets.max() ?? 0]
        featureRanges = series.featureNames.indices.map { column in
            let values = series.features[rows].map { $0[column] }
            return [values.min() ?? 0, values.max() ?? 0]
        }
    }
}

/// A trained (or training) model on disk: the specification, the fitted preprocessing and the
/// trainer's checkpoint. Written atomically after every epoch.
public struct ModelFile: Codable, Sendable {
    /// Bumped when the layout changes; versions outside `readableFormatVersions` are refused
    /// with a clear message. Version 2 added the series transform (`--transform`): a qlstm that
    /// reads only version 1 would ignore it and forecast in the wrong units, so it must refuse.
    public static let formatVersion = 2
    /// Version 1 files (no transform) are read as they were.
    public static let readableFormatVersions = 1...2

    public var format: String = "qlstm-model"
    public var formatVersion: Int = ModelFile.formatVersion
    public var projectVersion: String = ProjectVersion.current
    public var specification: RunSpecification
    /// The run's `RunIdentity` fingerprint (absent in files of qlstm before 0.2.0).
    public var fingerprint: String?
    public var preprocessing: Preprocessing
    /// The series the model was fitted on, for `predict`'s checks (absent in files of qlstm
    /// before 0.3.0).
    public var trainedOn: TrainedSeries?
    public var checkpoint: Trainer.Checkpoint

    public init(
        specification: RunSpecification,
        fingerprint: String?,
        preprocessing: Preprocessing,
        trainedOn: TrainedSeries?,
        checkpoint: Trainer.Checkpoint
    ) {
        self.specification = specification
        self.fingerprint = fingerprint
        self.preprocessing = preprocessing
        self.trainedOn = trainedOn
        self.checkpoint = checkpoint
    }

    /// Reads a model file, refusing another format or version in one clear line.
    public static func read(from url: URL) throws -> ModelFile {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw RunFileError.unreadable(path: url.path)
        }
        struct Header: Decodable {
            public var format: String?
            public var formatVersion: Int?
        }
        let header = try? JSONDecoder().decode(Header.self, from: data)
        guard header?.format == "qlstm-model" else {
            throw RunFileError.invalid(
                path: url.path,
                message: "not a qlstm model file (no \"format\": \"qlstm-model\")"
            )
        }
        guard let version = header?.formatVersion, readableFormatVersions.contains(version) else {
            throw RunFileError.invalid(
                path: url.path,
                message:
                    "model file format \(header?.formatVersion.map(String.init) ?? "unknown") is not supported by qlstm \(ProjectVersion.current) (format \(formatVersion)): retrain with this version"
            )
        }
        let file: ModelFile
        do {
            file = try JSONDecoder().decode(ModelFile.self, from: data)
        } catch {
            throw RunFileError.invalid(path: url.path, message: "damaged model file: \(Self.describe(error))")
        }
        if let problem = file.specification.objectiveMismatch {
            throw RunFileError.invalid(path: url.path, message: "damaged model file: \(problem)")
        }
        return file
    }

    /// One line for a decoding error: the key path and what was wrong.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context))"
        @unknown default:
            return "\(error)"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
        return keys.isEmpty ? "the top level" : keys
    }
}
