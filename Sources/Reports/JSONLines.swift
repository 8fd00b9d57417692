import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Metrics logs as JSON Lines: one JSON object per line, appended as a run goes.
///
/// Appending one line per record means a crash loses at most the record being written and
/// the log stays readable with line-oriented tools (`tail`, `grep`, `jq`). Keys are sorted so
/// identical records give identical bytes. Non-finite numbers (a diverged loss) are written as
/// the strings `"NaN"`, `"Infinity"` and `"-Infinity"` instead of failing the run, and read back as numbers.
public enum JSONLines {
    /// `value` as one line of JSON ending in a newline.
    /// - Throws: `ReportError.encodingFailed` when the value cannot be encoded.
    public static func line(for value: some Encodable) throws(ReportError) -> Data {
        var data: Data
        do {
            data = try makeEncoder().encode(value)
        } catch {
            throw .encodingFailed(reason: describe(error))
        }
        data.append(0x0A)
        return data
    }

    /// Writes `value` as one line at the handle's current position.
    ///
    /// Open the handle with `FileHandle(forWritingTo:)` and call `seekToEnd()` once to append to
    /// an existing log; standard output and pipes work as they are.
    /// - Throws: `ReportError.encodingFailed`, or `.writeFailed` with `path` when the write fails.
    public static func append(
        _ value: some Encodable,
        to handle: FileHandle,
        path: String = "<file handle>"
    ) throws(ReportError) {
        let data = try line(for: value)
        do {
            try handle.write(contentsOf: data)
        } catch {
            throw .writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    /// Appends `value` as one line to the file at `url`, creating the file if needed.
    ///
    /// The line goes out in one `write` to a file opened with `O_APPEND`, so lines from
    /// concurrent writers do not interleave.
    /// - Throws: `ReportError.encodingFailed`, `.directoryNotFound` or `.writeFailed`.
    public static func append(_ value: some Encodable, toFileAt url: URL) throws(ReportError) {
        let data = try line(for: value)
        let path = url.standardizedFileURL.path
        let descriptor = SystemCall.open(path, flags: O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT {
                throw .directoryNotFound(path: url.standardizedFileURL.deletingLastPathComponent().path)
            }
            throw .writeFailed(path: path, reason: SystemCall.errorText)
        }
        let failure = SystemCall.writeAll(data, to: descriptor)
        close(descriptor)
        if let failure { throw .writeFailed(path: path, reason: failure) }
    }

    /// Decodes every non-blank line of `data` as a `Record`.
    /// - Parameters:
    ///   - type: The record type.
    ///   - data: JSON Lines text; `\r\n` line ends are accepted.
    ///   - skippingIncompleteLastLine: Whether to ignore a last line that has no newline and does not
    ///     decode: what a crash during an append leaves behind.
    /// - Returns: The records in file order.
    /// - Throws: `ReportError.badJSONLine` with the 1-based number of the first line that does not decode.
    public static func decode<Record: Decodable>(
        _ type: Record.Type,
        from data: Data,
        skippingIncompleteLastLine: Bool = false
    ) throws(ReportError) -> [Record] {
        let decoder = makeDecoder()
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        var records: [Record] = []
        for (index, rawLine) in lines.enumerated() {
            var line = rawLine
            if line.last == 0x0D { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                records.append(try decoder.decode(Record.self, from: Data(line)))
            } catch {
                let isLast = index == lines.count - 1
                if isLast && skippingIncompleteLastLine { break }
                throw .badJSONLine(line: index + 1, reason: describe(error))
            }
        }
        return records
    }

    /// Reads and decodes the JSON Lines file at `url`.
    /// - Throws: `ReportError.readFailed` when the file cannot be read, `.badJSONLine` as `decode`.
    public static func read<Record: Decodable>(
        _ type: Record.Type,
        from url: URL,
        skippingIncompleteLastLine: Bool = false
    ) throws(ReportError) -> [Record] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            let reason = FileManager.default.fileExists(atPath: url.path) ? error.localizedDescription : "no such file"
            throw .readFailed(path: url.path, reason: reason)
        }
        return try decode(type, from: data, skippingIncompleteLastLine: skippingIncompleteLastLine)
    }

    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity",
            nan: "NaN"
        )
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity",
            nan: "NaN"
        )
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// A one-line reason for a coding error, naming the key path so the user can find the field.
    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing key '\(path(context.codingPath + [key]))'"
        case DecodingError.typeMismatch(let type, let context):
            return "'\(path(context.codingPath))' is not of type \(type)"
        case DecodingError.valueNotFound(let type, let context):
            return "'\(path(context.codingPath))' is null, expected \(type)"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "not valid JSON" : "'\(path(context.codingPath))': \(context.debugDescription)"
        case EncodingError.invalidValue(_, let context):
            return context.codingPath.isEmpty
                ? context.debugDescription : "'\(path(context.codingPath))': \(context.debugDescription)"
        default:
            return String(describing: error)
        }
    }
}
