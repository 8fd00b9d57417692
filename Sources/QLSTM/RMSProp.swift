import Foundation

/// RMSprop as PyTorch implements it: s = alpha s + (1 - alpha) g^2, p -= lr g / (sqrt(s) + eps).
///
/// The QLSTM paper's authors train with it (lr 0.01 and the defaults below). The square average
/// starts at 0, with no bias correction.
public struct RMSProp: Sendable, Codable, Equatable {
    /// lr; a schedule may change it between steps.
    public var learningRate: Double
    /// The smoothing constant of the square average.
    public let alpha: Double
    /// Added to the root mean square, outside the root, to keep the division finite.
    public let epsilon: Double
    /// s, one per parameter; empty before the first step.
    public private(set) var squareAverage: [Double] = []

    public init(learningRate: Double = 0.01, alpha: Double = 0.99, epsilon: Double = 1e-8) {
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
    }

    /// Moves `parameters` one step against `gradient`.
    ///
    /// - Precondition: `gradient` is as long as `parameters`, and as on every earlier step.
    public mutating func step(parameters: inout [Double], gradient: [Double]) {
        precondition(
            parameters.count == gradient.count,
            "\(gradient.count) gradient values for \(parameters.count) parameters"
        )
        if squareAverage.isEmpty {
            squareAverage = [Double](repeating: 0, count: gradient.count)
        }
        precondition(squareAverage.count == gradient.count, "the parameter count changed between steps")
        for n in parameters.indices {
            let g = gradient[n]
            squareAverage[n] = squareAverage[n] * alpha + (1 - alpha) * g * g
            parameters[n] -= learningRate * g / (squareAverage[n].squareRoot() + epsilon)
        }
    }
}
