/// Everything the Reports module can refuse, with what a user needs to fix it.
///
/// Each description is one line: what is wrong, then what to do about it.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// The directory that should hold a file does not exist.
    case directoryNotFound(path: String)
    /// A path that should be a directory is something else (a regular file, a socket).
    case notADirectory(path: String)
    /// The directory exists but a file cannot be created in it.
    case directoryNotWritable(path: String, reason: String)
    /// Writing, syncing or renaming a file failed part way; the destination is unchanged.
    case writeFailed(path: String, reason: String)
    /// A file could not be read.
    case readFailed(path: String, reason: String)
    /// A value could not be encoded as JSON (for example a key that is not a string).
    case encodingFailed(reason: String)
    /// One line of a JSON Lines file is not valid JSON for the expected type (`line` counts from 1).
    case badJSONLine(line: Int, reason: String)

    public var description: String {
        switch self {
        case .directoryNotFound(let path):
            "directory '\(path)' does not exist: create it first (the run directory is made before any file is written)"
        case .notADirectory(let path):
            "'\(path)' is not a directory: choose another output directory"
        case .directoryNotWritable(let path, let reason):
            "cannot create a file in '\(path)' (\(reason)): check its permissions and free space"
        case .writeFailed(let path, let reason):
            "writing '\(path)' failed (\(reason)); the previous contents are intact: check free space and retry"
        case .readFailed(let path, let reason):
            "cannot read '\(path)' (\(reason)): check the path and its permissions"
        case .encodingFailed(let reason):
            "cannot encode the value as JSON (\(reason))"
        case .badJSONLine(let line, let reason):
            "line \(line) is not a valid record (\(reason)): fix or remove that line"
        }
    }
}
