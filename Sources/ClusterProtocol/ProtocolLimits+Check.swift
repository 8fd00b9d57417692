import VariationalCircuits

extension ProtocolLimits {
    /// Checks `message` the way a receiver with these limits decodes it, without encoding it:
    /// the payload size, every count and string length, the ranges of enum-like values, and each
    /// circuit through `SubVQC.init`. A message that passes decodes on the other side.
    /// - Throws: the `ProtocolError` the receiver would report (`frameTooLarge`,
    ///   `limitExceeded` or `invalidValue`).
    /// - Complexity: O(number of strings, arrays and circuits), not O(bytes).
    public func check(_ message: Message) throws(ProtocolError) {
        let limit = maxPayloadBytes(for: message.type)
        let payloadByteCount = message.payloadByteCount
        guard payloadByteCount <= limit else { throw .frameTooLarge(length: payloadByteCount, limit: limit) }
        switch message {
        case .hello(let hello):
            try checkString(hello.softwareVersion, "hello software version")
            try checkString(hello.workerName, "hello worker name")
            try checkString(hello.profile, "hello profile")
        case .authenticate(_, let mac):
            try checkCount(mac.count, "authenticate MAC", limit: maxMACBytes)
        case .welcome(let mac):
            try checkCount(mac.count, "welcome MAC", limit: maxMACBytes)
        case .loadCircuits(let circuits):
            try checkCount(circuits.count, "loadCircuits circuits", limit: maxCircuits)
            for (index, circuit) in circuits.enumerated() { try check(circuit, index: index) }
        case .setParameters(_, let parameters):
            try checkCount(parameters.count, "setParameters parameter vectors", limit: maxCircuits)
            for (index, vector) in parameters.enumerated() {
                try checkCount(vector.count, "parameters of circuit \(index)", limit: maxParametersPerCircuit)
            }
        case .evaluate(let batch):
            if let shots = batch.shots {
                guard shots >= 1 else {
                    throw .invalidValue(
                        what: "evaluate shots",
                        reason: "a shot count must be at least 1; leave it absent for exact expectations"
                    )
                }
                try checkCount(shots, "evaluate shots", limit: maxShots)
            }
            try checkCount(batch.items.count, "evaluate items", limit: maxItemsPerBatch)
            for (index, item) in batch.items.enumerated() {
                guard (0..<max(maxCircuits, 0)).contains(item.circuit) else {
                    throw .invalidValue(
                        what: "circuit of item \(index)",
                        reason:
                            "index \(UInt32.saturating(item.circuit)) cannot name a loaded circuit (at most \(maxCircuits) are loaded)"
                    )
                }
                try checkCount(item.inputs.count, "inputs of item \(index)", limit: maxInputsPerItem)
            }
        case .acknowledged, .ping, .pong:
            break
        case .result(let evaluations, let usage):
            try checkCount(evaluations.count, "result evaluations", limit: maxItemsPerBatch)
            for (index, evaluation) in evaluations.enumerated() {
                try checkCount(
                    evaluation.outputs.count,
                    "outputs of evaluation \(index)",
                    limit: maxOutputsPerEvaluation
                )
                try checkCount(
                    evaluation.parameterJacobian.count,
                    "parameter Jacobian of evaluation \(index)",
                    limit: maxParameterJacobianLength
                )
                try checkCount(
                    evaluation.inputJacobian.count,
                    "input Jacobian of evaluation \(index)",
                    limit: maxInputJacobianLength
                )
            }
            try checkCount(usage.count, "result slot usage", limit: maxSlotUsages)
        case .error(_, let message):
            try checkString(message, "error message")
        case .goodbye(let reason):
            try checkString(reason, "goodbye reason")
        }
    }

    private func checkCount(_ count: Int, _ what: @autoclosure () -> String, limit: Int) throws(ProtocolError) {
        guard count <= limit else { throw .limitExceeded(what: what(), count: count, limit: limit) }
    }

    private func checkString(_ value: String, _ what: @autoclosure () -> String) throws(ProtocolError) {
        try checkCount(value.utf8.count, what(), limit: maxStringBytes)
    }

    /// Rebuilds the circuit from the values its wire fields carry, as the receiver does.
    private func check(_ circuit: SubVQC, index: Int) throws(ProtocolError) {
        try checkString(circuit.id, "id of circuit \(index)")
        try checkCount(
            circuit.measuredWires.count,
            "measured wires of circuit \(index)",
            limit: maxOutputsPerEvaluation
        )
        func wire(_ value: Int) -> Int { Int(UInt8.saturating(value)) }
        var ansatz = circuit.ansatz
        ansatz.depth = wire(ansatz.depth)
        ansatz.entanglingRepetitions = wire(ansatz.entanglingRepetitions)
        ansatz.encodingRepetitions = wire(ansatz.encodingRepetitions)
        do throws(VariationalCircuitError) {
            _ = try SubVQC(
                id: circuit.id,
                qubitCount: wire(circuit.qubitCount),
                inputCount: wire(circuit.inputCount),
                ansatz: ansatz,
                measuredWires: circuit.measuredWires.map(wire)
            )
        } catch {
            throw .invalidValue(what: "circuit \(index) (\"\(circuit.id)\")", reason: error.description)
        }
    }
}
