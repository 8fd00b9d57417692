/// Stochastic gradient descent with PyTorch's momentum: v = mu v + g, p -= lr v.
///
/// The first step sets v = g (as PyTorch does). With `momentum == 0` no velocity is kept and
/// the step is p -= lr g.
public struct SGD: Sendable, Codable, Equatable {
    /// lr; a schedule may change it between steps.
    public var learningRate: Double
    /// mu.
    public let momentum: Double
    /// v, one per parameter; empty before the first step.
    public private(set) var velocity: [Double] = []

    public init(learningRate: Double, momentum: Double = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    /// Moves `parameters` one step against `gradient`.
    ///
    /// - Precondition: `gradient` is as long as `parameters`, and as on every earlier step.
    public mutating func step(parameters: inout [Double], gradient: [Double]) {
        precondition(
            parameters.count == gradient.count,
            "\(gradient.count) gradient values for \(parameters.count) parameters"
        )
        guard momentum != 0 else {
            for n in parameters.indices {
                parameters[n] -= learningRate * gradient[n]
            }
            return
        }
        if velocity.isEmpty {
            velocity = gradient
        } else {
            precondition(velocity.count == gradient.count, "the parameter count changed between steps")
            for n in velocity.indices {
                velocity[n] = momentum * velocity[n] + gradient[n]
            }
        }
        for n in parameters.indices {
            parameters[n] -= learningRate * velocity[n]
        }
    }
}
