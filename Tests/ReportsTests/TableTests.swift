import Reports
import Testing

@Suite("Tables")
struct TableTests {
    static let table = Table(
        headers: ["Model", "R²", "Note"],
        rows: [
            ["QLSTM", "0.9912 ± 0.0011", "a|b"],
            ["LSTM <classic>", "0.95", "x & y"],
            ["short"],
        ],
        alignments: [.left, .right, .center],
        caption: "Table I"
    )

    @Test("Markdown output matches the golden text")
    func markdownGolden() {
        let expected = """
            *Table I*

            | Model          |              R² | Note  |
            | :------------- | --------------: | :---: |
            | QLSTM          | 0.9912 ± 0.0011 | a\\|b  |
            | LSTM <classic> |            0.95 | x & y |
            | short          |                 |       |

            """
        #expect(Self.table.markdown() == expected)
    }

    @Test("HTML output matches the golden text")
    func htmlGolden() {
        let expected = """
            <table>
            <caption>Table I</caption>
            <thead>
            <tr><th>Model</th><th style="text-align:right">R²</th><th style="text-align:center">Note</th></tr>
            </thead>
            <tbody>
            <tr><td>QLSTM</td><td style="text-align:right">0.9912 ± 0.0011</td><td style="text-align:center">a|b</td></tr>
            <tr><td>LSTM &lt;classic&gt;</td><td style="text-align:right">0.95</td><td style="text-align:center">x &amp; y</td></tr>
            <tr><td>short</td><td style="text-align:right"></td><td style="text-align:center"></td></tr>
            </tbody>
            </table>

            """
        #expect(Self.table.html() == expected)
    }

    @Test("Line breaks in Markdown cells become spaces, and a longer row widens the table")
    func markdownEdgeCases() {
        let table = Table(headers: ["a"], rows: [["one\ntwo", "extra"]])
        #expect(table.columnCount == 2)
        #expect(table.markdown() == "| a       |       |\n| :------ | :---- |\n| one two | extra |\n")
        #expect(Table(headers: []).markdown() == "")
    }

    @Test("Mean ± std uses fixed decimals and drops the spread without one")
    func meanAndDeviation() throws {
        #expect(SampleStatistics.format(mean: 0.99123, standardDeviation: 0.00114, decimals: 4) == "0.9912 ± 0.0011")
        #expect(SampleStatistics.format(mean: 0.5, standardDeviation: nil, decimals: 3) == "0.500")
        #expect(SampleStatistics(mean: 1, standardDeviation: 0.2, count: 1).formatted(decimals: 2) == "1.00")
        let summary = try #require(SampleStatistics([1, 2, 3, 4]))
        #expect(summary.mean == 2.5)
        #expect(abs(summary.standardDeviation! - 1.2909944487358056) < 1e-12)
        #expect(summary.formatted(decimals: 2) == "2.50 ± 1.29")
        #expect(SampleStatistics([0.3])?.formatted() == "0.3000")
        #expect(SampleStatistics([]) == nil)
    }
}
