extension String {
    /// The text with `& < > " '` replaced by entities, safe inside XML or HTML text and
    /// quoted attribute values alike, so one function serves SVG and HTML.
    var xmlEscaped: String {
        var result = ""
        result.reserveCapacity(utf8.count)
        for character in unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            // Control characters other than tab and newline are not allowed in XML 1.0 at all.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}": result += "\u{FFFD}"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// The text with Markdown's inline punctuation backslash-escaped, so names like
    /// `n_qlayers` or `a*b` show literally instead of turning into emphasis or links.
    var markdownEscaped: String {
        var result = ""
        for character in self {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "<", ">", "#", "|", "&":
                result.append("\\")
                result.append(character)
            default:
                result.append(character)
            }
        }
        return result
    }
}
