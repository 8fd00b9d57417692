extension LSTM where Gates == Linear {
    /// Makes a classical LSTM with freshly drawn parameters.
    ///
    /// Draw order: the primary gate map, the reverse gate map (if bidirectional), the head; each
    /// its weights then its bias. Gate rows are f, i, C~, o (`d_h` rows each); gate columns are
    /// x_t then h_{t-1}.
    /// - Parameters:
    ///   - inputWidth: d_x, the width of one sequence element (at least 1).
    ///   - hiddenWidth: d_h (at least 1).
    ///   - bidirectional: Whether a second LSTM reads each sequence the other way.
    ///   - inversward: Whether the primary reading runs from the last element to the first.
    ///   - outputs: The head's width: 1 for regression, K logits for K classes.
    ///   - initialization: The distribution of every parameter, head included.
    ///   - generator: The source of randomness.
    /// - Throws: `QLSTMError.invalidParameter` for a width or an output count below 1.
    public init(
        inputWidth: Int,
        hiddenWidth: Int,
        bidirectional: Bool = false,
        inversward: Bool = false,
        outputs: Int = 1,
        initialization: Linear.Initialization = .uniformFanIn,
        generator: inout some RandomNumberGenerator
    ) throws {
        guard inputWidth >= 1 else {
            throw QLSTMError.invalidParameter(name: "input width", value: inputWidth, expected: "at least 1")
        }
        guard hiddenWidth >= 1 else {
            throw QLSTMError.invalidParameter(name: "hidden width", value: hiddenWidth, expected: "at least 1")
        }
        guard outputs >= 1 else {
            throw QLSTMError.invalidParameter(name: "outputs", value: outputs, expected: "at least 1")
        }
        func gateMap() -> Linear {
            Linear(
                inputs: inputWidth + hiddenWidth,
                outputs: 4 * hiddenWidth,
                initialization: initialization,
                generator: &generator
            )
        }
        let gates = gateMap()
        let reverseGates = bidirectional ? gateMap() : nil
        let head = Linear(
            inputs: bidirectional ? 2 * hiddenWidth : hiddenWidth,
            outputs: outputs,
            initialization: initialization,
            generator: &generator
        )
        try self.init(gates: gates, reverseGates: reverseGates, head: head, inversward: inversward)
    }
}
