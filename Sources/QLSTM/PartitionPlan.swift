/// How one gate's input vector is split across sub-VQCs: the paper's eq. (6).
///
/// Part `m` reads `inputs` consecutive values of the (possibly projected) vector v_t on
/// `qubits` qubits and yields `outputs` values; the parts' outputs, concatenated in order, are
/// the gate's outputs. M = 1 is the centric QLSTM.
public struct PartitionPlan: Sendable, Hashable, Codable {
    public struct Part: Sendable, Hashable, Codable {
        public let qubits: Int
        /// The first value of v this part reads.
        public let inputOffset: Int
        public let inputs: Int
        /// The first of this part's values in the concatenated output.
        public let outputOffset: Int
        public let outputs: Int
    }

    public let parts: [Part]
    /// The sum of the parts' inputs: the width of the vector the plan splits.
    public var inputWidth: Int { parts.reduce(0) { $0 + $1.inputs } }
    /// The sum of the parts' outputs.
    public var outputWidth: Int { parts.reduce(0) { $0 + $1.outputs } }
    /// M, the number of sub-VQCs per gate.
    public var count: Int { parts.count }
    /// The total qubits over the parts (the paper's M x q when the parts are equal).
    public var totalQubits: Int { parts.reduce(0) { $0 + $1.qubits } }

    /// A plan from explicit (qubits, inputs, outputs) per part.
    /// - Throws: `QLSTMError.invalidParameter` when a part has fewer qubits than inputs or
    ///   outputs, or no inputs or outputs.
    public init(parts shapes: [(qubits: Int, inputs: Int, outputs: Int)]) throws(QLSTMError) {
        guard !shapes.isEmpty else {
            throw .invalidParameter(name: "partitions", value: 0, expected: "at least 1")
        }
        var parts: [Part] = []
        var input = 0
        var output = 0
        for (m, shape) in shapes.enumerated() {
            guard shape.inputs >= 1, shape.outputs >= 1 else {
                throw .invalidParameter(
                    name: "part \(m) inputs and outputs",
                    value: min(shape.inputs, shape.outputs),
                    expected: "at least one input and one output per part: use fewer partitions"
                )
            }
            guard shape.qubits >= shape.inputs, shape.qubits >= shape.outputs else {
                throw .invalidParameter(
                    name: "part \(m) qubits",
                    value: shape.qubits,
                    expected:
                        "at least \(max(shape.inputs, shape.outputs)) (one per input and per measured output, q_m >= D_m): raise --n-qubits or --partitions"
                )
            }
            parts.append(
                Part(
                    qubits: shape.qubits,
                    inputOffset: input,
                    inputs: shape.inputs,
                    outputOffset: output,
                    outputs: shape.outputs
                )
            )
            input += shape.inputs
            output += shape.outputs
        }
        self.parts = parts
    }

    /// Splits `inputWidth` values into `partitions` parts as evenly as possible (earlier parts
    /// take the remainder), and `outputWidth` outputs the same way, each part on `qubits` qubits
    /// (default: as many as its inputs or outputs need).
    ///
    /// The paper's distributed QLSTM (d_x = 1, d_h = 5, two QPUs of 3 qubits) is
    /// `even(inputWidth: 6, outputWidth: 5, partitions: 2, qubits: 3)`: inputs 3 + 3, outputs 3 + 2.
    public static func even(
        inputWidth: Int,
        outputWidth: Int,
        partitions: Int,
        qubits: Int? = nil
    ) throws(QLSTMError) -> PartitionPlan {
        guard partitions >= 1, partitions <= min(inputWidth, outputWidth) else {
            throw .invalidParameter(
                name: "partitions",
                value: partitions,
                expected: "1 to \(min(inputWidth, outputWidth)) (each part needs an input and an output)"
            )
        }
        func split(_ total: Int) -> [Int] {
            (0..<partitions).map { total / partitions + ($0 < total % partitions ? 1 : 0) }
        }
        let inputs = split(inputWidth)
        let outputs = split(outputWidth)
        return try PartitionPlan(
            parts: (0..<partitions).map { m in (qubits ?? max(inputs[m], outputs[m]), inputs[m], outputs[m]) }
        )
    }
}
