/// A one-layer LSTM: a recurrent reading of each sequence, then a linear head on the last
/// hidden state, trained by backpropagation through time. The head gives one value per
/// sequence (regression) or K logits (classification into K classes).
///
/// The model is generic over how v_t = [x_t ; h_{t-1}] becomes the gate pre-activations:
/// `LSTM<Linear>` is the classical baseline, and a quantum gate map makes the QLSTM with the
/// same loop, gradients and parameter layout. Every sequence starts from h_0 = C_0 = 0.
///
/// - `inversward` reads each sequence from its last element to its first.
/// - `reverseGates` makes the model bidirectional: a second LSTM with its own parameters reads
///   the sequence in the opposite order to the first, and the head reads both final hidden
///   states concatenated, [h_primary ; h_second] (width 2 d_h).
///
/// - `outputMaps` makes it Chen et al. 2020's QLSTM: after the cell, h_t = VQC5(o_t *
///   tanh C_t) is the next hidden state and the head reads y_T = VQC6(o_T * tanh C_T) instead
///   of h_T (`CellOutputMaps`); a bidirectional model has a pair per reading.
///
/// Parameters, and gradients, are one flat vector: the gate map's, its output maps' (if any),
/// then the reverse gate map's and its output maps' (if any), then the head's (weights, then
/// bias).
public struct LSTM<Gates: GatePreactivations>: Sendable {
    /// The primary reading's gate map.
    public private(set) var gates: Gates
    /// The primary reading's circuits after the cell (Chen et al. 2020); `nil` for h_t = o_t * tanh(C_t).
    public private(set) var outputMaps: CellOutputMaps?
    /// The second reading's gate map; `nil` for a unidirectional model.
    public private(set) var reverseGates: Gates?
    /// The second reading's circuits after the cell, present exactly when both others are.
    public private(set) var reverseOutputMaps: CellOutputMaps?
    /// The output head, `d_h` (or `2 d_h`) `-> 1` for regression, `-> K` logits for K classes.
    public private(set) var head: Linear
    /// Whether the primary reading runs from the last element to the first.
    public let inversward: Bool

    /// Assembles a model from its parts and checks that their widths fit together.
    ///
    /// - Throws: `QLSTMError.invalidParameter` when the gate maps' widths are not `d_x + d_h ->
    ///   4 d_h` with `d_x, d_h >= 1`, the two gate maps differ in shape, the output maps are not
    ///   `d_h -> d_h` or not one per reading, or the head does not read `d_h` values (`2 d_h`
    ///   when bidirectional).
    public init(
        gates: Gates,
        reverseGates: Gates? = nil,
        head: Linear,
        inversward: Bool = false,
        outputMaps: CellOutputMaps? = nil,
        reverseOutputMaps: CellOutputMaps? = nil
    ) throws {
        let outputWidth = gates.outputWidth
        guard outputWidth >= 4, outputWidth % 4 == 0 else {
            throw QLSTMError.invalidParameter(
                name: "gate output width",
                value: outputWidth,
                expected: "4 d_h with d_h >= 1"
            )
        }
        let hiddenWidth = outputWidth / 4
        guard gates.inputWidth > hiddenWidth else {
            throw QLSTMError.invalidParameter(
                name: "gate input width",
                value: gates.inputWidth,
                expected: "d_x + d_h with d_x >= 1, so more than \(hiddenWidth)"
            )
        }
        if let reverseGates {
            guard reverseGates.inputWidth == gates.inputWidth else {
                throw QLSTMError.invalidParameter(
                    name: "reverse gate input width",
                    value: reverseGates.inputWidth,
                    expected: "\(gates.inputWidth), as the primary gates"
                )
            }
            guard reverseGates.outputWidth == outputWidth else {
                throw QLSTMError.invalidParameter(
                    name: "reverse gate output width",
                    value: reverseGates.outputWidth,
                    expected: "\(outputWidth), as the primary gates"
                )
            }
        }
        for maps in [outputMaps, reverseOutputMaps].compactMap({ $0 }) where maps.hiddenWidth != hiddenWidth {
            throw QLSTMError.invalidParameter(
                name: "cell output maps width",
                value: maps.hiddenWidth,
                expected: "\(hiddenWidth) (d_h)"
            )
        }
        guard (reverseOutputMaps != nil) == (reverseGates != nil && outputMaps != nil) else {
            throw QLSTMError.invalidParameter(
                name: "reverse cell output maps",
                value: reverseOutputMaps == nil ? 0 : 1,
                expected: "one pair of cell output maps per reading, or none"
            )
        }
        let headInputs = reverseGates == nil ? hiddenWidth : 2 * hiddenWidth
        guard head.inputs == headInputs else {
            throw QLSTMError.invalidParameter(
                name: "head inputs",
                value: head.inputs,
                expected: "\(headInputs) (d_h, or 2 d_h when bidirectional)"
            )
        }
        self.gates = gates
        self.outputMaps = outputMaps
        self.reverseGates = reverseGates
        self.reverseOutputMaps = reverseOutputMaps
        self.head = head
        self.inversward = inversward
    }

