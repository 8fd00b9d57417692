#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension LineChart {
    /// The chart as a standalone SVG document, with no external fonts, scripts or images.
    ///
    /// The legend sits to the right of the plot when the names are short, and below it,
    /// wrapped into rows, otherwise, so it never covers data. A chart with no drawable point
    /// (no series, or only non-finite values) still renders, with "no data" in the plot.
    /// - Parameters:
    ///   - width: The width in pixels (at least 240).
    ///   - height: The height in pixels (at least 160).
    /// - Returns: An SVG document with a `viewBox`, so it scales when embedded in a page.
    /// - Complexity: O(total number of points).
    public func svg(width: Int = 720, height: Int = 420) -> String {
        SVGRendering(chart: self, width: Double(max(width, 240)), height: Double(max(height, 160))).document()
    }
}

/// The layout and drawing of one `LineChart` at one size.
private struct SVGRendering {
    let chart: LineChart
    let width: Double
    let height: Double

    static let tickFont = 12.0
    static let labelFont = 13.0
    static let titleFont = 16.0
    static let legendRow = 18.0
    static let swatch = 24.0
    static let fontFamily = "system-ui, -apple-system, &#39;Segoe UI&#39;, Roboto, Helvetica, Arial, sans-serif"

    /// A width estimate for text, since an SVG writer cannot measure fonts; generous so text never collides.
    static func textWidth(_ text: String, fontSize: Double) -> Double {
        Double(text.count) * fontSize * 0.6
    }

    func isDrawable(x: Double, y: Double) -> Bool {
        x.isFinite && y.isFinite && (chart.yScale == .linear || y > 0)
    }

    func document() -> String {
        var drawable: [(x: Double, y: Double)] = []
        for series in chart.series {
            for (index, (x, y)) in zip(series.x, series.y).enumerated() where isDrawable(x: x, y: y) {
                drawable.append((x, y))
                // The axes hold the spread too, so no band or whisker is cut off.
                if let spread = series.spread {
                    for bound in [spread.lower[index], spread.upper[index]] where isDrawable(x: x, y: bound) {
                        drawable.append((x, bound))
                    }
                }
            }
        }
        let markers = chart.markers.filter { $0.x.isFinite }
        let layout = Layout(rendering: self, drawable: drawable, markers: markers)

        var out = SVGWriter()
        out.line(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
                + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(chart.title.xmlEscaped)\" "
                + "font-family=\"\(Self.fontFamily)\" font-size=\"\(NumberText.coordinate(Self.tickFont))\" fill=\"#222\">"
        )
        out.line("<title>\(chart.title.xmlEscaped)</title>")
        out.line("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>")
        if !chart.title.isEmpty {
            // A long title shrinks, then is cut short, rather than running off the edge; the
            // full title stays in the <title> element.
            let room = width - 24
            let size = min(Self.titleFont, max(11, room / (Double(chart.title.count) * 0.62)))
            let fitting =
                Double(chart.title.count) * size * 0.62 <= room
                ? chart.title : String(chart.title.prefix(max(1, Int(room / (size * 0.62)) - 1))) + "…"
            out.text(
                fitting,
                x: width / 2,
                y: 28,
                attributes: "text-anchor=\"middle\" font-size=\"\(NumberText.coordinate(size))\" font-weight=\"600\""
            )
        }
        let plot = layout.plot
        if let axes = layout.axes {
            drawGrid(&out, plot: plot, axes: axes)
            drawBands(&out, plot: plot, axes: axes)
            drawSeries(&out, plot: plot, axes: axes)
            drawErrorBars(&out, plot: plot, axes: axes)
            drawMarkers(&out, markers: markers, plot: plot, axes: axes)
        } else {
            out.text(
                "no data",
                x: plot.midX,
                y: plot.midY,
                attributes: "text-anchor=\"middle\" dy=\"0.35em\" font-size=\"14\" fill=\"#777\""
            )
        }
        out.line(
            "<rect x=\(q(plot.x)) y=\(q(plot.y)) width=\(q(plot.width)) height=\(q(plot.height)) fill=\"none\" stroke=\"#555\"/>"
        )
        drawAxisLabels(&out, plot: plot, yLabelX: layout.yLabelX)
        drawLegend(&out, layout: layout)
        out.line("</svg>")
        return out.text
    }

    // MARK: Drawing

