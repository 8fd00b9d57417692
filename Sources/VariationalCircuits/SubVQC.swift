import QuantumSimulator

/// One variational quantum circuit: what a QPU core runs for one part of one LSTM gate.
///
/// Inputs are encoded on wires `0..<inputCount` (extra wires start from the encoding's other
/// gates only), the ansatz supplies `parameterCount` trainable angles, and the outputs are
/// <Z_w> on `measuredWires`, in that order.
public struct SubVQC: Sendable, Hashable, Codable, Identifiable {
    /// A name unique within a model, such as `"forget/0"`.
    public var id: String
    public let qubitCount: Int
    public let inputCount: Int
    public let ansatz: Ansatz
    public let measuredWires: [Int]

    /// Creates a sub-VQC after checking every size against the emulator's and TQ42's ranges.
    /// - Parameter measuredWires: the wires read out; `nil` means the first `inputCount` wires
    ///   (or every wire when there are no inputs).
    /// - Throws: `VariationalCircuitError` naming the size that does not fit.
    public init(
        id: String,
        qubitCount: Int,
        inputCount: Int,
        ansatz: Ansatz = .paper,
        measuredWires: [Int]? = nil
    ) throws(VariationalCircuitError) {
        guard Circuit.qubitRange.contains(qubitCount) else {
            throw .qubitCountOutOfRange(qubitCount, range: Circuit.qubitRange)
        }
        guard (0...qubitCount).contains(inputCount) else {
            throw .tooManyInputs(inputs: inputCount, qubits: qubitCount)
        }
        guard Ansatz.depthRange.contains(ansatz.depth) else {
            throw .depthOutOfRange(ansatz.depth, range: Ansatz.depthRange)
        }
        guard Ansatz.entanglingRepetitionsRange.contains(ansatz.entanglingRepetitions) else {
            throw .entanglingRepetitionsOutOfRange(
                ansatz.entanglingRepetitions,
                range: Ansatz.entanglingRepetitionsRange
            )
        }
        guard Ansatz.encodingRepetitionsRange.contains(ansatz.encodingRepetitions) else {
            throw .encodingRepetitionsOutOfRange(ansatz.encodingRepetitions, range: Ansatz.encodingRepetitionsRange)
        }
        if ansatz.encodingRepetitions > 1 && ansatz.encoding != .iqp {
            throw .encodingRepetitionsNeedIQP(encoding: ansatz.encoding.rawValue)
        }
        // CZs commute and square to the identity, so a repeated CZ ladder cancels in pairs.
        if ansatz.entangler == .hardwareEfficient && ansatz.entanglingRepetitions > 1 {
            throw .repeatedCZLadder(ansatz.entanglingRepetitions)
        }
        let measured = measuredWires ?? Array(0..<(inputCount > 0 ? inputCount : qubitCount))
        guard !measured.isEmpty else { throw .noMeasuredWires }
        var seen = Set<Int>()
        for wire in measured {
            guard (0..<qubitCount).contains(wire) else { throw .measuredWireOutOfRange(wire: wire, qubits: qubitCount) }
            guard seen.insert(wire).inserted else { throw .measuredWireRepeated(wire) }
        }
        self.id = id
        self.qubitCount = qubitCount
        self.inputCount = inputCount
        self.ansatz = ansatz
        self.measuredWires = measured
    }

    /// The number of outputs, one per measured wire.
    public var outputCount: Int { measuredWires.count }

    /// The number of trainable angles.
    public var parameterCount: Int { ansatz.parameterCount(qubitCount: qubitCount) }

    /// Gates whose angle depends on a parameter or an input: parameter shift runs each twice more.
    public var differentiableGateCount: Int {
        gates.count { gate in
            guard case .rotation(_, _, let source) = gate else { return false }
            if case .constant = source { return false }
            return true
        }
    }

    /// Circuit runs for one item of a circuit with `differentiableGates` such gates: 1, or under
    /// parameter shift 1 + 2 per gate. What executors count and estimates predict.
    public static func circuitRuns(differentiableGates: Int, method: DifferentiationMethod?) -> Int {
        method == .parameterShift ? 1 + 2 * differentiableGates : 1
    }

