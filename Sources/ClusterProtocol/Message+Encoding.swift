import VariationalCircuits

extension Message {
    /// Appends this message's payload (not the header). Layouts are in `docs/PROTOCOL.md`.
    ///
    /// Integer fields that do not fit their wire width (a negative index, a count above
    /// `UInt32.max`) are written as the field's maximum, which every receiver refuses; use
    /// `ProtocolLimits.check(_:)` or `FrameEncoder.encodeChecked` to catch them before sending.
    func writePayload(to writer: inout ByteWriter) {
        switch self {
        case .hello(let hello):
            writer.write(hello.protocolVersion)
            writer.write(hello.softwareVersion)
            writer.write(hello.workerName)
            writer.write(hello.qpuSlots)
            writer.write(hello.qubitCapacity)
            writer.write(hello.profile)
            writer.write(raw: hello.nonce.bytes)
            writer.write(hello.requiresAuthentication)
        case .authenticate(let nonce, let mac):
            writer.write(raw: nonce.bytes)
            writer.write(bytes: mac)
        case .welcome(let mac):
            writer.write(bytes: mac)
        case .loadCircuits(let circuits):
            writer.writeCount(circuits.count)
            for circuit in circuits { circuit.write(to: &writer) }
        case .setParameters(let version, let parameters):
            writer.write(version)
            writer.writeCount(parameters.count)
            for vector in parameters { writer.write(vector) }
        case .evaluate(let batch):
            writer.write(batch.parameterVersion)
            if let method = batch.method {
                writer.write(1 as UInt8)
                writer.write(method.wireCode)
            } else {
                writer.write(0 as UInt8)
            }
            if let shots = batch.shots {
                writer.write(1 as UInt8)
                writer.write(UInt32.saturating(shots))
            } else {
                writer.write(0 as UInt8)
            }
            writer.writeCount(batch.items.count)
            for item in batch.items {
                writer.write(UInt32.saturating(item.circuit))
                writer.write(item.inputs)
                writer.write(item.seed)
            }
        case .acknowledged:
            break
        case .result(let evaluations, let usage):
            writer.writeCount(evaluations.count)
            for evaluation in evaluations {
                writer.write(evaluation.outputs)
                writer.write(evaluation.parameterJacobian)
                writer.write(evaluation.inputJacobian)
            }
            writer.writeCount(usage.count)
            for entry in usage {
                writer.write(entry.slot)
                writer.write(entry.circuits)
                writer.write(entry.shots)
                writer.write(entry.busySeconds)
            }
        case .error(let code, let message):
            writer.write(code.rawValue)
            writer.write(message)
        case .ping(let nonce), .pong(let nonce):
            writer.write(nonce)
        case .goodbye(let reason):
            writer.write(reason)
        }
    }
}

extension SubVQC {
    /// Appends the circuit's description: id, sizes, ansatz codes and repetitions, measured wires.
    func write(to writer: inout ByteWriter) {
        writer.write(id)
        writer.write(UInt8.saturating(qubitCount))
        writer.write(UInt8.saturating(inputCount))
        writer.write(ansatz.encoding.wireCode)
        writer.write(ansatz.entangler.wireCode)
        writer.write(ansatz.rotations.wireCode)
        writer.write(UInt8.saturating(ansatz.depth))
        writer.write(UInt8.saturating(ansatz.entanglingRepetitions))
        writer.write(UInt8.saturating(ansatz.encodingRepetitions))
        writer.writeCount(measuredWires.count)
        for wire in measuredWires { writer.write(UInt8.saturating(wire)) }
    }
}

extension Message {
    /// The exact length of this message's payload, computed without encoding it: for splitting
    /// a batch to fit `ProtocolLimits.maxPayloadBytes`, and for reserving the frame in one
    /// allocation.
    /// - Complexity: O(number of strings and arrays), not O(bytes).
    public var payloadByteCount: Int {
        func string(_ value: String) -> Int { 4 + value.utf8.count }
        func doubles(_ values: [Double]) -> Int { 4 + 8 * values.count }
        switch self {
        case .hello(let hello):
            return 2 + string(hello.softwareVersion) + string(hello.workerName) + 2 + 1 + string(hello.profile)
                + AuthenticationNonce.byteCount + 1
        case .authenticate(_, let mac):
            return AuthenticationNonce.byteCount + 4 + mac.count
        case .welcome(let mac):
            return 4 + mac.count
        case .loadCircuits(let circuits):
            return circuits.reduce(4) { $0 + string($1.id) + 8 + 4 + $1.measuredWires.count }
        case .setParameters(_, let parameters):
            return parameters.reduce(8 + 4) { $0 + doubles($1) }
        case .evaluate(let batch):
            let header = 8 + (batch.method == nil ? 1 : 2) + (batch.shots == nil ? 1 : 5) + 4
            return batch.items.reduce(header) { $0 + 4 + doubles($1.inputs) + 8 }
        case .acknowledged:
            return 0
        case .result(let evaluations, let usage):
            let evaluationBytes = evaluations.reduce(4) {
                $0 + doubles($1.outputs) + doubles($1.parameterJacobian) + doubles($1.inputJacobian)
            }
            return evaluationBytes + 4 + 26 * usage.count
        case .error(_, let message):
            return 1 + string(message)
        case .ping, .pong:
            return 8
        case .goodbye(let reason):
            return string(reason)
        }
    }
}
