import Foundation
import QLSTM
import Reports

/// A run directory, read back as the types that wrote it: `model.json` (the model and its
/// checkpoint), `summary.json` (final figures), `manifest.json` (the research log),
/// `metrics.jsonl` (one record per epoch) and `predictions.csv`.
///
/// Reports, `compare`'s reuse and library users read runs through this, never through
/// untyped JSON, so a renamed field is a compile error rather than a silently missing figure.
public struct RunDirectory: Sendable {
    /// The files a run writes, by name.
    public enum File {
        public static let model = "model.json"
        public static let summary = "summary.json"
        public static let manifest = "manifest.json"
        public static let metrics = "metrics.jsonl"
        public static let predictions = "predictions.csv"
        /// The log of worker processes started for the run.
        public static let workersLog = "workers.log"
        /// Every file a run owns, the ones `--force` removes.
        public static let all = [model, summary, manifest, metrics, predictions, workersLog]
    }

    public let url: URL

    public init(_ url: URL) {
        self.url = url
    }

    /// The URL of one of the run's files (`File`).
    public func file(_ name: String) -> URL {
        url.appendingPathComponent(name)
    }

    /// Whether the run finished: its summary.json exists.
    public var isFinished: Bool {
        FileManager.default.fileExists(atPath: file(File.summary).path)
    }

    /// The model and its latest checkpoint.
    public func model() throws -> ModelFile {
        try ModelFile.read(from: file(File.model))
    }

    public func summary() throws -> RunSummary {
        try decode(RunSummary.self, from: File.summary)
    }

    public func manifest() throws -> RunManifest {
        try decode(RunManifest.self, from: File.manifest)
    }

    /// Every epoch's record, in order.
    public func metrics() throws -> [EpochRecord] {
        let url = file(File.metrics)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw RunFileError.unreadable(path: url.path)
        }
        do {
            return try JSONLines.decode(EpochRecord.self, from: data)
        } catch {
            throw RunFileError.invalid(path: url.path, message: "damaged metrics log: \(error)")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, from name: String) throws -> T {
        let url = file(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw RunFileError.unreadable(path: url.path)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw RunFileError.invalid(path: url.path, message: "damaged \(name): \(ModelFile.describe(error))")
        }
    }

    /// Writes `value` as sorted, indented JSON, atomically (readers never see half a file).
    func write<T: Encodable>(_ value: T, to name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(value), to: file(name))
    }
}
