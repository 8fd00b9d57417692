/// The recurrent state (h_t, C_t) of a batch, each `batch x d_h`, row-major.
public struct LSTMCellState: Sendable, Codable, Equatable {
    /// h_t, the hidden state (the cell's output).
    public var hidden: [Double]
    /// C_t, the cell memory.
    public var cell: [Double]

    public init(hidden: [Double], cell: [Double]) {
        precondition(hidden.count == cell.count, "hidden and cell state of different sizes")
        self.hidden = hidden
        self.cell = cell
    }

    /// The all-zero state every sequence starts from.
    public init(zeroBatch batch: Int, hiddenWidth: Int) {
        let zeros = [Double](repeating: 0, count: batch * hiddenWidth)
        self.init(hidden: zeros, cell: zeros)
    }
}
