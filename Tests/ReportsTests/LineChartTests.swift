import Foundation
import Reports
import Testing

@Suite("Line chart SVG")
struct LineChartTests {
    static let lossChart = LineChart(
        title: "Loss per epoch",
        xLabel: "epoch",
        yLabel: "MSE",
        series: [
            LineSeries(name: "centric train", y: [0.5, 0.3, 0.2, 0.12, 0.1]),
            LineSeries(name: "distributed test", y: [0.6, 0.35, 0.25, 0.15, 0.11], stroke: .dashed),
        ],
        markers: [ChartMarker(x: 3, label: "converged")]
    )

    @Test("The SVG is well-formed XML with a root svg element, namespace and viewBox")
    func wellFormed() throws {
        let svg = Self.lossChart.svg()
        let check = try #require(SVGCheck.parse(svg))
        #expect(check.rootName == "svg")
        #expect(check.rootAttributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(check.rootAttributes["viewBox"] == "0 0 720 420")
    }

    @Test("Title, axis labels, series names, tick labels and markers are all written")
    func containsText() throws {
        let check = try #require(SVGCheck.parse(Self.lossChart.svg()))
        for text in ["Loss per epoch", "epoch", "MSE", "centric train", "distributed test", "converged", "0.1", "0.6"] {
            #expect(check.texts.contains(text), "missing \(text)")
        }
    }

    @Test("Log charts label decades", arguments: [LineChart.Scale.logarithmic])
    func logChart(scale: LineChart.Scale) throws {
        var chart = Self.lossChart
        chart.yScale = scale
        chart.series.append(LineSeries(name: "has zero", y: [0, 0.01, 0.02]))
        let check = try #require(SVGCheck.parse(chart.svg()))
        #expect(check.texts.contains("0.01"))
        #expect(check.texts.contains("1"))
    }

    @Test("Numbers are written with at most two decimals")
    func compactNumbers() {
        let svg = Self.lossChart.svg()
        let long = try! NSRegularExpression(pattern: "[0-9]\\.[0-9]{3,}")
        #expect(long.firstMatch(in: svg, range: NSRange(svg.startIndex..., in: svg)) == nil)
    }

    @Test("Non-finite points break the line and are never written")
    func skipsNonFinite() throws {
        let chart = LineChart(
            title: "gaps",
            xLabel: "x",
            yLabel: "y",
            series: [LineSeries(name: "s", x: [1, 2, 3, 4, 5, 6, 7], y: [1, 2, .nan, 4, 5, .infinity, 7])]
        )
        let svg = chart.svg()
        #expect(!svg.lowercased().contains("nan"))
        #expect(!svg.lowercased().contains("inf"))
        let check = try #require(SVGCheck.parse(svg))
        let seriesPaths = check.elements.filter { $0.name == "path" && $0.attributes["d"]?.contains("L") == true }
        let data = try #require(seriesPaths.first?.attributes["d"])
        #expect(data.filter { $0 == "M" }.count == 2)
        // The lone point after the infinity has no neighbour to join, so it is drawn as a dot.
        #expect(check.elements.contains { $0.name == "circle" })
    }

    @Test("Markup characters in every text are escaped")
    func escaping() throws {
        let chart = LineChart(
            title: "a < b & \"c\" > 'd'",
            xLabel: "x<1>",
            yLabel: "y&z",
            series: [LineSeries(name: "<script>alert(1)</script>", y: [1, 2])],
            markers: [ChartMarker(x: 1.5, label: "train & test")]
        )
        let svg = chart.svg()
        #expect(!svg.contains("<script>"))
        let check = try #require(SVGCheck.parse(svg))
        #expect(check.texts.contains("a < b & \"c\" > 'd'"))
        #expect(check.texts.contains("<script>alert(1)</script>"))
        #expect(check.texts.contains("x<1>"))
        #expect(check.texts.contains("train & test"))
    }

