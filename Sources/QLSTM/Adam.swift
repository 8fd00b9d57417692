import Foundation

/// Adam as PyTorch implements it, with bias correction:
///
///     m = lerp(m, g, 1 - beta1)        v = beta2 v + (1 - beta2) g^2
///     p -= (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
///
/// The first moment is a `lerp` in PyTorch's two-branch form, not beta1 m + (1 - beta1) g,
/// because that is what `torch.optim.Adam` computes; PyTorch's vectorised kernels fuse some
/// multiply-adds, so its results can still differ in the last bit.
public struct Adam: Sendable, Codable, Equatable {
    /// lr; a schedule may change it between steps.
    public var learningRate: Double
    /// The decay of the first moment.
    public let beta1: Double
    /// The decay of the second moment.
    public let beta2: Double
    /// Added to the corrected root second moment to keep the division finite.
    public let epsilon: Double
    /// t, the number of steps taken.
    public private(set) var stepCount: Int = 0
    /// m, one per parameter; empty before the first step.
    public private(set) var firstMoment: [Double] = []
    /// v, one per parameter; empty before the first step.
    public private(set) var secondMoment: [Double] = []

    public init(learningRate: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
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
        if firstMoment.isEmpty {
            firstMoment = [Double](repeating: 0, count: gradient.count)
            secondMoment = firstMoment
        }
        precondition(firstMoment.count == gradient.count, "the parameter count changed between steps")
        stepCount += 1
        let t = Double(stepCount)
        let stepSize = learningRate / (1 - pow(beta1, t))
        let correction2Root = pow(1 - pow(beta2, t), 0.5)
        let weight = 1 - beta1
        for n in parameters.indices {
            let g = gradient[n]
            let m = firstMoment[n]
            firstMoment[n] = abs(weight) < 0.5 ? m + weight * (g - m) : g - (g - m) * (1 - weight)
            secondMoment[n] = secondMoment[n] * beta2 + (1 - beta2) * g * g
            let denominator = secondMoment[n].squareRoot() / correction2Root + epsilon
            parameters[n] -= stepSize * firstMoment[n] / denominator
        }
    }
}
