extension Table {
    /// The table as a GitHub-flavoured Markdown pipe table, columns padded so the source reads as a table too.
    ///
    /// Pipes in cells are escaped and line breaks become spaces, since either would break the row.
    /// The caption, if any, is an italic line above the table (Markdown tables have no caption).
    public func markdown() -> String {
        let count = columnCount
        guard count > 0 else { return caption.map { "*\(Self.singleLine($0).markdownEscaped)*\n" } ?? "" }
        let header = padded(headers).map(Self.markdownCell)
        let body = rows.map { padded($0).map(Self.markdownCell) }
        let widths = (0..<count).map { column in
            ([header] + body).reduce(3) { max($0, $1[column].count) }
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { column, cell in
                Self.pad(cell, to: widths[column], alignment: alignment(of: column))
            }
            return "| " + padded.joined(separator: " | ") + " |"
        }
        let rule = (0..<count).map { column -> String in
            let dashes = widths[column]
            switch alignment(of: column) {
            case .left: return ":" + String(repeating: "-", count: dashes - 1)
            case .right: return String(repeating: "-", count: dashes - 1) + ":"
            case .center: return ":" + String(repeating: "-", count: dashes - 2) + ":"
            }
        }
        var lines: [String] = []
        if let caption, !caption.isEmpty {
            lines.append("*\(Self.singleLine(caption).markdownEscaped)*")
            lines.append("")
        }
        lines.append(line(header))
        lines.append("| " + rule.joined(separator: " | ") + " |")
        lines += body.map(line)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A cell with pipes escaped; other Markdown is kept, so a caller can bold the best result.
    static func markdownCell(_ text: String) -> String {
        singleLine(text).replacingPipes()
    }

    static func singleLine(_ text: String) -> String {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: " ")
    }

    static func pad(_ text: String, to width: Int, alignment: Alignment) -> String {
        let gap = max(0, width - text.count)
        switch alignment {
        case .left: return text + String(repeating: " ", count: gap)
        case .right: return String(repeating: " ", count: gap) + text
        case .center:
            return String(repeating: " ", count: gap / 2) + text + String(repeating: " ", count: gap - gap / 2)
        }
    }
}

extension String {
    fileprivate func replacingPipes() -> String {
        var result = ""
        for character in self {
            if character == "|" { result += "\\|" } else { result.append(character) }
        }
        return result
    }
}
