import Testing

@testable import HTTPServer

@Suite("JSON bodies")
struct JSONValueTests {
    static func parse(_ text: String) throws(JSONError) -> JSONValue {
        try JSONValue.parse(Array(text.utf8))
    }

    @Test("numbers convert as Double(String) does, bit for bit, and are written back to the same bits")
    func numbers() throws {
        let texts = [
            "0", "-0", "1", "0.1", "-2.5e-3", "1E+2", "6.02214076e23", "4.9e-324", "1.7976931348623157e308",
            "0.30000000000000004", "123456789012345678901234567890",
        ]
        for text in texts {
            guard case .number(let value) = try Self.parse(text) else {
                Issue.record("\(text) is not a number")
                continue
            }
            #expect(value.bitPattern == Double(text)!.bitPattern, "\(text)")
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let value = Double(bitPattern: generator.next() & ~(0x7FF << 52) | (UInt64.random(in: 900...1150) << 52))
            let written = JSONValue.array([.number(value)]).serialized()
            #expect(try Self.parse(written) == .array([.number(value)]), "\(written)")
        }
    }

    @Test(
        "what is not JSON is refused with its offset and the reason",
        arguments: [
            ("[1, NaN]", 4, "NaN and Infinity"),
            ("[Infinity]", 1, "NaN and Infinity"),
            ("[-Infinity]", 1, "NaN and Infinity"),
            ("[1e999]", 1, "beyond the range"),
            ("[01]", 1, "may not start with 0"),
            ("[1.]", 1, "after '.'"),
            ("[1,]", 3, "expected a value"),
            ("{\"a\": 1, \"a\": 2}", 9, "appears twice"),
            ("{\"a\" 1}", 5, "expected ':'"),
            ("[\"a\u{1}\"]", 3, "control character"),
            ("[1] x", 4, "after the document"),
            ("[", 1, "end of input"),
            ("\"\\x\"", 1, "unknown escape"),
        ]
    )
    func refusals(text: String, offset: Int, reason: String) {
        do {
            _ = try Self.parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.offset == offset, "\(error)")
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test("nesting is bounded, strings unescape (surrogate pairs too) and escape back")
    func structure() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONError.self) { try Self.parse(deep) }
        #expect(try JSONValue.parse(Array("[[1]]".utf8), maxDepth: 2) == .array([.array([.number(1)])]))
        let string = try Self.parse(#""a\"\\\/\n\u00e9\ud83d\ude00""#)
        #expect(string == .string("a\"\\/\né😀"))
        let object = JSONValue.object([("b", .array([.null, .bool(true)])), ("a", .string("x\u{1}\"y"))])
        #expect(object.serialized() == #"{"a":"x\u0001\"y","b":[null,true]}"#)
        #expect(try Self.parse(object.serialized()) == object)
        #expect(JSONValue.array([.number(.nan), .number(1)]).serialized() == "[null,1.0]")
    }
}
