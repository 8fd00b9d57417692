import ClusterProtocol
import Testing

@Suite("Peer text in logs and terminals")
struct PeerTextTests {
    @Test(
        "control characters, separators, bidirectional controls and backslashes are shown as escapes",
        arguments: [
            ("plain text, é 量子 🧪", "plain text, é 量子 🧪"),
            ("bye\n2026-01-01T00:00:00Z qlstm worker: forged", "bye\\n2026-01-01T00:00:00Z qlstm worker: forged"),
            ("\u{1B}[2J\u{1B}]0;title\u{7}", "\\u{1B}[2J\\u{1B}]0;title\\u{7}"),
            ("a\rb\tc\u{0}d", "a\\rb\\tc\\u{0}d"),
            ("\u{9B}31m C1 CSI, \u{7F} DEL", "\\u{9B}31m C1 CSI, \\u{7F} DEL"),
            ("line\u{2028}para\u{2029}", "line\\u{2028}para\\u{2029}"),
            ("\u{202E}txt.exe", "\\u{202E}txt.exe"),
            ("a \\n is not a newline", "a \\\\n is not a newline"),
        ]
    )
    func escapes(raw: String, shown: String) {
        #expect(PeerText(raw).description == shown)
        #expect(!PeerText(raw).description.unicodeScalars.contains { $0.properties.generalCategory == .control })
    }

    @Test("text is cut after 200 scalars with an ellipsis, however it is built")
    func length() {
        #expect(PeerText(String(repeating: "x", count: 200)).description == String(repeating: "x", count: 200))
        #expect(PeerText(String(repeating: "x", count: 201)).description == String(repeating: "x", count: 200) + "…")
        // One character of ten thousand combining marks is cut too.
        let zalgo = "e" + String(repeating: "\u{301}", count: 10_000)
        #expect(PeerText(zalgo).description.unicodeScalars.count == 201)
        // Escapes lengthen the output, but each input scalar counts once.
        let escaped = PeerText(String(repeating: "\u{1B}", count: 300)).description
        #expect(escaped == String(repeating: "\\u{1B}", count: 200) + "…")
    }

    @Test("the peer's circuit id in a decoder error is escaped")
    func decoderError() throws {
        let circuit =
            [UInt8]([0, 0, 0, 1]) + [0, 0, 0, 3] + Array("a\nb".utf8) + [3, 9, 0, 0, 0, 1, 1, 1] + [0, 0, 0, 1, 0]
        let frame =
            FrameEncoder().encode(.loadCircuits([]), requestID: 1).prefix(16) + [0, 0, 0, UInt8(circuit.count)]
            + circuit
        var decoder = FrameDecoder()
        decoder.append(Array(frame))
        #expect {
            try decoder.next()
        } throws: { error in
            "\(error)".contains("a\\nb") && !"\(error)".contains("\n")
        }
    }
}