    /// The gates in order: encoding, then `depth` variational layers.
    ///
    /// Parameters are numbered row-major over `[depth][wire][angle]`, the layout of PennyLane's
    /// weight tensors, so trained weights transfer both ways.
    public var gates: [ParametricGate] {
        let n = qubitCount
        // IQP acts on the input wires as a whole; the other encodings wire by wire.
        var gates: [ParametricGate] = ansatz.encoding == .iqp ? iqpEncoding : []
        for wire in 0..<n {
            let hasInput = wire < inputCount
            switch ansatz.encoding {
            case .paper:
                gates.append(.fixed(.h(wire)))
                if hasInput { gates.append(.rotation(.y, wire: wire, .input(wire, .identity))) }
            case .arctan:
                gates.append(.fixed(.h(wire)))
                if hasInput {
                    gates.append(.rotation(.y, wire: wire, .input(wire, .arctan)))
                    gates.append(.rotation(.z, wire: wire, .input(wire, .arctanOfSquare)))
                }
            case .angleX:
                if hasInput { gates.append(.rotation(.x, wire: wire, .input(wire, .identity))) }
            case .angleY:
                if hasInput { gates.append(.rotation(.y, wire: wire, .input(wire, .identity))) }
            case .iqp:
                continue
            }
        }
        let perWire = ansatz.rotations.parametersPerWire
        for layer in 0..<ansatz.depth {
            var rotations: [ParametricGate] = []
            for wire in 0..<n {
                let first = (layer * n + wire) * perWire
                switch ansatz.rotations {
                case .ry:
                    rotations.append(.rotation(.y, wire: wire, .parameter(first)))
                case .xyz:
                    rotations.append(.rotation(.x, wire: wire, .parameter(first)))
                    rotations.append(.rotation(.y, wire: wire, .parameter(first + 1)))
                    rotations.append(.rotation(.z, wire: wire, .parameter(first + 2)))
                case .rot:
                    rotations.append(.rotation(.z, wire: wire, .parameter(first)))
                    rotations.append(.rotation(.y, wire: wire, .parameter(first + 1)))
                    rotations.append(.rotation(.z, wire: wire, .parameter(first + 2)))
                case .ryrz:
                    rotations.append(.rotation(.y, wire: wire, .parameter(first)))
                    rotations.append(.rotation(.z, wire: wire, .parameter(first + 1)))
                }
            }
            var entangling: [ParametricGate] = []
            for _ in 0..<ansatz.entanglingRepetitions {
                entangling += Self.entanglingPairs(ansatz.entangler, qubits: n, layer: layer).map {
                    ansatz.entangler == .hardwareEfficient
                        ? .fixed(.cz($0.0, $0.1)) : .fixed(.cnot(control: $0.0, target: $0.1))
                }
            }
            switch ansatz.entangler {
            case .stronglyEntangling, .hardwareEfficient: gates += rotations + entangling
            case .brick, .ring: gates += entangling + rotations
            }
        }
        return gates
    }

    /// PennyLane's `IQPEmbedding(x, wires=range(k), n_repeats=r)` on the k input wires: per
    /// repetition H and RZ(x_i) on each, then MultiRZ(x_i x_j) on every pair i < j, written as
    /// CNOT(i, j), RZ(x_i x_j) on j, CNOT(i, j) (equal to exp(-i x_i x_j Z_i Z_j / 2), global
    /// phase included). The other wires stay in |0>, as on a device larger than the embedding.
    private var iqpEncoding: [ParametricGate] {
        var gates: [ParametricGate] = []
        for _ in 0..<ansatz.encodingRepetitions {
            for wire in 0..<inputCount {
                gates.append(.fixed(.h(wire)))
                gates.append(.rotation(.z, wire: wire, .input(wire, .identity)))
            }
            for i in 0..<inputCount {
                for j in (i + 1)..<inputCount {
                    gates.append(.fixed(.cnot(control: i, target: j)))
                    gates.append(.rotation(.z, wire: j, .inputProduct(i, j)))
                    gates.append(.fixed(.cnot(control: i, target: j)))
                }
            }
        }
        return gates
    }

    /// The (control, target) pairs of one entangling pattern: CNOTs, or for `hardwareEfficient`
    /// CZs (which are symmetric).
    static func entanglingPairs(_ pattern: EntanglingPattern, qubits n: Int, layer: Int) -> [(Int, Int)] {
        guard n > 1 else { return [] }
        switch pattern {
        case .brick:
            return stride(from: 0, to: n - 1, by: 2).map { ($0, $0 + 1) }
                + stride(from: 1, to: n - 1, by: 2).map { ($0, $0 + 1) }
        case .ring:
            // With two wires this is (0,1) then (1,0).
            return (0..<n).map { ($0, ($0 + 1) % n) }
        case .stronglyEntangling:
            let range = layer % (n - 1) + 1
            return (0..<n).map { ($0, ($0 + range) % n) }
        case .hardwareEfficient:
            return (0..<(n - 1)).map { ($0, $0 + 1) }
        }
    }

    /// Checks the lengths of an input vector and a parameter vector.
    public func validate(inputs: [Double], parameters: [Double]) throws(VariationalCircuitError) {
        guard inputs.count == inputCount else { throw .inputCountMismatch(expected: inputCount, got: inputs.count) }
        guard parameters.count == parameterCount else {
            throw .parameterCountMismatch(expected: parameterCount, got: parameters.count)
        }
    }

    /// The concrete circuit for given inputs and parameters (for export and reference checks).
    public func circuit(inputs: [Double], parameters: [Double]) throws(VariationalCircuitError) -> Circuit {
        try validate(inputs: inputs, parameters: parameters)
        // The gates' wires are in range by construction, so building the circuit cannot fail.
        return try! Circuit(
            qubitCount: qubitCount,
            gates: gates.map { $0.bound(inputs: inputs, parameters: parameters) }
        )
    }
}