    func drawGrid(_ out: inout SVGWriter, plot: Rect, axes: Axes) {
        var grid = ""
        var marks = ""
        for value in axes.x.values {
            let px = NumberText.coordinate(axes.px(value, in: plot))
            grid += "M\(px) \(NumberText.coordinate(plot.y))V\(NumberText.coordinate(plot.maxY))"
            marks += "M\(px) \(NumberText.coordinate(plot.maxY))v4"
        }
        for value in axes.y.values {
            let py = NumberText.coordinate(axes.py(value, in: plot))
            grid += "M\(NumberText.coordinate(plot.x)) \(py)H\(NumberText.coordinate(plot.maxX))"
            marks += "M\(NumberText.coordinate(plot.x)) \(py)h-4"
        }
        if axes.y.isLogarithmic {
            let minor = minorLogGrid(plot: plot, axes: axes)
            if !minor.isEmpty { out.line("<path d=\"\(minor)\" stroke=\"#f0f0f0\" fill=\"none\"/>") }
        }
        out.line("<path d=\"\(grid)\" stroke=\"#dedede\" fill=\"none\"/>")
        out.line("<path d=\"\(marks)\" stroke=\"#555\" fill=\"none\"/>")
        for (value, label) in zip(axes.x.values, axes.x.labels) {
            out.text(label, x: axes.px(value, in: plot), y: plot.maxY + 18, attributes: "text-anchor=\"middle\"")
        }
        for (value, label) in zip(axes.y.values, axes.y.labels) {
            out.text(label, x: plot.x - 7, y: axes.py(value, in: plot), attributes: "text-anchor=\"end\" dy=\"0.35em\"")
        }
    }

    /// Unlabelled lines at 2...9 times each decade, so values can be read between the decade labels.
    func minorLogGrid(plot: Rect, axes: Axes) -> String {
        let decades = log10(axes.y.upper) - log10(axes.y.lower)
        guard decades <= 6 else { return "" }
        var path = ""
        var decade = axes.y.lower
        while decade < axes.y.upper {
            for multiple in 2...9 {
                let value = decade * Double(multiple)
                guard value < axes.y.upper, !axes.y.values.contains(value) else { continue }
                let py = NumberText.coordinate(axes.py(value, in: plot))
                path += "M\(NumberText.coordinate(plot.x)) \(py)H\(NumberText.coordinate(plot.maxX))"
            }
            decade *= 10
        }
        return path
    }

    func drawSeries(_ out: inout SVGWriter, plot: Rect, axes: Axes) {
        out.line("<g fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\">")
        for (index, series) in chart.series.enumerated() {
            let colour = chart.colour(ofSeriesAt: index).hex
            var segments: [[(x: Double, y: Double)]] = [[]]
            for (x, y) in zip(series.x, series.y) {
                guard isDrawable(x: x, y: y) else {
                    if !segments[segments.count - 1].isEmpty { segments.append([]) }
                    continue
                }
                segments[segments.count - 1].append((axes.px(x, in: plot), axes.py(y, in: plot)))
            }
            var path = ""
            var dots: [(String, String)] = []
            for segment in segments where !segment.isEmpty {
                var written: [(String, String)] = []
                for point in PolylineThinning.thinned(segment) {
                    let text = (NumberText.coordinate(point.x), NumberText.coordinate(point.y))
                    // Points that round to the same spot add bytes and nothing visible.
                    if let last = written.last, last == text { continue }
                    written.append(text)
                }
                if written.count == 1 {
                    dots.append(written[0])
                    continue
                }
                path += "M\(written[0].0) \(written[0].1)L"
                path += written.dropFirst().map { "\($0.0) \($0.1)" }.joined(separator: " ")
            }
            out.line("<g stroke=\"\(colour)\"><title>\(series.name.xmlEscaped)</title>")
            if !path.isEmpty {
                out.line("<path d=\"\(path)\"\(dashAttribute(series.stroke))/>")
            }
            // An isolated point has no line to show it, so it gets a dot.
            for dot in dots {
                out.line("<circle cx=\"\(dot.0)\" cy=\"\(dot.1)\" r=\"2.5\" fill=\"\(colour)\" stroke=\"none\"/>")
            }
            out.line("</g>")
        }
        out.line("</g>")
    }

