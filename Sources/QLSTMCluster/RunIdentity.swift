import Foundation
import QLSTM

/// Everything that determines a run's result, reduced to one fingerprint: the data (a
/// benchmark's name and seed, or a CSV file's bytes), every model and training option, and the
/// program version. `train` and `compare` reuse or resume a run directory only when its
/// fingerprint matches, so a report can never be built from another task's or another
/// setting's runs.
public struct RunIdentity: Equatable, Sendable {
    /// 32 hex digits (FNV-1a, 128 bits) of `canonical`.
    public let fingerprint: String
    /// The canonical JSON the fingerprint is taken of: kept to say what differs.
    public let canonical: Data

    /// What goes into the fingerprint. The CSV's path is left out (a moved file is the same
    /// data); its bytes are in through `dataDigest`. So is a warm start's path: its model's
    /// fingerprint, epochs and parameter digest say which weights the run starts from.
    private struct Content: Encodable {
        public var version: String
        public var specification: RunSpecification
        public var dataDigest: String?
    }

    /// - Parameter specification: with `model.inputWidth` already set from the data.
    public init(_ specification: RunSpecification) throws {
        var specification = specification
        var digest: String?
        if let path = specification.data.csvPath {
            guard let bytes = FileManager.default.contents(atPath: path) else {
                throw RunFileError.unreadable(path: path)
            }
            digest = Self.hash(bytes)
            specification.data.csvPath = nil
        }
        specification.warmStart?.path = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        canonical = try encoder.encode(
            Content(version: ProjectVersion.current, specification: specification, dataDigest: digest)
        )
        fingerprint = Self.hash(canonical)
    }

    /// FNV-1a with 128 bits: not a cryptographic hash (nobody forges run directories), but
    /// wide enough that two different settings never share a fingerprint by accident.
    public static func hash(_ bytes: Data) -> String {
        // offset basis 0x6c62272e07bb014262b821756295c58d; prime 2^88 + 0x13b.
        var high: UInt64 = 0x6c62_272e_07bb_0142
        var low: UInt64 = 0x62b8_2175_6295_c58d
        for byte in bytes {
            low ^= UInt64(byte)
            // (high, low) * (2^88 + 0x13b) mod 2^128.
            let product = low.multipliedFullWidth(by: 0x13b)
            let newHigh = high &* 0x13b &+ product.high &+ (low << 24)
            low = product.low
            high = newHigh
        }
        return String(format: "%016llx%016llx", high, low)
    }

    /// Up to `limit` settings that differ from `other`'s, as `key: theirs -> ours`, for messages
    /// that say why a run directory is refused.
    public func differences(from other: RunIdentity, limit: Int = 3) -> [String] {
        let mine = Self.flatten(canonical)
        let theirs = Self.flatten(other.canonical)
        let keys = Set(mine.keys).union(theirs.keys).sorted()
        return keys.filter { mine[$0] != theirs[$0] }.prefix(limit).map {
            "\($0): \(theirs[$0] ?? "none") -> \(mine[$0] ?? "none")"
        }
    }

    /// Every setting as a key path (`training.epochs`, `model.ansatz.depth`) and its printed
    /// value; absent optional settings have no key.
    public var settings: [String: String] { Self.flatten(canonical) }

    /// Key paths (`specification.training.epochs`) to printed leaf values.
    private static func flatten(_ json: Data) -> [String: String] {
        var leaves: [String: String] = [:]
        func walk(_ value: Any, _ path: String) {
            if let object = value as? [String: Any] {
                for (key, child) in object { walk(child, path.isEmpty ? key : "\(path).\(key)") }
            } else if let array = value as? [Any] {
                for (index, child) in array.enumerated() { walk(child, "\(path)[\(index)]") }
            } else {
                leaves[path.replacingOccurrences(of: "specification.", with: "")] = "\(value)"
            }
        }
        if let object = try? JSONSerialization.jsonObject(with: json) { walk(object, "") }
        return leaves
    }
}

/// What a run directory holds, judged against the run that is asked for.
public enum RunDirectoryState {
    /// No run yet (or one that never finished an epoch): train from the start.
    case empty
    /// The same run, finished: its results can be reused as they are.
    case finished(ModelFile)
    /// The same run, stopped after some epochs: continue from its checkpoint.
    case unfinished(ModelFile)
    /// Another run (other settings, another version, or unreadable): never reused, replaced
    /// only with `--force`. `reason` says what differs.
    case different(reason: String)

    /// Inspects `directory` for the run `identity` of `epochs` epochs.
    public static func inspect(_ directory: URL, for identity: RunIdentity, specification: RunSpecification) -> Self {
        let modelURL = directory.appendingPathComponent(RunDirectory.File.model)
        guard FileManager.default.fileExists(atPath: modelURL.path) else { return .empty }
        let file: ModelFile
        do {
            file = try ModelFile.read(from: modelURL)
        } catch {
            return .different(reason: "\(error)")
        }
        guard let fingerprint = file.fingerprint else {
            return .different(reason: "its model.json has no run fingerprint (made by an older qlstm)")
        }
        guard fingerprint == identity.fingerprint else {
            let changes = (try? RunIdentity(file.specification)).map { identity.differences(from: $0) } ?? []
            return .different(
                reason: "it holds a run with other settings ("
                    + (changes.isEmpty
                        ? "its data file or program version differs" : changes.joined(separator: ", ")) + ")"
            )
        }
        let summary = directory.appendingPathComponent(RunDirectory.File.summary)
        if file.checkpoint.completedEpochs >= specification.training.epochs,
            FileManager.default.fileExists(atPath: summary.path)
        {
            return .finished(file)
        }
        return .unfinished(file)
    }

    /// Removes a run's files (for `--force`), leaving anything else in the folder alone.
    public static func clear(_ directory: URL) throws {
        for name in RunDirectory.File.all {
            let url = directory.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        }
    }
}
