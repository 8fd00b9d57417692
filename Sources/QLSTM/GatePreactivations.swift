/// The part of an LSTM that turns v_t = [x_t ; h_{t-1}] into the four gates' pre-activations.
///
/// It is the only thing that differs between the classical LSTM (`Linear`, one affine map) and
/// the QLSTM (one variational circuit per gate), so `LSTM` is generic over it and both share the
/// sequence loop, backpropagation through time, bidirectional reading and the output head.
///
/// Layout: `v` is `batch x inputWidth` with x_t first (`d_x` values) and h_{t-1} after (`d_h`
/// values). The result `z` is `batch x 4 d_h`; each row holds the forget, input, candidate
/// (C~) and output pre-activations in that order, `d_h` values each. The LSTM applies sigmoid
/// to f, i, o and tanh to C~, so a quantum map returns raw <Z> values here.
///
/// `preactivations` is `async throws` because a quantum map evaluates circuits on an executor,
/// possibly remote; a synchronous implementation (like `Linear`'s) satisfies it unchanged.
/// The backward pass is synchronous: whatever it needs (for circuits, the Jacobians evaluated in
/// the same round trip as the outputs) travels in `Cache`.
public protocol GatePreactivations: Sendable {
    /// What the backward pass needs from one forward call.
    associatedtype Cache: Sendable

    /// The width of v: `d_x + d_h`.
    var inputWidth: Int { get }
    /// The width of z: `4 d_h`.
    var outputWidth: Int { get }
    /// The number of trainable values.
    var parameterCount: Int { get }
    /// The trainable values, flat.
    var parameters: [Double] { get }
    /// Replaces the trainable values from a flat vector laid out as `parameters`.
    mutating func setParameters(_ parameters: [Double])

    /// Maps one time step's batch of v to z.
    ///
    /// - Parameters:
    ///   - v: `batch x inputWidth`, row-major.
    ///   - batch: The number of rows.
    ///   - position: Which direction and reading step this call is for (to derive sampling seeds).
    ///   - context: How this pass evaluates circuits (Jacobians or not, shots, seed, version).
    /// - Returns: z, `batch x outputWidth`, and what `backward` will need.
    func preactivations(
        _ v: [Double],
        batch: Int,
        position: SequencePosition,
        context: EvaluationContext
    ) async throws -> (preactivations: [Double], cache: Cache)

    /// Maps dL/dz back to dL/dv and adds dL/dparameters to `parameterGradient`.
    ///
    /// - Parameters:
    ///   - cache: What `preactivations` returned with this step's z.
    ///   - dz: dL/dz, `batch x outputWidth`.
    ///   - batch: The number of rows.
    ///   - parameterGradient: Laid out as `parameters`; this step's contribution is added.
    /// - Returns: dL/dv, `batch x inputWidth`.
    func backward(
        cache: Cache,
        preactivationGradient dz: [Double],
        batch: Int,
        parameterGradient: inout [Double]
    ) -> [Double]
}
