import VariationalCircuits

/// Which model a run trains.
public enum ModelKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// The QLSTM: gates are sub-VQCs.
    case qlstm
    /// The classical LSTM baseline of the same interface.
    case lstm
    /// The QLSTM with every sub-VQC replaced by an affine map of the same shape.
    case ablation
}

/// Everything that fixes a model's shape. Together with the flat parameters it is what a model
/// file holds.
public struct ModelConfiguration: Sendable, Hashable, Codable {
    public var kind: ModelKind
    /// d_x, the width of one sequence element.
    public var inputWidth: Int
    /// d_h.
    public var hiddenSize: Int
    /// Qubits per sub-VQC; `nil` for as many as each part needs (one per input or output).
    public var qubits: Int?
    /// M, sub-VQCs per gate (1: the centric QLSTM).
    public var partitions: Int
    public var ansatz: Ansatz
    /// A classical map from v_t to the circuits' inputs and one from their outputs to d_h.
    public var projection: Bool
    public var bidirectional: Bool
    public var inversward: Bool
    /// The head's width: 1 for regression, K logits for classification into K classes.
    public var outputs: Int

    /// TQ42's hidden_size range, from 1 since the paper uses 2-5.
    public static let hiddenSizeRange = 1...1000
    public static let partitionsRange = 1...64

    /// The paper's setup: centric, d_h = 5, encoding `paper`, `brick`, RY, depth 5.
    public init(
        kind: ModelKind = .qlstm,
        inputWidth: Int = 1,
        hiddenSize: Int = 5,
        qubits: Int? = nil,
        partitions: Int = 1,
        ansatz: Ansatz = .paper,
        projection: Bool = false,
        bidirectional: Bool = false,
        inversward: Bool = false,
        outputs: Int = 1
    ) {
        self.kind = kind
        self.inputWidth = inputWidth
        self.hiddenSize = hiddenSize
        self.qubits = qubits
        self.partitions = partitions
        self.ansatz = ansatz
        self.projection = projection
        self.bidirectional = bidirectional
        self.inversward = inversward
        self.outputs = outputs
    }

    /// d_x + d_h, the width of v_t.
    public var concatenatedWidth: Int { inputWidth + hiddenSize }

    /// The split of each gate's input (the quantum models' and the ablation's).
    ///
    /// Without projection, v_t itself is split: parts of about (d_x + d_h) / M inputs and
    /// d_h / M outputs. With projection, each of the M parts has `qubits` (default 4) inputs and
    /// measures all its wires, and the classical maps fit around them.
    /// - Throws: `QLSTMError` saying which size does not fit and why.
    public func partitionPlan() throws(QLSTMError) -> PartitionPlan {
        guard Self.hiddenSizeRange.contains(hiddenSize) else {
            throw .invalidParameter(name: "hidden size", value: hiddenSize, expected: "1 to 1000")
        }
        guard inputWidth >= 1 else {
            throw .invalidParameter(name: "input width", value: inputWidth, expected: "at least 1")
        }
        if projection {
            let q = qubits ?? 4
            return try PartitionPlan(parts: Array(repeating: (q, q, q), count: partitions))
        }
        return try PartitionPlan.even(
            inputWidth: concatenatedWidth,
            outputWidth: hiddenSize,
            partitions: partitions,
            qubits: qubits
        )
    }

    /// The sub-VQCs of one reading's gate map, gate-major: forget 0...M-1, input, candidate, output.
    public func circuits(direction: Int) throws -> [SubVQC] {
        let plan = try partitionPlan()
        var circuits: [SubVQC] = []
        for gate in ["forget", "input", "candidate", "output"] {
            for (m, part) in plan.parts.enumerated() {
                let name = (direction == 0 ? "" : "reverse/") + "\(gate)/\(m)"
                circuits.append(
                    try SubVQC(
                        id: name,
                        qubitCount: part.qubits,
                        inputCount: part.inputs,
                        ansatz: ansatz,
                        measuredWires: Array(0..<part.outputs)
                    )
                )
            }
        }
        return circuits
    }
}
