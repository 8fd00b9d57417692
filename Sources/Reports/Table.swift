/// A table of text cells that renders to Markdown and to HTML, such as the paper's
/// Tables I and II or a comparison of centric, distributed and classical runs.
///
/// Cells are strings so the caller decides how each number reads (see `SampleStatistics`);
/// a row shorter than the header is padded with empty cells, a longer one widens the table.
public struct Table: Equatable, Sendable {
    /// How a column's cells are aligned; numbers read best right-aligned.
    public enum Alignment: Equatable, Sendable {
        case left
        case right
        case center
    }

    /// The column titles.
    public var headers: [String]
    /// The cells, row by row.
    public var rows: [[String]]
    /// One alignment per column; columns beyond this list are left-aligned.
    public var alignments: [Alignment]
    /// A short description shown above the table.
    public var caption: String?

    public init(headers: [String], rows: [[String]] = [], alignments: [Alignment] = [], caption: String? = nil) {
        self.headers = headers
        self.rows = rows
        self.alignments = alignments
        self.caption = caption
    }

    /// Appends one row.
    public mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The number of columns: the longest of the header and the rows.
    public var columnCount: Int {
        rows.reduce(headers.count) { max($0, $1.count) }
    }

    /// The alignment of `column`, left when none was given.
    public func alignment(of column: Int) -> Alignment {
        column < alignments.count ? alignments[column] : .left
    }

    /// `cells` padded with empty strings to `columnCount`.
    func padded(_ cells: [String]) -> [String] {
        cells + Array(repeating: "", count: columnCount - cells.count)
    }
}
