/// A labelled vertical line across a chart, such as the train | test boundary of a
/// prediction plot or the epoch at which a run converged.
public struct ChartMarker: Equatable, Sendable {
    /// Where the line stands on the x axis; the axis widens to include it.
    public var x: Double
    /// The text written next to the top of the line.
    public var label: String

    public init(x: Double, label: String) {
        self.x = x
        self.label = label
    }
}
