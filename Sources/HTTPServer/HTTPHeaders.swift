/// Header fields in the order received, looked up by name without regard to case
/// (RFC 9110 §5.1).
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of `name`, or `nil`.
    public subscript(name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of `name`, in order.
    public func values(of name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// Whether a comma-separated header (`Connection`, `Expect`) holds `token`, in any case.
    public func contains(token: String, in name: String) -> Bool {
        values(of: name).contains { value in
            value.split(separator: ",").contains {
                $0.trimmingWhitespace().lowercased() == token.lowercased()
            }
        }
    }

    public mutating func add(name: String, value: String) {
        fields.append((name, value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingWhitespace() -> Substring {
        let string = Substring(self)
        let start = string.firstIndex { $0 != " " && $0 != "\t" } ?? string.endIndex
        let end = string.lastIndex { $0 != " " && $0 != "\t" }.map(string.index(after:)) ?? start
        return string[start..<end]
    }
}