    /// Bands go under every line, translucent, so overlapping models stay readable.
    func drawBands(_ out: inout SVGWriter, plot: Rect, axes: Axes) {
        for (index, series) in chart.series.enumerated() {
            guard let spread = series.spread, spread.style == .band else { continue }
            var segments: [[(x: Double, lower: Double, upper: Double)]] = [[]]
            for (point, x) in series.x.enumerated() {
                let (lower, upper) = (spread.lower[point], spread.upper[point])
                guard isDrawable(x: x, y: lower), isDrawable(x: x, y: upper) else {
                    if !segments[segments.count - 1].isEmpty { segments.append([]) }
                    continue
                }
                segments[segments.count - 1].append(
                    (axes.px(x, in: plot), axes.py(lower, in: plot), axes.py(upper, in: plot))
                )
            }
            var path = ""
            for segment in segments where segment.count > 1 {
                let top = segment.map { "\(NumberText.coordinate($0.x)) \(NumberText.coordinate($0.upper))" }
                let bottom = segment.reversed().map {
                    "\(NumberText.coordinate($0.x)) \(NumberText.coordinate($0.lower))"
                }
                path += "M" + top.joined(separator: " L") + " L" + bottom.joined(separator: " L") + "Z"
            }
            guard !path.isEmpty else { continue }
            out.line(
                "<path d=\"\(path)\" fill=\"\(chart.colour(ofSeriesAt: index).hex)\" fill-opacity=\"0.18\" stroke=\"none\"/>"
            )
        }
    }

    /// A whisker with caps from each point's lower to its upper bound, and a dot on the point.
    func drawErrorBars(_ out: inout SVGWriter, plot: Rect, axes: Axes) {
        for (index, series) in chart.series.enumerated() {
            guard let spread = series.spread, spread.style == .errorBars else { continue }
            let colour = chart.colour(ofSeriesAt: index).hex
            var path = ""
            var dots: [String] = []
            for (point, (x, y)) in zip(series.x, series.y).enumerated() where isDrawable(x: x, y: y) {
                let px = NumberText.coordinate(axes.px(x, in: plot))
                dots.append(
                    "<circle cx=\"\(px)\" cy=\"\(NumberText.coordinate(axes.py(y, in: plot)))\" r=\"3.5\" fill=\"\(colour)\" stroke=\"none\"/>"
                )
                let (lower, upper) = (spread.lower[point], spread.upper[point])
                guard isDrawable(x: x, y: lower), isDrawable(x: x, y: upper) else { continue }
                let low = NumberText.coordinate(axes.py(lower, in: plot))
                let high = NumberText.coordinate(axes.py(upper, in: plot))
                let capStart = NumberText.coordinate(axes.px(x, in: plot) - 5)
                path += "M\(px) \(low)V\(high)M\(capStart) \(low)h10M\(capStart) \(high)h10"
            }
            out.line("<g><title>\(series.name.xmlEscaped)</title>")
            if !path.isEmpty {
                out.line("<path d=\"\(path)\" stroke=\"\(colour)\" stroke-width=\"1.5\" fill=\"none\"/>")
            }
            for dot in dots { out.line(dot) }
            out.line("</g>")
        }
    }

    func dashAttribute(_ stroke: LineSeries.Stroke) -> String {
        switch stroke {
        case .solid: ""
        case .dashed: " stroke-dasharray=\"7 4\""
        case .dotted: " stroke-dasharray=\"1 4\""
        }
    }

    func drawMarkers(_ out: inout SVGWriter, markers: [ChartMarker], plot: Rect, axes: Axes) {
        for (index, marker) in markers.enumerated() {
            let px = axes.px(marker.x, in: plot)
            out.line(
                "<path d=\"M\(NumberText.coordinate(px)) \(NumberText.coordinate(plot.y))V\(NumberText.coordinate(plot.maxY))\" "
                    + "stroke=\"#444\" stroke-dasharray=\"4 3\" fill=\"none\"/>"
            )
            guard !marker.label.isEmpty else { continue }
            // Labels of nearby markers are staggered down so they do not print over each other.
            let y = plot.y + 14 + Double(index % 3) * 15
            let fitsRight = px + 4 + Self.textWidth(marker.label, fontSize: Self.tickFont) <= plot.maxX
            out.text(
                marker.label,
                x: fitsRight ? px + 4 : px - 4,
                y: y,
                attributes: "text-anchor=\"\(fitsRight ? "start" : "end")\" fill=\"#333\" "
                    + "stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\""
            )
        }
    }

