/// A report as Markdown, for READMEs, issues and research logs that live next to the run.
///
/// Markdown cannot hold a chart, so each chart is a link to the file name the caller gave;
/// `chartFiles()` lists the SVGs to write beside the Markdown file.
public struct MarkdownDocument: Sendable {
    /// The document title, written as the top heading.
    public var title: String
    /// The content, in order.
    public var blocks: [ReportBlock]

    public init(title: String, blocks: [ReportBlock] = []) {
        self.title = title
        self.blocks = blocks
    }

    /// Appends a block.
    public mutating func append(_ block: ReportBlock) {
        blocks.append(block)
    }

    /// The document as Markdown text; blocks are separated by blank lines.
    public func render() -> String {
        var parts = ["# \(Table.singleLine(title).markdownEscaped)"]
        for block in blocks {
            parts.append(Self.markdown(for: block))
        }
        return parts.joined(separator: "\n\n") + "\n"
    }

    /// The SVG of every chart with the file name it is linked under, to write beside the Markdown file.
    public func chartFiles() -> [(fileName: String, svg: String)] {
        blocks.flatMap { block -> [(fileName: String, svg: String)] in
            switch block {
            case .chart(let chart, let fileName): [(fileName, chart.svg())]
            case .figures(let charts): charts.map { ($0.fileName, $0.chart.svg()) }
            default: []
            }
        }
    }

    static func image(_ chart: LineChart, _ fileName: String) -> String {
        "![\(Table.singleLine(chart.title).markdownEscaped)](\(fileName.markdownLinkTarget()))"
    }

    static func markdown(for block: ReportBlock) -> String {
        switch block {
        case .heading(let text, let level):
            return String(repeating: "#", count: min(max(level, 2), 6)) + " " + Table.singleLine(text).markdownEscaped
        case .paragraph(let text):
            return text.markdownEscaped
        case .preformatted(let text):
            // The fence must be longer than any run of backticks inside the text.
            var longest = 0
            var run = 0
            for character in text {
                run = character == "`" ? run + 1 : 0
                longest = max(longest, run)
            }
            let fence = String(repeating: "`", count: max(3, longest + 1))
            let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
            return fence + "\n" + body + "\n" + fence
        case .table(let table):
            return String(table.markdown().dropLast())
        case .chart(let chart, let fileName):
            return image(chart, fileName)
        case .figures(let charts):
            return charts.map { image($0.chart, $0.fileName) }.joined(separator: "\n\n")
        case .keyValues(let pairs):
            return pairs.map {
                "- **\(Table.singleLine($0.key).markdownEscaped)**: \(Table.singleLine($0.value).markdownEscaped)"
            }
            .joined(separator: "\n")
        }
    }
}

extension String {
    /// Spaces and parentheses percent-encoded so a file name stays one Markdown link target.
    fileprivate func markdownLinkTarget() -> String {
        var result = ""
        for character in self {
            switch character {
            case " ": result += "%20"
            case "(": result += "%28"
            case ")": result += "%29"
            default: result.append(character)
            }
        }
        return result
    }
}
