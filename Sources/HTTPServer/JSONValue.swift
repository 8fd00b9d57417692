/// A JSON document, parsed and written by this module: the bodies of the inference server.
///
/// Its own parser, rather than Foundation's, for two reasons. Numbers go through
/// `Double(String)`, the correctly rounded conversion the CSV reader uses, so a value sent as
/// text reaches the model with the bits it would have had from a CSV file (`qlstm serve` and
/// `qlstm predict` must agree bit for bit). And a bad document is refused with the byte offset
/// and what was expected there, and `NaN` or `Infinity` (which Python's `json.dumps` writes) by
/// name.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// Always finite: the parser refuses numbers beyond `Double`'s range.
    case number(Double)
    /// Written as digits, for counts and sizes in responses; the parser reads every number as
    /// `.number`.
    case integer(Int)
    case string(String)
    case array([JSONValue])
    /// Keys are unique (the parser refuses a repeated key); written in sorted order.
    case object([String: JSONValue])

    /// An object from members in any order, for building responses.
    public static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(Dictionary(members, uniquingKeysWith: { _, last in last }))
    }

    /// What a client sees in an error message: `a string`, `an array`, `null`.
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number, .integer: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    // MARK: Writing

    /// Compact JSON, keys sorted. A number is written as Swift's shortest representation that
    /// reads back to the same `Double` (as `qlstm predict` writes its CSV); a non-finite one,
    /// which JSON cannot hold, as `null`.
    public func serialized() -> String {
        var text = ""
        write(to: &text)
        return text
    }

    private func write(to text: inout String) {
        switch self {
        case .null: text += "null"
        case .bool(let value): text += value ? "true" : "false"
        case .number(let value): text += value.isFinite ? "\(value)" : "null"
        case .integer(let value): text += "\(value)"
        case .string(let value): Self.write(string: value, to: &text)
        case .array(let values):
            text += "["
            for (index, value) in values.enumerated() {
                if index > 0 { text += "," }
                value.write(to: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { text += "," }
                Self.write(string: key, to: &text)
                text += ":"
                members[key]!.write(to: &text)
            }
            text += "}"
        }
    }

    private static func write(string: String, to text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    // MARK: Reading

    /// Parses one JSON document (RFC 8259), whitespace around it allowed.
    /// - Parameter maxDepth: the most arrays and objects that may nest (`[[1]]` nests 2), so a
    ///   document of nested brackets cannot exhaust the stack.
    /// - Throws: `JSONError` with the byte offset and what was wrong there.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(JSONError) -> JSONValue {
        var reader = Reader(bytes: bytes, maxDepth: maxDepth)
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.offset == bytes.count else {
            throw reader.error("unexpected \(reader.describeNext()) after the document")
        }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        let maxDepth: Int
        var offset = 0

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        func error(_ message: String, at position: Int? = nil) -> JSONError {
            JSONError(offset: position ?? offset, message: message)
        }

        func describeNext() -> String {
            guard offset < bytes.count else { return "end of input" }
            let byte = bytes[offset]
            return byte >= 0x21 && byte < 0x7F
                ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        }

        mutating func skipWhitespace() {
            while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
        }

        mutating func expect(_ literal: String, value: JSONValue) throws(JSONError) -> JSONValue {
            let expected = Array(literal.utf8)
            guard bytes.count - offset >= expected.count, Array(bytes[offset..<(offset + expected.count)]) == expected
            else {
                throw error("unexpected \(describeNext())")
            }
            offset += expected.count
            return value
        }

        /// A value inside `depth` arrays and objects.
        mutating func value(depth: Int) throws(JSONError) -> JSONValue {
            guard offset < bytes.count else { throw error("unexpected end of input: a value is missing") }
            if bytes[offset] == UInt8(ascii: "{") || bytes[offset] == UInt8(ascii: "[") {
                guard depth < maxDepth else { throw error("arrays and objects nested deeper than \(maxDepth) levels") }
            }
            switch bytes[offset] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try expect("true", value: .bool(true))
            case UInt8(ascii: "f"): return try expect("false", value: .bool(false))
            case UInt8(ascii: "n"): return try expect("null", value: .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            case UInt8(ascii: "N"), UInt8(ascii: "I"):
                throw error("NaN and Infinity are not JSON numbers: send finite numbers")
            default: throw error("unexpected \(describeNext()): expected a value")
            }
        }

        mutating func object(depth: Int) throws(JSONError) -> JSONValue {
            offset += 1
            var members: [String: JSONValue] = [:]
            skipWhitespace()
            if offset < bytes.count && bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
                    throw error("unexpected \(describeNext()): expected a key in double quotes")
                }
                let keyOffset = offset
                let key = try string()
                skipWhitespace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else {
                    throw error("unexpected \(describeNext()): expected ':' after a key")
                }
                offset += 1
                skipWhitespace()
                let member = try value(depth: depth + 1)
                guard members.updateValue(member, forKey: key) == nil else {
                    throw error("the key \"\(key)\" appears twice", at: keyOffset)
                }
                skipWhitespace()
                guard offset < bytes.count else { throw error("unexpected end of input: an object is not closed") }
                if bytes[offset] == UInt8(ascii: "}") {
                    offset += 1
                    return .object(members)
                }
                guard bytes[offset] == UInt8(ascii: ",") else {
                    throw error("unexpected \(describeNext()): expected ',' or '}'")
                }
                offset += 1
            }
        }

        mutating func array(depth: Int) throws(JSONError) -> JSONValue {
            offset += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if offset < bytes.count && bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth + 1))
                skipWhitespace()
                guard offset < bytes.count else { throw error("unexpected end of input: an array is not closed") }
                if bytes[offset] == UInt8(ascii: "]") {
                    offset += 1
                    return .array(elements)
                }
                guard bytes[offset] == UInt8(ascii: ",") else {
                    throw error("unexpected \(describeNext()): expected ',' or ']'")
                }
                offset += 1
            }
        }

        /// A number by RFC 8259's grammar, converted by `Double(String)`.
        mutating func number() throws(JSONError) -> Double {
            let begin = offset
            func digits() -> Int {
                let first = offset
                while offset < bytes.count, bytes[offset] >= UInt8(ascii: "0"), bytes[offset] <= UInt8(ascii: "9") {
                    offset += 1
                }
                return offset - first
            }
            if bytes[offset] == UInt8(ascii: "-") {
                offset += 1
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "I") {
                    throw error("NaN and Infinity are not JSON numbers: send finite numbers", at: begin)
                }
            }
            let integerStart = offset
            let integerDigits = digits()
            guard integerDigits > 0 else { throw error("a number needs digits", at: begin) }
            guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
                throw error("a number may not start with 0", at: begin)
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
                offset += 1
                guard digits() > 0 else { throw error("a number needs digits after '.'", at: begin) }
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
                offset += 1
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                    offset += 1
                }
                guard digits() > 0 else { throw error("a number needs digits in its exponent", at: begin) }
            }
            let text = String(decoding: bytes[begin..<offset], as: UTF8.self)
            guard let value = Double(text), value.isFinite else {
                throw error("the number \(text) is beyond the range of a Double", at: begin)
            }
            return value
        }

        mutating func string() throws(JSONError) -> String {
            let begin = offset
            offset += 1
            var scalars = String.UnicodeScalarView()
            var run = offset
            func flush(_ end: Int) {
                scalars.append(contentsOf: String(decoding: bytes[run..<end], as: UTF8.self).unicodeScalars)
            }
            while true {
                guard offset < bytes.count else { throw error("a string is not closed", at: begin) }
                let byte = bytes[offset]
                if byte == UInt8(ascii: "\"") {
                    flush(offset)
                    offset += 1
                    return String(scalars)
                }
                guard byte >= 0x20 else { throw error("a control character inside a string must be escaped") }
                guard byte == UInt8(ascii: "\\") else {
                    offset += 1
                    continue
                }
                flush(offset)
                offset += 1
                guard offset < bytes.count else { throw error("a string is not closed", at: begin) }
                let escape = bytes[offset]
                offset += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hexQuad()
                    if (0xD800..<0xDC00).contains(code), bytes.count - offset >= 6,
                        bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
                    {
                        offset += 2
                        let low = try hexQuad()
                        guard (0xDC00..<0xE000).contains(low) else {
                            throw error("\\u\(String(code, radix: 16)) is not followed by a low surrogate")
                        }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                default:
                    throw error("unknown escape '\\\(Character(Unicode.Scalar(escape)))' in a string", at: offset - 2)
                }
                run = offset
            }
        }

        mutating func hexQuad() throws(JSONError) -> UInt32 {
            guard bytes.count - offset >= 4,
                bytes[offset..<(offset + 4)].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
                let code = UInt32(String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self), radix: 16)
            else {
                throw error("\\u needs four hex digits")
            }
            offset += 4
            return code
        }
    }
}

/// A document that is not JSON: where, and what was wrong there.
public struct JSONError: Error, Equatable, CustomStringConvertible {
    /// The byte offset, from 0.
    public let offset: Int
    public let message: String

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}