    func drawAxisLabels(_ out: inout SVGWriter, plot: Rect, yLabelX: Double) {
        if !chart.xLabel.isEmpty {
            out.text(
                chart.xLabel,
                x: plot.midX,
                y: plot.maxY + 38,
                attributes: "text-anchor=\"middle\" font-size=\"\(NumberText.coordinate(Self.labelFont))\""
            )
        }
        if !chart.yLabel.isEmpty {
            out.line(
                "<text transform=\"translate(\(NumberText.coordinate(yLabelX)) \(NumberText.coordinate(plot.midY))) rotate(-90)\" "
                    + "text-anchor=\"middle\" font-size=\"\(NumberText.coordinate(Self.labelFont))\">\(chart.yLabel.xmlEscaped)</text>"
            )
        }
    }

    func drawLegend(_ out: inout SVGWriter, layout: Layout) {
        guard !layout.legend.isEmpty else { return }
        out.line("<g stroke-width=\"2\" stroke-linecap=\"round\">")
        for item in layout.legend {
            let series = chart.series[item.index]
            let colour = chart.colour(ofSeriesAt: item.index).hex
            let lineY = NumberText.coordinate(item.y)
            out.line(
                "<path d=\"M\(NumberText.coordinate(item.x)) \(lineY)h\(NumberText.coordinate(Self.swatch))\" "
                    + "stroke=\"\(colour)\"\(dashAttribute(series.stroke))/>"
            )
            let tooltip = item.text == series.name ? "" : "<title>\(series.name.xmlEscaped)</title>"
            out.line(
                "<text x=\"\(NumberText.coordinate(item.x + Self.swatch + 6))\" y=\"\(lineY)\" dy=\"0.35em\" stroke=\"none\">"
                    + "\(tooltip)\(item.text.xmlEscaped)</text>"
            )
        }
        out.line("</g>")
    }

    private func q(_ value: Double) -> String {
        "\"\(NumberText.coordinate(value))\""
    }
}

/// A rectangle in SVG pixels.
private struct Rect {
    var x: Double
    var y: Double
    var width: Double
    var height: Double
    var maxX: Double { x + width }
    var maxY: Double { y + height }
    var midX: Double { x + width / 2 }
    var midY: Double { y + height / 2 }
}

/// The two axes and how they map data to pixels.
private struct Axes {
    var x: AxisTicks
    var y: AxisTicks

    func px(_ value: Double, in plot: Rect) -> Double {
        plot.x + (value - x.lower) / (x.upper - x.lower) * plot.width
    }

    func py(_ value: Double, in plot: Rect) -> Double {
        let fraction =
            y.isLogarithmic
            ? (log10(value) - log10(y.lower)) / (log10(y.upper) - log10(y.lower))
            : (value - y.lower) / (y.upper - y.lower)
        return plot.maxY - fraction * plot.height
    }
}

/// Where everything goes: margins depend on the tick labels and on where the legend fits.
private struct Layout {
    struct LegendItem {
        var index: Int
        var text: String
        var x: Double
        var y: Double
    }

    var plot: Rect
    var axes: Axes?
    var legend: [LegendItem]
    var yLabelX: Double

