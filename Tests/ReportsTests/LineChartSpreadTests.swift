import Foundation
import Reports
import Testing

@Suite("Line chart spreads: bands and error bars")
struct LineChartSpreadTests {
    @Test("a band is one translucent closed path under the line, inside the axes")
    func band() throws {
        let chart = LineChart(
            title: "loss over seeds",
            xLabel: "epoch",
            yLabel: "MSE",
            series: [
                LineSeries(
                    name: "centric",
                    y: [0.5, 0.3, 0.2],
                    spread: .init(lower: [0.4, 0.25, 0.15], upper: [0.9, 0.35, 0.25], style: .band)
                )
            ],
            yScale: .logarithmic
        )
        let check = try #require(SVGCheck.parse(chart.svg()))
        let bands = check.elements.filter { $0.name == "path" && $0.attributes["fill-opacity"] != nil }
        #expect(bands.count == 1)
        #expect(bands.first?.attributes["d"]?.hasSuffix("Z") == true)
        // The y axis reaches the band's top (0.9), above the line's highest value (0.5).
        #expect(check.texts.contains("1"), "\(check.texts)")
    }

    @Test("error bars: a whisker with caps per point and a dot; the axes hold the whiskers")
    func errorBars() throws {
        let chart = LineChart(
            title: "R^2 against qubits",
            xLabel: "qubits per QPU",
            yLabel: "test R^2",
            series: [
                LineSeries(
                    name: "centric",
                    x: [3, 4, 5],
                    y: [0.95, 0.97, 0.98],
                    spread: .init(lower: [0.90, 0.96, .nan], upper: [1.0, 0.98, .nan], style: .errorBars)
                )
            ]
        )
        let check = try #require(SVGCheck.parse(chart.svg()))
        let whiskers = try #require(
            check.elements.first { $0.name == "path" && $0.attributes["stroke-width"] == "1.5" }?.attributes["d"]
        )
        // Two points have bounds: a vertical line and two caps each.
        #expect(whiskers.components(separatedBy: "M").count - 1 == 6, "\(whiskers)")
        #expect(check.elements.filter { $0.name == "circle" }.count == 3)
        #expect(check.texts.contains("0.9") && check.texts.contains("1"), "\(check.texts)")
    }
}
