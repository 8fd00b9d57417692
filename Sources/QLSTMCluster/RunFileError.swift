/// A run directory, model file or data file that cannot be used: one line naming the file,
/// what is wrong with it and what to do.
public enum RunFileError: Error, Equatable, CustomStringConvertible {
    /// The file is missing or unreadable.
    case unreadable(path: String)
    /// The file was read but cannot be used; `message` says why and how to fix it.
    case invalid(path: String, message: String)

    public var description: String {
        switch self {
        case .unreadable(let path):
            "cannot read '\(path)': check the path and that the file is UTF-8 text"
        case .invalid(let path, let message):
            "\(path): \(message)"
        }
    }
}
