/// A CSV column chosen by its header name or by its 0-based position.
///
/// Literals read naturally at call sites: `target: "close"` or `target: 3`.
public enum CSVColumn: Sendable, Hashable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral, ExpressibleByIntegerLiteral
{
    case name(String)
    case index(Int)

    /// Reads a command-line argument: a non-negative integer is an index, anything else a name.
    public init(argument: String) {
        if let index = Int(argument), index >= 0 { self = .index(index) } else { self = .name(argument) }
    }

    public init(stringLiteral value: String) {
        self = .name(value)
    }

    public init(integerLiteral value: Int) {
        self = .index(value)
    }

    public var description: String {
        switch self {
        case .name(let name): "'\(name)'"
        case .index(let index): "#\(index)"
        }
    }
}
