/// One named line of a `LineChart`.
///
/// Points that are not finite (a diverged loss, a metric not computed yet) are kept here
/// and skipped when drawing, breaking the line, so a gap shows where the data has one.
public struct LineSeries: Equatable, Sendable {
    /// How a line is stroked; dashes tell apart series that share a colour or a meaning (train vs test).
    public enum Stroke: Equatable, Sendable {
        case solid
        case dashed
        case dotted
    }

    /// The name shown in the legend.
    public var name: String
    /// The x coordinates, in drawing order.
    public var x: [Double]
    /// The y coordinates, one per x.
    public var y: [Double]
    /// Solid, dashed or dotted.
    public var stroke: Stroke
    /// A fixed colour; nil takes the next palette colour by the series' position in the chart.
    public var colour: Colour?
    /// How far each value may lie, drawn around the line; nil for none.
    public var spread: Spread?

    /// A range around each point of a series: the lowest to highest of several runs, or a
    /// mean ± its standard deviation. Results over seeds are drawn with their spread, so one
    /// lucky seed does not read as a trend.
    public struct Spread: Equatable, Sendable {
        /// A shaded band between the bounds (dense series: loss per epoch), or a whisker at
        /// each point (a few points: R^2 per qubit count).
        public enum Style: Equatable, Sendable {
            case band
            case errorBars
        }

        /// One bound per point of the series; non-finite bounds leave that point without one.
        public var lower: [Double]
        public var upper: [Double]
        public var style: Style

        public init(lower: [Double], upper: [Double], style: Style) {
            self.lower = lower
            self.upper = upper
            self.style = style
        }
    }

    /// Creates a series from coordinate pairs.
    public init(
        name: String,
        points: [(x: Double, y: Double)],
        stroke: Stroke = .solid,
        colour: Colour? = nil,
        spread: Spread? = nil
    ) {
        self.init(name: name, x: points.map(\.x), y: points.map(\.y), stroke: stroke, colour: colour, spread: spread)
    }

    /// Creates a series from parallel arrays.
    /// - Precondition: `x` and `y` have the same length, and so do the spread's bounds.
    public init(
        name: String,
        x: [Double],
        y: [Double],
        stroke: Stroke = .solid,
        colour: Colour? = nil,
        spread: Spread? = nil
    ) {
        precondition(x.count == y.count, "LineSeries '\(name)': \(x.count) x values but \(y.count) y values")
        if let spread {
            precondition(
                spread.lower.count == y.count && spread.upper.count == y.count,
                "LineSeries '\(name)': \(y.count) values but spread bounds of \(spread.lower.count) and \(spread.upper.count)"
            )
        }
        self.name = name
        self.x = x
        self.y = y
        self.stroke = stroke
        self.colour = colour
        self.spread = spread
    }

    /// Creates a series of `y` against 1, 2, 3, ... (epochs, time steps).
    public init(
        name: String,
        y: [Double],
        firstX: Double = 1,
        stroke: Stroke = .solid,
        colour: Colour? = nil,
        spread: Spread? = nil
    ) {
        self.init(
            name: name,
            x: y.indices.map { firstX + Double($0) },
            y: y,
            stroke: stroke,
            colour: colour,
            spread: spread
        )
    }

    /// The points as pairs.
    public var points: [(x: Double, y: Double)] {
        zip(x, y).map { (x: $0, y: $1) }
    }
}
