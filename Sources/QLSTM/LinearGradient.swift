/// dL/dW and dL/db of a `Linear` map, accumulated over a batch (and over time steps).
public struct LinearGradient: Sendable, Codable, Equatable {
    /// dL/dW, laid out as `Linear.weights`.
    public var weights: [Double]
    /// dL/db, laid out as `Linear.bias`.
    public var bias: [Double]

    /// A zero gradient shaped like `linear`'s parameters.
    public init(zeroFor linear: Linear) {
        weights = [Double](repeating: 0, count: linear.weights.count)
        bias = [Double](repeating: 0, count: linear.bias.count)
    }

    init(flattened: [Double], weightCount: Int) {
        weights = Array(flattened[..<weightCount])
        bias = Array(flattened[weightCount...])
    }

    /// The weight gradient then the bias gradient, laid out as `Linear.parameters`.
    public var flattened: [Double] { weights + bias }
}
