extension Table {
    /// The table as an HTML `<table>` fragment with a `<caption>`, a `<thead>` and a `<tbody>`.
    ///
    /// Alignment is an inline style on each cell, so the fragment keeps it outside `HTMLDocument`'s stylesheet.
    public func html() -> String {
        let count = columnCount
        func row(_ cells: [String], tag: String) -> String {
            let inner = padded(cells).prefix(count).enumerated().map { column, cell in
                let style: String
                switch alignment(of: column) {
                case .left: style = ""
                case .right: style = " style=\"text-align:right\""
                case .center: style = " style=\"text-align:center\""
                }
                return "<\(tag)\(style)>\(cell.xmlEscaped)</\(tag)>"
            }
            return "<tr>" + inner.joined() + "</tr>"
        }
        var lines = ["<table>"]
        if let caption, !caption.isEmpty {
            lines.append("<caption>\(caption.xmlEscaped)</caption>")
        }
        lines.append("<thead>")
        lines.append(row(headers, tag: "th"))
        lines.append("</thead>")
        lines.append("<tbody>")
        lines += rows.map { row($0, tag: "td") }
        lines.append("</tbody>")
        lines.append("</table>")
        return lines.joined(separator: "\n") + "\n"
    }
}
