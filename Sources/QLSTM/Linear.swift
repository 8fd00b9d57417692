/// An affine map y = W x + b applied to every row of a batch.
///
/// It is the classical LSTM's gate map (`d_x + d_h -> 4 d_h`) and every model's output head
/// (`d_h -> 1`). Batches are row-major flat arrays: row `b` of a batch of width `n` is
/// `b * n ..< (b + 1) * n`.
public struct Linear: Sendable, Equatable {
    /// How the parameters are drawn at creation.
    public enum Initialization: Sendable, Codable, Equatable {
        /// Every parameter, bias included, is `scale * N(0, 1)` (the QLSTM paper's code uses 0.01).
        case normal(scale: Double)
        /// Weights and bias uniform in [-1/sqrt(inputs), 1/sqrt(inputs)) (PyTorch's `nn.Linear`).
        case uniformFanIn
        /// Weights and bias uniform in [-bound, bound) (PyTorch's `nn.LSTM` uses 1/sqrt(d_h)).
        case uniform(bound: Double)
    }

    /// The width of an input row.
    public let inputs: Int
    /// The width of an output row.
    public let outputs: Int
    /// W, `outputs x inputs`, row-major: `weights[o * inputs + k]` multiplies input `k` into output `o`.
    public private(set) var weights: [Double]
    /// b, one per output.
    public private(set) var bias: [Double]

    /// Makes a map from given weights and bias.
    ///
    /// - Precondition: `weights.count == inputs * outputs` and `bias.count == outputs`.
    public init(inputs: Int, outputs: Int, weights: [Double], bias: [Double]) {
        precondition(inputs >= 1 && outputs >= 1, "a Linear map needs at least one input and one output")
        precondition(weights.count == inputs * outputs && bias.count == outputs, "weights or bias of the wrong length")
        self.inputs = inputs
        self.outputs = outputs
        self.weights = weights
        self.bias = bias
    }

    /// Makes a map with freshly drawn parameters.
    ///
    /// The weights are drawn first, row by row, then the bias, so a seed fixes every value.
    /// - Parameters:
    ///   - inputs: The width of an input row (at least 1).
    ///   - outputs: The width of an output row (at least 1).
    ///   - initialization: The distribution of the parameters.
    ///   - generator: The source of randomness; only its raw `next()` bits are used.
    public init(
        inputs: Int,
        outputs: Int,
        initialization: Initialization,
        generator: inout some RandomNumberGenerator
    ) {
        precondition(inputs >= 1 && outputs >= 1, "a Linear map needs at least one input and one output")
        func draw() -> Double {
            switch initialization {
            case .normal(let scale):
                scale * generator.nextStandardNormal()
            case .uniformFanIn:
                (2 * generator.nextUnitDouble() - 1) / Double(inputs).squareRoot()
            case .uniform(let bound):
                (2 * generator.nextUnitDouble() - 1) * bound
            }
        }
        let weights = (0..<inputs * outputs).map { _ in draw() }
        let bias = (0..<outputs).map { _ in draw() }
        self.init(inputs: inputs, outputs: outputs, weights: weights, bias: bias)
    }

    /// The number of trainable values: `outputs * inputs + outputs`.
    public var parameterCount: Int { outputs * inputs + outputs }

    /// The weights then the bias, in one flat vector.
    public var parameters: [Double] { weights + bias }

    /// Replaces every parameter from a flat vector laid out as `parameters`.
    ///
    /// - Precondition: `parameters.count == parameterCount`.
    public mutating func setParameters(_ parameters: [Double]) {
        precondition(
            parameters.count == parameterCount,
            "expected \(parameterCount) parameters, got \(parameters.count)"
        )
        weights = Array(parameters[0..<outputs * inputs])
        bias = Array(parameters[(outputs * inputs)...])
    }

    /// Applies the map to every row of a batch.
    ///
    /// - Parameters:
    ///   - x: `batch x inputs`, row-major.
    ///   - batch: The number of rows.
    /// - Returns: `batch x outputs`, row-major.
    /// - Complexity: O(batch * inputs * outputs).
    public func forward(_ x: [Double], batch: Int) -> [Double] {
        precondition(x.count == batch * inputs, "expected \(batch) x \(inputs) inputs, got \(x.count) values")
        var y = [Double](repeating: 0, count: batch * outputs)
        for b in 0..<batch {
            for o in 0..<outputs {
                var sum = 0.0
                for k in 0..<inputs {
                    sum += weights[o * inputs + k] * x[b * inputs + k]
                }
                y[b * outputs + o] = sum + bias[o]
            }
        }
        return y
    }

    /// Backpropagates through the map: returns dL/dx and adds dL/dW, dL/db to `gradient`.
    ///
    /// - Parameters:
    ///   - x: The input the forward pass saw, `batch x inputs`.
    ///   - dy: dL/dy, `batch x outputs`.
    ///   - batch: The number of rows.
    ///   - gradient: The accumulated parameter gradient, added to in place.
    /// - Returns: dL/dx, `batch x inputs`.
    public func backward(
        input x: [Double],
        outputGradient dy: [Double],
        batch: Int,
        into gradient: inout LinearGradient
    ) -> [Double] {
        precondition(
            gradient.weights.count == weights.count && gradient.bias.count == bias.count,
            "gradient of another shape"
        )
        var flat = gradient.flattened
        let dx = backward(input: x, outputGradient: dy, batch: batch, into: &flat)
        gradient = LinearGradient(flattened: flat, weightCount: weights.count)
        return dx
    }

    /// Backpropagates as `backward(input:outputGradient:batch:into:)` does, into a flat gradient
    /// laid out as `parameters` (dW row-major, then db).
    ///
    /// Terms are added in increasing row order, so the result does not depend on scheduling.
    public func backward(
        input x: [Double],
        outputGradient dy: [Double],
        batch: Int,
        into gradient: inout [Double]
    ) -> [Double] {
        precondition(x.count == batch * inputs, "expected \(batch) x \(inputs) inputs, got \(x.count) values")
        precondition(
            dy.count == batch * outputs,
            "expected \(batch) x \(outputs) output gradients, got \(dy.count) values"
        )
        precondition(
            gradient.count == parameterCount,
            "expected a gradient of \(parameterCount) values, got \(gradient.count)"
        )
        let biasOffset = outputs * inputs
        var dx = [Double](repeating: 0, count: batch * inputs)
        for b in 0..<batch {
            for o in 0..<outputs {
                let g = dy[b * outputs + o]
                gradient[biasOffset + o] += g
                for k in 0..<inputs {
                    gradient[o * inputs + k] += g * x[b * inputs + k]
                    dx[b * inputs + k] += g * weights[o * inputs + k]
                }
            }
        }
        return dx
    }
}

extension Linear: Codable {
    private enum CodingKeys: String, CodingKey {
        case inputs, outputs, weights, bias
    }

    /// Decodes a map and refuses weights or bias whose lengths disagree with its shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let inputs = try container.decode(Int.self, forKey: .inputs)
        let outputs = try container.decode(Int.self, forKey: .outputs)
        let weights = try container.decode([Double].self, forKey: .weights)
        let bias = try container.decode([Double].self, forKey: .bias)
        guard inputs >= 1, outputs >= 1, weights.count == inputs * outputs, bias.count == outputs else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "a \(inputs) -> \(outputs) Linear map with \(weights.count) weights and \(bias.count) biases"
                )
            )
        }
        self.init(inputs: inputs, outputs: outputs, weights: weights, bias: bias)
    }
}
