import Foundation
import Reports
import Testing

@Suite("Report documents")
struct DocumentTests {
    static let chart = LineChart(
        title: "Loss & <curves>",
        xLabel: "epoch",
        yLabel: "MSE",
        series: [LineSeries(name: "train", y: [0.4, 0.2, 0.1])]
    )

    static let blocks: [ReportBlock] = [
        .paragraph("Compare <centric> & distributed, n_qlayers = 1."),
        .heading("Settings"),
        .keyValues([("qubits", "4"), ("backend", "statevector <exact>")]),
        .heading("Results", level: 3),
        .table(Table(headers: ["Model", "MSE"], rows: [["QLSTM", "0.01"]], alignments: [.left, .right])),
        .chart(chart, fileName: "loss curves.svg"),
        .preformatted("qlstm run --qubits 4\n```inner fence```"),
    ]

    @Test("The HTML page is complete, escaped and references nothing outside itself")
    func htmlPage() throws {
        let page = HTMLDocument(title: "Run <1> & co", blocks: Self.blocks).render()
        #expect(page.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(page.hasSuffix("</html>\n"))
        #expect(page.contains("<title>Run &lt;1&gt; &amp; co</title>"))
        #expect(page.contains("<p>Compare &lt;centric&gt; &amp; distributed, n_qlayers = 1.</p>"))
        #expect(page.contains("<h2>Settings</h2>"))
        #expect(page.contains("<h3>Results</h3>"))
        #expect(page.contains("<dt>backend</dt><dd>statevector &lt;exact&gt;</dd>"))
        #expect(page.contains("<style>"))
        #expect(page.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(page.contains("<pre>qlstm run --qubits 4\n```inner fence```</pre>"))
        let withoutNamespace = page.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!withoutNamespace.contains("http://"))
        #expect(!withoutNamespace.contains("https://"))
        for external in ["<script", "<link", "<img", "@import", "url("] {
            #expect(!page.contains(external), "page uses \(external)")
        }
    }

    @Test("The Markdown document links charts by the given file name and escapes text")
    func markdownDocument() {
        let document = MarkdownDocument(title: "Run #1", blocks: Self.blocks)
        let text = document.render()
        let expectedStart = """
            # Run \\#1

            Compare \\<centric\\> \\& distributed, n\\_qlayers = 1.

            ## Settings

            - **qubits**: 4
            - **backend**: statevector \\<exact\\>

            ### Results

            | Model |  MSE |
            | :---- | ---: |
            | QLSTM | 0.01 |

            ![Loss \\& \\<curves\\>](loss%20curves.svg)

            ````
            qlstm run --qubits 4
            ```inner fence```
            ````

            """
        #expect(text == expectedStart)
        let files = document.chartFiles()
        #expect(files.count == 1)
        #expect(files.first?.fileName == "loss curves.svg")
        #expect(files.first?.svg == Self.chart.svg())
    }
}