    /// d_x, the width of one sequence element.
    public var inputWidth: Int { gates.inputWidth - hiddenWidth }
    /// d_h, the width of the hidden and cell states.
    public var hiddenWidth: Int { gates.outputWidth / 4 }
    /// Whether a second reading runs the other way.
    public var isBidirectional: Bool { reverseGates != nil }
    /// The cell arithmetic shared by both readings.
    public var cell: LSTMCell { LSTMCell(hiddenWidth: hiddenWidth) }

    /// The number of trainable values.
    public var parameterCount: Int {
        gates.parameterCount + (outputMaps?.parameterCount ?? 0) + (reverseGates?.parameterCount ?? 0)
            + (reverseOutputMaps?.parameterCount ?? 0) + head.parameterCount
    }

    /// The gate map's, its output maps', the reverse gate map's, its output maps', then the
    /// head's parameters, flat.
    public var parameters: [Double] {
        gates.parameters + (outputMaps?.parameters ?? []) + (reverseGates?.parameters ?? [])
            + (reverseOutputMaps?.parameters ?? []) + head.parameters
    }

    /// Replaces every parameter from a flat vector laid out as `parameters`.
    ///
    /// - Precondition: `parameters.count == parameterCount`.
    public mutating func setParameters(_ parameters: [Double]) {
        precondition(
            parameters.count == parameterCount,
            "expected \(parameterCount) parameters, got \(parameters.count)"
        )
        var slices = ParameterSlices(parameters)
        gates.setParameters(slices.next(gates.parameterCount))
        if let count = outputMaps?.parameterCount { outputMaps?.setParameters(slices.next(count)) }
        if let count = reverseGates?.parameterCount {
            reverseGates?.setParameters(slices.next(count))
        }
        if let count = reverseOutputMaps?.parameterCount { reverseOutputMaps?.setParameters(slices.next(count)) }
        head.setParameters(slices.next(head.parameterCount))
    }
}

extension LSTM: Equatable where Gates: Equatable {
    /// Equal parts; circuits after the cell compare by their plan and parameters (their backend
    /// holds an executor, which has no value to compare).
    public static func == (lhs: Self, rhs: Self) -> Bool {
        func same(_ a: CellOutputMaps?, _ b: CellOutputMaps?) -> Bool {
            a?.plan == b?.plan && a?.partParameters == b?.partParameters
        }
        return lhs.gates == rhs.gates && lhs.reverseGates == rhs.reverseGates && lhs.head == rhs.head
            && lhs.inversward == rhs.inversward && same(lhs.outputMaps, rhs.outputMaps)
            && same(lhs.reverseOutputMaps, rhs.reverseOutputMaps)
    }
}

extension LSTM: Codable where Gates: Codable {
    private enum CodingKeys: String, CodingKey {
        case gates, reverseGates, head, inversward
    }

    /// Decodes a model and checks its widths as `init(gates:reverseGates:head:inversward:)` does.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                gates: container.decode(Gates.self, forKey: .gates),
                reverseGates: container.decodeIfPresent(Gates.self, forKey: .reverseGates),
                head: container.decode(Linear.self, forKey: .head),
                inversward: container.decode(Bool.self, forKey: .inversward)
            )
        } catch let error as QLSTMError {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description)
            )
        }
    }

    /// Encodes a model without circuits after the cell; those hold an executor, so a model with
    /// them is saved as its configuration and flat parameters instead.
    public func encode(to encoder: any Encoder) throws {
        guard outputMaps == nil else {
            throw EncodingError.invalidValue(
                self,
                .init(codingPath: encoder.codingPath, debugDescription: "cell output maps are not encodable")
            )
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(gates, forKey: .gates)
        try container.encodeIfPresent(reverseGates, forKey: .reverseGates)
        try container.encode(head, forKey: .head)
        try container.encode(inversward, forKey: .inversward)
    }
}

/// The classical baseline: affine gate maps.
public typealias ClassicalLSTM = LSTM<Linear>
