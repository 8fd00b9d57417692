/// Everything one LSTM time step computed: its new state and what backpropagation needs.
///
/// All arrays are `batch x d_h`, row-major.
public struct LSTMCellStep: Sendable, Equatable {
    /// The number of rows.
    public let batch: Int
    /// d_h.
    public let hiddenWidth: Int
    /// f_t = sigmoid(z_f).
    public let forget: [Double]
    /// i_t = sigmoid(z_i).
    public let input: [Double]
    /// C~_t = tanh(z_C~).
    public let candidate: [Double]
    /// o_t = sigmoid(z_o).
    public let output: [Double]
    /// C_{t-1}.
    public let previousCell: [Double]
    /// tanh(C_t).
    public let tanhCell: [Double]
    /// (h_t, C_t).
    public let state: LSTMCellState
}
