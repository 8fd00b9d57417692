import Foundation

/// The LSTM's squashing functions, with derivatives written through their outputs.
///
/// Backpropagation keeps the activations from the forward pass, so a derivative of the output
/// (sigmoid' = s (1 - s), tanh' = 1 - t^2) costs no second `exp`.
public enum Activation {
    /// The logistic function 1 / (1 + e^-x), evaluated so that no `exp` overflows.
    public static func sigmoid(_ x: Double) -> Double {
        if x >= 0 {
            return 1 / (1 + exp(-x))
        }
        let e = exp(x)
        return e / (1 + e)
    }

    /// The derivative of the sigmoid at the point where it took the value `s`.
    public static func sigmoidDerivative(output s: Double) -> Double {
        s * (1 - s)
    }

    /// The hyperbolic tangent.
    public static func tanh(_ x: Double) -> Double {
        Foundation.tanh(x)
    }

    /// The derivative of tanh at the point where it took the value `t`.
    public static func tanhDerivative(output t: Double) -> Double {
        1 - t * t
    }
}
