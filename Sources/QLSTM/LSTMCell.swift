/// The LSTM update from the four gate pre-activations, and its exact backward pass.
///
/// Given z = [z_f, z_i, z_C~, z_o] (from any `GatePreactivations`):
///
///     f_t = sigmoid(z_f)    i_t = sigmoid(z_i)    C~_t = tanh(z_C~)    o_t = sigmoid(z_o)
///     C_t = f_t * C_{t-1} + i_t * C~_t
///     h_t = o_t * tanh(C_t)
///
/// These are pure functions of their arguments, so a caller can drive the time loop itself
/// (for instance around asynchronous circuit evaluations) and still share this arithmetic.
public struct LSTMCell: Sendable, Codable, Hashable {
    /// d_h, the width of h and C.
    public let hiddenWidth: Int

    public init(hiddenWidth: Int) {
        precondition(hiddenWidth >= 1, "an LSTM cell needs a hidden width of at least 1")
        self.hiddenWidth = hiddenWidth
    }

    /// One time step.
    ///
    /// - Parameters:
    ///   - z: `batch x 4 d_h`; each row is [z_f, z_i, z_C~, z_o], `d_h` values each.
    ///   - previousCell: C_{t-1}, `batch x d_h`.
    ///   - batch: The number of rows.
    /// - Returns: The gates, the new state (h_t, C_t) and what `backward` needs.
    public func forward(preactivations z: [Double], previousCell: [Double], batch: Int) -> LSTMCellStep {
        let width = hiddenWidth
        precondition(z.count == batch * 4 * width, "expected \(batch) x \(4 * width) pre-activations, got \(z.count)")
        precondition(
            previousCell.count == batch * width,
            "expected \(batch) x \(width) cell values, got \(previousCell.count)"
        )
        let count = batch * width
        var f = [Double](repeating: 0, count: count)
        var i = f
        var g = f
        var o = f
        var c = f
        var tanhC = f
        var h = f
        for b in 0..<batch {
            let row = b * 4 * width
            for j in 0..<width {
                let n = b * width + j
                f[n] = Activation.sigmoid(z[row + j])
                i[n] = Activation.sigmoid(z[row + width + j])
                g[n] = Activation.tanh(z[row + 2 * width + j])
                o[n] = Activation.sigmoid(z[row + 3 * width + j])
                c[n] = f[n] * previousCell[n] + i[n] * g[n]
                tanhC[n] = Activation.tanh(c[n])
                h[n] = o[n] * tanhC[n]
            }
        }
        return LSTMCellStep(
            batch: batch,
            hiddenWidth: width,
            forget: f,
            input: i,
            candidate: g,
            output: o,
            previousCell: previousCell,
            tanhCell: tanhC,
            state: LSTMCellState(hidden: h, cell: c)
        )
    }

    /// Backpropagates one time step.
    ///
    /// - Parameters:
    ///   - step: What `forward` returned.
    ///   - dh: dL/dh_t, `batch x d_h` (from the output head and from step t + 1).
    ///   - dc: dL/dC_t arriving from step t + 1 only, `batch x d_h` (zero at the last step).
    /// - Returns: dL/dz, `batch x 4 d_h` in the layout of `forward`'s `z`, and dL/dC_{t-1}.
    public func backward(
        _ step: LSTMCellStep,
        hiddenGradient dh: [Double],
        cellGradient dc: [Double]
    ) -> (preactivations: [Double], previousCell: [Double]) {
        let width = hiddenWidth
        let batch = step.batch
        precondition(step.hiddenWidth == width, "a step of another cell")
        precondition(dh.count == batch * width && dc.count == batch * width, "gradients of the wrong size")
        var dz = [Double](repeating: 0, count: batch * 4 * width)
        var dPrevious = [Double](repeating: 0, count: batch * width)
        for b in 0..<batch {
            let row = b * 4 * width
            for j in 0..<width {
                let n = b * width + j
                let dcTotal = dc[n] + dh[n] * step.output[n] * Activation.tanhDerivative(output: step.tanhCell[n])
                dz[row + j] = dcTotal * step.previousCell[n] * Activation.sigmoidDerivative(output: step.forget[n])
                dz[row + width + j] = dcTotal * step.candidate[n] * Activation.sigmoidDerivative(output: step.input[n])
                dz[row + 2 * width + j] = dcTotal * step.input[n] * Activation.tanhDerivative(output: step.candidate[n])
                dz[row + 3 * width + j] =
                    dh[n] * step.tanhCell[n] * Activation.sigmoidDerivative(output: step.output[n])
                dPrevious[n] = dcTotal * step.forget[n]
            }
        }
        return (dz, dPrevious)
    }
}
