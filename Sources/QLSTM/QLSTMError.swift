/// Everything the QLSTM module can refuse, with what a user needs to fix it.
///
/// Each description is one line: what is wrong, then what to do about it.
public enum QLSTMError: Error, Equatable, CustomStringConvertible {
    /// A size or count outside the values it accepts.
    case invalidParameter(name: String, value: Int, expected: String)
    /// An array whose element count does not match the shapes it is used with.
    case countMismatch(name: String, expected: Int, found: Int)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let value, let expected):
            "\(name) = \(value) is invalid: expected \(expected)"
        case .countMismatch(let name, let expected, let found):
            "\(name) has \(found) element(s) but the shapes need \(expected): check the batch size, sequence length and widths"
        }
    }
}
