import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes that a reader sees entirely or not at all.
///
/// The run directory contract (`manifest.json`, `summary.json`, `model.json`) says a file is
/// either the old version or the new one, never half of either, even if the process or the
/// machine dies mid-write. So the data goes to a temporary file in the same directory, is
/// synced to disk, and is renamed over the destination, which POSIX makes atomic.
public enum AtomicFile {
    /// Replaces the file at `url` with `data`, atomically.
    ///
    /// An existing file keeps its permission bits; a new one gets 0644 (less the umask).
    /// The temporary file is removed on every failure path.
    /// - Parameters:
    ///   - data: The complete new contents.
    ///   - url: A file URL whose directory exists.
    /// - Throws: `ReportError.directoryNotFound`, `.notADirectory` or `.directoryNotWritable`
    ///   when the file cannot be created there, `.writeFailed` when writing, syncing or renaming fails.
    public static func write(_ data: Data, to url: URL) throws(ReportError) {
        let path = url.standardizedFileURL.path
        let directory = url.standardizedFileURL.deletingLastPathComponent().path
        let name = url.standardizedFileURL.lastPathComponent
        guard url.isFileURL, !name.isEmpty, name != "/" else {
            throw .writeFailed(path: path, reason: "not a path to a file")
        }
        try checkDirectory(directory)

        let temporary =
            directory + "/." + name + ".tmp-\(getpid())-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let descriptor = SystemCall.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .directoryNotWritable(path: directory, reason: SystemCall.errorText)
        }
        var existing = stat()
        if stat(path, &existing) == 0, (existing.st_mode & S_IFMT) == S_IFREG {
            _ = fchmod(descriptor, existing.st_mode & 0o7777)
        }
        var failure = SystemCall.writeAll(data, to: descriptor)
        if failure == nil { failure = SystemCall.sync(descriptor) }
        if close(descriptor) != 0, failure == nil { failure = SystemCall.errorText }
        if failure == nil, rename(temporary, path) != 0 { failure = SystemCall.errorText }
        if let failure {
            unlink(temporary)
            throw .writeFailed(path: path, reason: failure)
        }
        // Sync the directory so the rename itself survives a power cut; some file systems refuse, which is harmless.
        let directoryDescriptor = SystemCall.open(directory, flags: O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = SystemCall.sync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Replaces the file at `url` with `text` encoded as UTF-8, atomically.
    /// - Throws: As `write(_:to:)` for `Data`.
    public static func write(_ text: String, to url: URL) throws(ReportError) {
        try write(Data(text.utf8), to: url)
    }

    /// Replaces the file at `url` with `value` as pretty-printed JSON with sorted keys and a final newline.
    ///
    /// Sorted keys make files from identical runs identical, so they diff and hash cleanly.
    /// - Throws: `ReportError.encodingFailed`, or as `write(_:to:)` for `Data`.
    public static func writeJSON(_ value: some Encodable, to url: URL) throws(ReportError) {
        let encoder = JSONLines.makeEncoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        var data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw .encodingFailed(reason: JSONLines.describe(error))
        }
        data.append(0x0A)
        try write(data, to: url)
    }

    private static func checkDirectory(_ directory: String) throws(ReportError) {
        var status = stat()
        guard stat(directory, &status) == 0 else {
            switch errno {
            case ENOENT: throw .directoryNotFound(path: directory)
            case ENOTDIR: throw .notADirectory(path: directory)
            default: throw .directoryNotWritable(path: directory, reason: SystemCall.errorText)
            }
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { throw .notADirectory(path: directory) }
    }
}
