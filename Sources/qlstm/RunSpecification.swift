import Datasets
import Foundation
import QLSTM
import QPUProfiles

/// Where a run's series comes from and how it is cut into windows.
struct DataSpecification: Sendable, Equatable, Codable {
    /// A built-in benchmark, or `nil` for a CSV file.
    var task: BenchmarkTask?
    var csvPath: String?
    var targetColumn: CSVColumn?
    var featureColumns: [CSVColumn]
    var timeColumn: CSVColumn?
    var windows: WindowedDataset.Configuration
    /// The seed of a random benchmark input (narma10-random).
    var seriesSeed: UInt64

    /// A one-word description for tables and logs.
    var name: String {
        task?.rawValue ?? URL(fileURLWithPath: csvPath ?? "csv").deletingPathExtension().lastPathComponent
    }

    /// Loads the series and cuts it.
    /// - Parameter preprocessing: scalers (and PCA) fitted before, to use instead of fitting
    ///   new ones (a warm start's).
    func load(preprocessing: Preprocessing? = nil) throws -> (series: TimeSeries, dataset: WindowedDataset) {
        let series = try self.series()
        return (series, try WindowedDataset(series, configuration: windows, preprocessing: preprocessing))
    }

    /// Loads the series.
    func series() throws -> TimeSeries {
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
struct RunSpecification: Sendable, Equatable, Codable {
    var data: DataSpecification
    var model: ModelConfiguration
    var training: TrainingSettings
    /// The emulated QPU every circuit runs on (`--profile`); `nil` for the ideal emulator.
    /// On a cluster the workers' own profiles apply, and must match this one when it is set.
    var profile: QPUProfile?
    /// The trained model this run started from (`--warm-start`); `nil` for random weights.
    var warmStart: WarmStart? = nil
}

/// What a model saw: the target's and the features' names and the range of each over the rows
/// its scalers were fitted on. `predict` refuses a column of another name and warns when new
/// values leave these ranges, since a model only interpolates what it was trained on.
struct TrainedSeries: Codable, Equatable {
    var target: String
    var features: [String]
    /// [lowest, highest] of the target over the fitted rows.
    var targetRange: [Double]
    /// Per feature column, [lowest, highest] over the fitted rows.
    var featureRanges: [[Double]]

    init(_ series: TimeSeries, rows: Range<Int>) {
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
struct ModelFile: Codable {
    /// Bumped when the layout changes; other versions are refused with a clear message.
    static let formatVersion = 1

    var format: String = "qlstm-model"
    var formatVersion: Int = ModelFile.formatVersion
    var projectVersion: String = ProjectVersion.current
    var specification: RunSpecification
    /// The run's `RunIdentity` fingerprint (absent in files of qlstm before 0.2.0).
    var fingerprint: String?
    var preprocessing: Preprocessing
    /// The series the model was fitted on, for `predict`'s checks (absent in files of qlstm
    /// before 0.3.0).
    var trainedOn: TrainedSeries?
    var checkpoint: Trainer.Checkpoint

    /// Reads a model file, refusing another format or version in one clear line.
    static func read(from url: URL) throws -> ModelFile {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CommandLineError.unreadableFile(path: url.path)
        }
        struct Header: Decodable {
            var format: String?
            var formatVersion: Int?
        }
        let header = try? JSONDecoder().decode(Header.self, from: data)
        guard header?.format == "qlstm-model" else {
            throw CommandLineError.invalidFile(
                path: url.path,
                message: "not a qlstm model file (no \"format\": \"qlstm-model\")"
            )
        }
        guard header?.formatVersion == formatVersion else {
            throw CommandLineError.invalidFile(
                path: url.path,
                message:
                    "model file format \(header?.formatVersion.map(String.init) ?? "unknown") is not supported by qlstm \(ProjectVersion.current) (format \(formatVersion)): retrain with this version"
            )
        }
        do {
            return try JSONDecoder().decode(ModelFile.self, from: data)
        } catch {
            throw CommandLineError.invalidFile(path: url.path, message: "damaged model file: \(Self.describe(error))")
        }
    }

    /// One line for a decoding error: the key path and what was wrong.
    static func describe(_ error: any Error) -> String {
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
