/// How derivatives of circuit outputs are computed.
public enum DifferentiationMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// The two-term shift rule: two extra circuits per angle; exact, and works with shots.
    case parameterShift = "parameter-shift"
    /// One backward sweep over the exact state; simulation only.
    case adjoint
}

/// The outputs of one circuit on one input vector and, when asked for, their Jacobians.
///
/// Jacobians are flat and row-major: row `j` is output `j`; `parameterJacobian` has
/// `parameterCount` columns and `inputJacobian` has `inputCount` columns.
public struct CircuitEvaluation: Sendable, Hashable {
    public var outputs: [Double]
    public var parameterJacobian: [Double]
    public var inputJacobian: [Double]

    public init(outputs: [Double], parameterJacobian: [Double] = [], inputJacobian: [Double] = []) {
        self.outputs = outputs
        self.parameterJacobian = parameterJacobian
        self.inputJacobian = inputJacobian
    }

    /// d output / d parameter.
    public func derivative(ofOutput output: Int, parameter: Int, parameterCount: Int) -> Double {
        parameterJacobian[output * parameterCount + parameter]
    }

    /// d output / d input.
    public func derivative(ofOutput output: Int, input: Int, inputCount: Int) -> Double {
        inputJacobian[output * inputCount + input]
    }
}
