/// Text a peer sent (an error message, a goodbye reason, a worker's name or version), made safe
/// to put in a log line or on a terminal.
///
/// A peer chooses these bytes. Printed raw, a newline forges a log line of its own, an escape
/// sequence reaches the operator's terminal, a bidirectional override reorders what is shown,
/// and a 4 KiB string buries the lines around it. So control characters, line separators and
/// bidirectional controls are shown as escapes (`\n`, `\u{1B}`), a backslash as `\\` (so an
/// escape in the output always means one in the input), and text longer than `maxScalars`
/// Unicode scalars is cut with an ellipsis. Interpolate it where peer text meets our own:
/// `"worker said goodbye: \(PeerText(reason))"`.
public struct PeerText: Sendable, Hashable, CustomStringConvertible {
    /// The longest text shown whole, in Unicode scalars (not bytes, not characters: one
    /// character may carry thousands of combining scalars).
    public static let maxScalars = 200

    /// The text as the peer sent it.
    public let raw: String

    public init(_ raw: String) {
        self.raw = raw
    }

    public var description: String {
        var shown = ""
        var count = 0
        for scalar in raw.unicodeScalars {
            guard count < Self.maxScalars else {
                shown += "…"
                break
            }
            count += 1
            switch scalar {
            case "\\": shown += "\\\\"
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case _ where Self.needsEscape(scalar):
                shown += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// C0 and C1 controls and DEL, the line and paragraph separators, and the bidirectional
    /// embeddings, overrides and isolates.
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
