/// A line chart of one or more series, rendered as a standalone SVG.
///
/// Loss curves and prediction plots are the main pictures of a run report, so the chart
/// covers what they need (several series, a log y axis for losses, markers for a train | test
/// boundary or a convergence epoch) and nothing more. Rendering is deterministic: the same
/// chart gives the same bytes, so reports can be compared and committed.
public struct LineChart: Equatable, Sendable {
    /// How values map to positions on the y axis.
    public enum Scale: Equatable, Sendable {
        case linear
        /// Positions follow log10 of the value; points at or below zero are skipped.
        case logarithmic
    }

    /// The heading drawn above the plot.
    public var title: String
    /// The x axis label ("epoch", "time step").
    public var xLabel: String
    /// The y axis label ("MSE", "value").
    public var yLabel: String
    /// The lines, drawn in order; those without a colour take palette colours by position.
    public var series: [LineSeries]
    /// Linear or logarithmic y axis.
    public var yScale: Scale
    /// Labelled vertical lines.
    public var markers: [ChartMarker]
    /// When set, x ticks fall on whole multiples of this step, one beyond the data on each
    /// side (qubit counts: 1); otherwise they are chosen to look round.
    public var xTickStep: Double?

    public init(
        title: String,
        xLabel: String,
        yLabel: String,
        series: [LineSeries] = [],
        yScale: Scale = .linear,
        markers: [ChartMarker] = [],
        xTickStep: Double? = nil
    ) {
        self.xTickStep = xTickStep
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yScale = yScale
        self.markers = markers
    }

    /// The colour series `index` is drawn in: its own, or the palette's by position.
    public func colour(ofSeriesAt index: Int) -> Colour {
        series[index].colour ?? Colour.palette[index % Colour.palette.count]
    }
}
