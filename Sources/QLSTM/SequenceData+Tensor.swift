extension SequenceData {
    /// Windows given as a 3-D array in either of the layouts PyTorch's `batch_first` names
    /// (seed 001's TQ42 layer takes the same flag).
    ///
    /// - Parameters:
    ///   - tensor: with `batchFirst`, `[window][time step][feature]` (batch, seq, feature);
    ///     without, `[time step][window][feature]` (seq, batch, feature), `torch.nn.LSTM`'s
    ///     default.
    ///   - targets: one per window.
    /// - Throws: `QLSTMError.countMismatch` for a ragged tensor or a target count that is not
    ///   the window count.
    public init(tensor: [[[Double]]], targets: [Double], batchFirst: Bool) throws(QLSTMError) {
        let windows = batchFirst ? tensor.count : (tensor.first?.count ?? 0)
        let steps = batchFirst ? (tensor.first?.count ?? 0) : tensor.count
        let width = tensor.first?.first?.count ?? 0
        guard targets.count == windows else {
            throw .countMismatch(name: "targets", expected: windows, found: targets.count)
        }
        var inputs = [[Double]](repeating: [], count: windows)
        for window in 0..<windows {
            inputs[window].reserveCapacity(steps * width)
            for step in 0..<steps {
                let outer = batchFirst ? window : step
                let inner = batchFirst ? step : window
                guard tensor[outer].count == (batchFirst ? steps : windows) else {
                    throw .countMismatch(
                        name: batchFirst ? "time steps of window \(outer)" : "windows at time step \(outer)",
                        expected: batchFirst ? steps : windows,
                        found: tensor[outer].count
                    )
                }
                let row = tensor[outer][inner]
                guard row.count == width else {
                    throw .countMismatch(name: "features at window \(window), step \(step)", expected: width, found: row.count)
                }
                inputs[window] += row
            }
        }
        self.init(inputs: inputs, targets: targets, timeSteps: steps, inputWidth: width)
    }
}
