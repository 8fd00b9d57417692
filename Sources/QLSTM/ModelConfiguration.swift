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

/// What the LSTM cell's circuits are.
public enum Architecture: String, Sendable, Hashable, Codable, CaseIterable {
    /// Four gate circuits (forget, input, candidate, output); h_t = o_t * tanh(C_t), and the
    /// head reads h_T. The distributed QLSTM paper's (Chen, Chen, Liu, Leung).
    case fourVQC = "four-vqc"
    /// Chen, Yoo and Fang 2020 ("Quantum Long Short-Term Memory", arXiv 2009.01783), the
    /// paper's N_extra = 2: the four gate circuits, then VQC5 makes h_t = VQC5(o_t * tanh C_t)
    /// and VQC6 the output y_t = VQC6(o_t * tanh C_t), which the head reads at the last step.
    case chen2020

    /// N_extra of the resource estimate's eq. (12): circuits per part beyond the four gates'.
    public var extraCircuits: Int { self == .chen2020 ? 2 : 0 }
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
    /// Four gate circuits, or Chen et al. 2020's six (quantum models and the ablation only).
    public var architecture: Architecture
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
        architecture: Architecture = .fourVQC,
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
        self.architecture = architecture
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

    /// The split of VQC5's and VQC6's input s_t = o_t * tanh(C_t) (d_h values) into M parts,
    /// each on as many qubits as the gates' part of the same index, measuring its share of the
    /// d_h outputs; `nil` when the architecture has no circuits after the cell.
    /// - Throws: `QLSTMError` when a part's share does not fit its qubits.
    public func cellOutputPlan() throws(QLSTMError) -> PartitionPlan? {
        guard architecture == .chen2020 else { return nil }
        let gates = try partitionPlan()
        let shares = try PartitionPlan.even(inputWidth: hiddenSize, outputWidth: hiddenSize, partitions: partitions)
        for (m, (gate, share)) in zip(gates.parts, shares.parts).enumerated() where gate.qubits < share.inputs {
            throw .invalidParameter(
                name: "VQC5 and VQC6 part \(m) qubits",
                value: gate.qubits,
                expected:
                    "at least \(share.inputs), its share of the d_h = \(hiddenSize) values of o_t * tanh(C_t): raise --n-qubits or --partitions"
            )
        }
        return try PartitionPlan(
            parts: zip(gates.parts, shares.parts).map { ($0.qubits, $1.inputs, $1.outputs) }
        )
    }

    /// The sub-VQCs of one reading, gate-major: forget 0...M-1, input, candidate, output; then
    /// for `chen2020` VQC5's parts (`hidden/m`) and VQC6's (`y/m`).
    public func circuits(direction: Int) throws -> [SubVQC] {
        let prefix = direction == 0 ? "" : "reverse/"
        func parts(_ names: [String], _ plan: PartitionPlan) throws -> [SubVQC] {
            try names.flatMap { name in
                try plan.parts.enumerated().map { m, part in
                    try SubVQC(
                        id: prefix + "\(name)/\(m)",
                        qubitCount: part.qubits,
                        inputCount: part.inputs,
                        ansatz: ansatz,
                        measuredWires: Array(0..<part.outputs)
                    )
                }
            }
        }
        var circuits = try parts(["forget", "input", "candidate", "output"], try partitionPlan())
        if let plan = try cellOutputPlan() { circuits += try parts(["hidden", "y"], plan) }
        return circuits
    }

    /// How often one window of `timeSteps` steps evaluates each circuit of
    /// `circuits(direction:)`, in that order: every step evaluates the gates; VQC5 runs at
    /// every step but the last (h_T feeds nothing) and VQC6 at the last only (the head reads
    /// y_T alone).
    public func evaluationsPerWindow(timeSteps: Int) throws -> [Int] {
        let gates = Array(repeating: timeSteps, count: 4 * (try partitionPlan()).count)
        guard let plan = try cellOutputPlan() else { return gates }
        return gates + Array(repeating: timeSteps - 1, count: plan.count) + Array(repeating: 1, count: plan.count)
    }
}