    init(rendering: SVGRendering, drawable: [(x: Double, y: Double)], markers: [ChartMarker]) {
        let chart = rendering.chart
        let width = rendering.width
        let height = rendering.height
        let top = chart.title.isEmpty ? 16.0 : 46.0
        var bottom = 8 + 24 + (chart.xLabel.isEmpty ? 0 : 20.0)
        let outerPad = 14.0

        // Tick counts follow the rough plot size: about one x label per 90 px, one y label per 50 px.
        if drawable.isEmpty {
            axes = nil
        } else {
            let xs = drawable.map(\.x) + markers.map(\.x)
            let ys = drawable.map(\.y)
            let roughHeight = height - top - bottom
            let yCount = max(2, Int(roughHeight / 50))
            let yTicks =
                chart.yScale == .logarithmic
                ? AxisTicks.logarithmic(lower: ys.min()!, upper: ys.max()!, maximumCount: yCount + 1)
                : AxisTicks.linear(lower: ys.min()!, upper: ys.max()!, approximateCount: yCount)
            let xCount = max(2, Int((width - 160) / 90))
            let xTicks =
                chart.xTickStep.map { AxisTicks.stepped(lower: xs.min()!, upper: xs.max()!, step: $0) }
                ?? AxisTicks.linear(lower: xs.min()!, upper: xs.max()!, approximateCount: xCount)
            axes = Axes(x: xTicks, y: yTicks)
        }
        let tickLabelWidth =
            axes?.y.labels.map { SVGRendering.textWidth($0, fontSize: SVGRendering.tickFont) }.max() ?? 0
        let yLabelSpace = chart.yLabel.isEmpty ? 0 : 22.0
        let left = outerPad + yLabelSpace + tickLabelWidth + 10
        yLabelX = outerPad + 8

        // Legend on the right when every name is short and the rows fit beside the plot;
        // otherwise below, wrapped to the plot width.
        let names = chart.series.map(\.name)
        let itemWidths = names.map {
            SVGRendering.swatch + 6 + SVGRendering.textWidth($0, fontSize: SVGRendering.tickFont)
        }
        let widest = itemWidths.max() ?? 0
        let plotHeightWithoutLegend = height - top - bottom
        var right = outerPad + 8
        var items: [LegendItem] = []
        if !names.isEmpty, widest <= width * 0.26,
            Double(names.count) * SVGRendering.legendRow <= plotHeightWithoutLegend
        {
            right = widest + 20 + outerPad
            let x = width - right + 20
            for (index, name) in names.enumerated() {
                items.append(
                    LegendItem(index: index, text: name, x: x, y: top + 8 + Double(index) * SVGRendering.legendRow)
                )
            }
        } else if !names.isEmpty {
            let rowWidth = width - left - right
            let maxTextWidth = rowWidth - SVGRendering.swatch - 6
            var placed: [(index: Int, text: String, x: Double, row: Int)] = []
            var x = left
            var row = 0
            for (index, name) in names.enumerated() {
                let text = Self.truncated(name, toWidth: maxTextWidth)
                let itemWidth = SVGRendering.swatch + 6 + SVGRendering.textWidth(text, fontSize: SVGRendering.tickFont)
                if x > left, x + itemWidth > left + rowWidth {
                    row += 1
                    x = left
                }
                placed.append((index, text, x, row))
                x += itemWidth + 18
            }
            // Rows start below the x axis label; `bottom` grows to hold them.
            let firstRowOffset = chart.xLabel.isEmpty ? 38.0 : 58.0
            bottom = firstRowOffset + Double(row) * SVGRendering.legendRow + 9 + 10
            let firstRowY = top + max(20, height - top - bottom) + firstRowOffset
            items = placed.map {
                LegendItem(
                    index: $0.index,
                    text: $0.text,
                    x: $0.x,
                    y: firstRowY + Double($0.row) * SVGRendering.legendRow
                )
            }
        }
        legend = items
        plot = Rect(x: left, y: top, width: max(20, width - left - right), height: max(20, height - top - bottom))
    }

    static func truncated(_ text: String, toWidth maxWidth: Double) -> String {
        guard SVGRendering.textWidth(text, fontSize: SVGRendering.tickFont) > maxWidth else { return text }
        let count = max(1, Int(maxWidth / (SVGRendering.tickFont * 0.6)) - 1)
        return String(text.prefix(count)) + "…"
    }
}

/// Accumulates SVG lines; one element per line keeps the output diffable.
private struct SVGWriter {
    var text = ""

    mutating func line(_ element: String) {
        text += element
        text += "\n"
    }

    mutating func text(_ content: String, x: Double, y: Double, attributes: String) {
        line(
            "<text x=\"\(NumberText.coordinate(x))\" y=\"\(NumberText.coordinate(y))\" \(attributes)>\(content.xmlEscaped)</text>"
        )
    }
}

/// Drops points of a polyline that cannot change how it looks at the drawn size.
public enum PolylineThinning {
    /// The points of `segment` (in pixels) that can make a visible difference.
    ///
    /// Within one pixel column a line only shows where it enters, where it leaves and its
    /// lowest and highest points (the M4 rule), so a 100 000-point series costs about four
    /// points per column instead of bytes no one can see.
    public static func thinned(_ segment: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        guard segment.count > 8 else { return segment }
        var kept: [(x: Double, y: Double)] = []
        var start = 0
        while start < segment.count {
            let column = segment[start].x.rounded(.down)
            var end = start + 1
            while end < segment.count, segment[end].x.rounded(.down) == column { end += 1 }
            if end - start <= 4 {
                kept += segment[start..<end]
            } else {
                let run = start..<end
                let lowest = run.min { segment[$0].y < segment[$1].y }!
                let highest = run.max { segment[$0].y < segment[$1].y }!
                for index in Set([start, lowest, highest, end - 1]).sorted() {
                    kept.append(segment[index])
                }
            }
            start = end
        }
        return kept
    }
}
