import VariationalCircuits

extension ModelConfiguration {
    private enum CodingKeys: String, CodingKey {
        case kind, inputWidth, hiddenSize, qubits, partitions, ansatz, projection, bidirectional, inversward
        case architecture, outputs
    }

    /// Decodes a configuration; model files written before `architecture` existed hold
    /// four-VQC models, and those written before classification existed one output.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let outputs = try container.decodeIfPresent(Int.self, forKey: .outputs) ?? 1
        guard outputs >= 1 else {
            throw DecodingError.dataCorruptedError(
                forKey: .outputs,
                in: container,
                debugDescription: "a model needs at least one output, found \(outputs)"
            )
        }
        self.init(
            kind: try container.decode(ModelKind.self, forKey: .kind),
            inputWidth: try container.decode(Int.self, forKey: .inputWidth),
            hiddenSize: try container.decode(Int.self, forKey: .hiddenSize),
            qubits: try container.decodeIfPresent(Int.self, forKey: .qubits),
            partitions: try container.decode(Int.self, forKey: .partitions),
            ansatz: try container.decode(Ansatz.self, forKey: .ansatz),
            projection: try container.decode(Bool.self, forKey: .projection),
            bidirectional: try container.decode(Bool.self, forKey: .bidirectional),
            inversward: try container.decode(Bool.self, forKey: .inversward),
            architecture: try container.decodeIfPresent(Architecture.self, forKey: .architecture) ?? .fourVQC,
            outputs: outputs
        )
    }

    /// Encodes every setting; `outputs` only when it is not 1, so that a regression model's
    /// file, and the run fingerprint taken of it, are what they were before classification.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(inputWidth, forKey: .inputWidth)
        try container.encode(hiddenSize, forKey: .hiddenSize)
        try container.encodeIfPresent(qubits, forKey: .qubits)
        try container.encode(partitions, forKey: .partitions)
        try container.encode(ansatz, forKey: .ansatz)
        try container.encode(projection, forKey: .projection)
        try container.encode(bidirectional, forKey: .bidirectional)
        try container.encode(inversward, forKey: .inversward)
        try container.encode(architecture, forKey: .architecture)
        if outputs != 1 { try container.encode(outputs, forKey: .outputs) }
    }
}
