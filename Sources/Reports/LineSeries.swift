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

    /// Creates a series from coordinate pairs.
    public init(name: String, points: [(x: Double, y: Double)], stroke: Stroke = .solid, colour: Colour? = nil) {
        self.init(name: name, x: points.map(\.x), y: points.map(\.y), stroke: stroke, colour: colour)
    }

    /// Creates a series from parallel arrays.
    /// - Precondition: `x` and `y` have the same length.
    public init(name: String, x: [Double], y: [Double], stroke: Stroke = .solid, colour: Colour? = nil) {
        precondition(x.count == y.count, "LineSeries '\(name)': \(x.count) x values but \(y.count) y values")
        self.name = name
        self.x = x
        self.y = y
        self.stroke = stroke
        self.colour = colour
    }

    /// Creates a series of `y` against 1, 2, 3, ... (epochs, time steps).
    public init(name: String, y: [Double], firstX: Double = 1, stroke: Stroke = .solid, colour: Colour? = nil) {
        self.init(name: name, x: y.indices.map { firstX + Double($0) }, y: y, stroke: stroke, colour: colour)
    }

    /// The points as pairs.
    public var points: [(x: Double, y: Double)] {
        zip(x, y).map { (x: $0, y: $1) }
    }
}
