/// One piece of a report, rendered the same way by `HTMLDocument` and `MarkdownDocument`,
/// so a run builds its report once and writes both forms.
public enum ReportBlock: Sendable {
    /// A section heading; level 2 is a section, 3 a subsection (the document title is level 1).
    case heading(String, level: Int = 2)
    /// A paragraph of plain text; markup characters are shown as typed.
    case paragraph(String)
    /// Text shown verbatim in a monospaced block (a command line, a log excerpt, a config file).
    case preformatted(String)
    /// A table.
    case table(Table)
    /// A chart: inlined as SVG in HTML, referenced as `fileName` (relative to the Markdown file) in Markdown.
    case chart(LineChart, fileName: String)
    /// Charts read together (training and validation loss; predictions and residuals): side by
    /// side where the page is wide enough, one under the other otherwise.
    case figures([(chart: LineChart, fileName: String)])
    /// Ordered name-value pairs, such as the settings of a run.
    case keyValues([(key: String, value: String)])
}