    @Test("An empty chart, an all-NaN chart and a one-point chart render")
    func degenerateCharts() throws {
        let empty = LineChart(title: "empty", xLabel: "x", yLabel: "y")
        #expect(try #require(SVGCheck.parse(empty.svg())).texts.contains("no data"))
        let allNaN = LineChart(
            title: "nan",
            xLabel: "x",
            yLabel: "y",
            series: [LineSeries(name: "s", y: [.nan, .nan])]
        )
        #expect(try #require(SVGCheck.parse(allNaN.svg())).texts.contains("no data"))
        let logNonPositive = LineChart(
            title: "log",
            xLabel: "x",
            yLabel: "y",
            series: [LineSeries(name: "s", y: [0, -1])],
            yScale: .logarithmic
        )
        #expect(try #require(SVGCheck.parse(logNonPositive.svg())).texts.contains("no data"))
        let single = LineChart(title: "one", xLabel: "x", yLabel: "y", series: [LineSeries(name: "s", y: [0.5])])
        let check = try #require(SVGCheck.parse(single.svg()))
        #expect(check.elements.contains { $0.name == "circle" })
        #expect(!check.texts.contains("no data"))
        let tiny = LineChart(title: "", xLabel: "", yLabel: "", series: [LineSeries(name: "s", y: [1, 2])])
        #expect(SVGCheck.parse(tiny.svg(width: 10, height: 10)) != nil)
    }

    @Test("The legend lies outside the plot, to the right or below")
    func legendOutsidePlot() throws {
        var chart = LineChart(title: "many", xLabel: "x", yLabel: "y")
        for index in 0..<12 {
            chart.series.append(
                LineSeries(name: "a fairly long series name number \(index)", y: [Double(index), 1, 2])
            )
        }
        for candidate in [Self.lossChart, chart] {
            let check = try #require(SVGCheck.parse(candidate.svg()))
            let frame = try #require(
                check.elements.last { $0.name == "rect" && $0.attributes["stroke"] != nil }?.attributes
            )
            let (x, y) = (Double(frame["x"]!)!, Double(frame["y"]!)!)
            let (maxX, maxY) = (x + Double(frame["width"]!)!, y + Double(frame["height"]!)!)
            let legendTexts = check.elements.filter { $0.name == "text" && $0.attributes["stroke"] == "none" }
            #expect(legendTexts.count == candidate.series.count)
            for text in legendTexts {
                let tx = Double(text.attributes["x"]!)!
                let ty = Double(text.attributes["y"]!)!
                #expect(tx > maxX || ty > maxY + 30, "legend entry at (\(tx), \(ty)) overlaps the plot")
                #expect(ty < 420)
            }
        }
    }

    @Test("Series take Okabe-Ito colours in order unless given one")
    func colours() {
        let chart = LineChart(
            title: "c",
            xLabel: "x",
            yLabel: "y",
            series: [
                LineSeries(name: "a", y: [1, 2]),
                LineSeries(name: "b", y: [1, 2], colour: Colour(hex: "#123456")),
                LineSeries(name: "c", y: [1, 2]),
            ]
        )
        #expect(chart.colour(ofSeriesAt: 0) == Colour.palette[0])
        #expect(chart.colour(ofSeriesAt: 1).hex == "#123456")
        #expect(chart.colour(ofSeriesAt: 2) == Colour.palette[2])
        #expect(chart.svg().contains("#123456"))
        #expect(Colour(hex: "#0072B2")?.hex == "#0072b2")
        #expect(Colour(hex: "zz") == nil)
    }

    @Test("Rendering is deterministic")
    func deterministic() {
        #expect(Self.lossChart.svg() == Self.lossChart.svg())
    }
}

@Suite("Line chart thinning")
struct ThinningTests {
    @Test("Dense segments keep the entry, exit, lowest and highest point of each pixel column")
    func m4() {
        let points: [(x: Double, y: Double)] = (0..<100).map { index in
            let y = Double((index * 37 + 11) % 100)
            return (x: 10 + Double(index) / 100, y: y)
        }
        let kept = PolylineThinning.thinned(points)
        let ys = kept.map { $0.y }
        #expect(kept.count == 4)
        #expect(kept.first! == points.first!)
        #expect(kept.last! == points.last!)
        #expect(ys.min() == 0 && ys.max() == 99)
    }

    @Test("A long series makes a small file")
    func smallFile() {
        let x = (0..<20_000).map(Double.init)
        let chart = LineChart(
            title: "t",
            xLabel: "x",
            yLabel: "y",
            series: [LineSeries(name: "s", x: x, y: x.map { ($0 * 0.37).truncatingRemainder(dividingBy: 1) })]
        )
        #expect(chart.svg().utf8.count < 60_000)
    }
}
