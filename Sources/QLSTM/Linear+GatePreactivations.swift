/// The classical LSTM's gates: z = W v + b with W of shape `4 d_h x (d_x + d_h)`.
///
/// One bias per gate unit; PyTorch's `nn.LSTM` keeps two (b_ih + b_hh), which only ever act as
/// their sum, so the models are equally expressive.
extension Linear: GatePreactivations {
    /// The input v itself: the weight gradient needs it.
    public typealias Cache = [Double]

    public var inputWidth: Int { inputs }
    public var outputWidth: Int { outputs }

    public func preactivations(
        _ v: [Double],
        batch: Int,
        position: SequencePosition,
        context: EvaluationContext
    ) -> (preactivations: [Double], cache: [Double]) {
        (forward(v, batch: batch), v)
    }

    public func backward(
        cache: [Double],
        preactivationGradient dz: [Double],
        batch: Int,
        parameterGradient: inout [Double]
    ) -> [Double] {
        backward(input: cache, outputGradient: dz, batch: batch, into: &parameterGradient)
    }
}
