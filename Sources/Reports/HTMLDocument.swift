/// A report as one self-contained HTML5 page: styles and charts inline, nothing fetched,
/// so the file can be mailed, archived or opened offline and looks the same.
public struct HTMLDocument: Sendable {
    /// The page title, shown as the top heading and in the browser tab.
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

    /// The complete page, from `<!DOCTYPE html>` to `</html>`.
    public func render() -> String {
        var lines = [
            "<!DOCTYPE html>",
            "<html lang=\"en\">",
            "<head>",
            "<meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>\(title.xmlEscaped)</title>",
            "<style>",
            Self.stylesheet,
            "</style>",
            "</head>",
            "<body>",
            "<main>",
            "<h1>\(title.xmlEscaped)</h1>",
        ]
        for block in blocks {
            lines.append(Self.html(for: block))
        }
        lines += ["</main>", "</body>", "</html>"]
        return lines.joined(separator: "\n") + "\n"
    }

    static func html(for block: ReportBlock) -> String {
        switch block {
        case .heading(let text, let level):
            let level = min(max(level, 2), 6)
            return "<h\(level)>\(text.xmlEscaped)</h\(level)>"
        case .paragraph(let text):
            return "<p>\(text.xmlEscaped)</p>"
        case .preformatted(let text):
            return "<pre>\(text.xmlEscaped)</pre>"
        case .table(let table):
            return "<div class=\"table\">\n" + table.html() + "</div>"
        case .chart(let chart, _):
            return "<figure>\n" + chart.svg() + "</figure>"
        case .figures(let charts):
            return "<div class=\"figures\">\n"
                + charts.map { "<figure>\n" + $0.chart.svg() + "</figure>" }.joined(separator: "\n")
                + "\n</div>"
        case .keyValues(let pairs):
            let items = pairs.map { "<dt>\($0.key.xmlEscaped)</dt><dd>\($0.value.xmlEscaped)</dd>" }
            return (["<dl>"] + items + ["</dl>"]).joined(separator: "\n")
        }
    }

    /// Readable on screen and on paper: text in a readable column, but tables and charts use
    /// the page's width (a table cell never wraps a number such as "0.9979 ± 0.0001"; a wide
    /// table scrolls on its own), charts side by side when they fit, and no page breaks inside
    /// a figure or table.
    static let stylesheet = """
        :root { color-scheme: light; }
        body { margin: 0; background: #fff; color: #1d1d1f;
          font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
        main { max-width: 110rem; margin: 0 auto; padding: 1.5rem 2rem 3rem; }
        h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 1.6em 0 0.5em; }
        h1 { font-size: 1.9rem; margin-top: 0.5em; border-bottom: 2px solid #ddd; padding-bottom: 0.3em; }
        h2 { font-size: 1.4rem; border-bottom: 1px solid #eee; padding-bottom: 0.2em; }
        h3 { font-size: 1.15rem; }
        p { max-width: 52rem; }
        pre { background: #f5f6f8; border: 1px solid #dde1e6; border-radius: 4px; padding: 0.75rem 1rem;
          overflow-x: auto; font: 0.85rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
        .table { overflow-x: auto; margin: 1rem 0; }
        table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.875rem; }
        caption { caption-side: top; text-align: left; font-weight: 600; padding: 0 0 0.4rem; }
        th, td { border: 1px solid #c9ced6; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top;
          white-space: nowrap; }
        /* Numbers stay on one line; names in the first column wrap, so wide tables fit a laptop. */
        tbody td:first-child { white-space: normal; min-width: 10rem; }
        thead th { background: #e9edf2; white-space: normal; min-width: 4rem; vertical-align: bottom; }
        tbody tr:nth-child(even) { background: #f6f8fa; }
        figure { margin: 1.25rem 0; }
        figure svg { display: block; width: 100%; max-width: 960px; height: auto; }
        .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 36rem), 1fr));
          gap: 0 2rem; align-items: start; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1.25rem; margin: 1rem 0; }
        dt { font-weight: 600; }
        dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
          font-size: 0.9rem; overflow-wrap: anywhere; }
        @media print {
          body { font-size: 11pt; }
          main { max-width: none; padding: 0; }
          figure, table, pre, dl { break-inside: avoid; }
          h2, h3 { break-after: avoid; }
          thead th, tbody tr:nth-child(even) { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
          .table { overflow: visible; }
        }
        """
}
