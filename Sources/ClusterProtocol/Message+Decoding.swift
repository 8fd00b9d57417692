import VariationalCircuits

extension Message {
    /// Decodes the payload of a frame of `type`: every field, every count checked against
    /// `limits` and against the bytes remaining, and no byte left over.
    /// - Throws: `ProtocolError` naming the field at fault; never traps on any input.
    static func decodePayload(
        type: MessageType,
        from reader: inout ByteReader,
        limits: ProtocolLimits
    ) throws(ProtocolError) -> Message {
        let message: Message
        switch type {
        case .hello:
            let protocolVersion = try reader.readUInt16("hello protocol version")
            let softwareVersion = try reader.readString("hello software version", limit: limits.maxStringBytes)
            let workerName = try reader.readString("hello worker name", limit: limits.maxStringBytes)
            let qpuSlots = try reader.readUInt16("hello QPU slots")
            let qubitCapacity = try reader.readUInt8("hello qubit capacity")
            let profile = try reader.readString("hello profile", limit: limits.maxStringBytes)
            let nonce = try reader.readNonce("hello nonce")
            let requiresAuthentication = try reader.readBool("hello requires-authentication flag")
            message = .hello(
                WorkerHello(
                    protocolVersion: protocolVersion,
                    softwareVersion: softwareVersion,
                    workerName: workerName,
                    qpuSlots: qpuSlots,
                    qubitCapacity: qubitCapacity,
                    profile: profile,
                    nonce: nonce,
                    requiresAuthentication: requiresAuthentication
                )
            )
        case .authenticate:
            let nonce = try reader.readNonce("authenticate nonce")
            let mac = try reader.readByteString("authenticate MAC", limit: limits.maxMACBytes)
            message = .authenticate(nonce: nonce, mac: mac)
        case .welcome:
            message = .welcome(mac: try reader.readByteString("welcome MAC", limit: limits.maxMACBytes))
        case .loadCircuits:
            let count = try reader.readCount("loadCircuits circuits", limit: limits.maxCircuits, minimumElementSize: 16)
            var circuits: [SubVQC] = []
            circuits.reserveCapacity(count)
            for index in 0..<count {
                circuits.append(try reader.readSubVQC(index: index, limits: limits))
            }
            message = .loadCircuits(circuits)
        case .setParameters:
            let version = try reader.readUInt64("setParameters version")
            let count = try reader.readCount(
                "setParameters parameter vectors",
                limit: limits.maxCircuits,
                minimumElementSize: 4
            )
            var parameters: [[Double]] = []
            parameters.reserveCapacity(count)
            for index in 0..<count {
                parameters.append(
                    try reader.readDoubles("parameters of circuit \(index)", limit: limits.maxParametersPerCircuit)
                )
            }
            message = .setParameters(version: version, parameters: parameters)
        case .evaluate:
            message = .evaluate(try reader.readBatch(limits: limits))
        case .acknowledged:
            message = .acknowledged
        case .result:
            let count = try reader.readCount(
                "result evaluations",
                limit: limits.maxItemsPerBatch,
                minimumElementSize: 12
            )
            var evaluations: [CircuitEvaluation] = []
            evaluations.reserveCapacity(count)
            for index in 0..<count {
                let outputs = try reader.readDoubles(
                    "outputs of evaluation \(index)",
                    limit: limits.maxOutputsPerEvaluation
                )
                let parameterJacobian = try reader.readDoubles(
                    "parameter Jacobian of evaluation \(index)",
                    limit: limits.maxParameterJacobianLength
                )
                let inputJacobian = try reader.readDoubles(
                    "input Jacobian of evaluation \(index)",
                    limit: limits.maxInputJacobianLength
                )
                evaluations.append(
                    CircuitEvaluation(
                        outputs: outputs,
                        parameterJacobian: parameterJacobian,
                        inputJacobian: inputJacobian
                    )
                )
            }
            let usageCount = try reader.readCount(
                "result slot usage",
                limit: limits.maxSlotUsages,
                minimumElementSize: 26
            )
            var usage: [SlotUsage] = []
            usage.reserveCapacity(usageCount)
            for index in 0..<usageCount {
                usage.append(
                    SlotUsage(
                        slot: try reader.readUInt16("slot of usage \(index)"),
                        circuits: try reader.readUInt64("circuits of usage \(index)"),
                        shots: try reader.readUInt64("shots of usage \(index)"),
                        busySeconds: try reader.readDouble("busy seconds of usage \(index)")
                    )
                )
            }
            message = .result(evaluations: evaluations, usage: usage)
        case .error:
            let raw = try reader.readUInt8("error code")
            guard let code = ErrorCode(rawValue: raw) else {
                throw .invalidValue(
                    what: "error code",
                    reason: "\(raw) is not an error code of version \(ProtocolVersion.current)"
                )
            }
            message = .error(code: code, message: try reader.readString("error message", limit: limits.maxStringBytes))
        case .ping:
            message = .ping(nonce: try reader.readUInt64("ping nonce"))
        case .pong:
            message = .pong(nonce: try reader.readUInt64("pong nonce"))
        case .goodbye:
            message = .goodbye(reason: try reader.readString("goodbye reason", limit: limits.maxStringBytes))
        }
        try reader.expectEnd(of: type)
        return message
    }
}

extension ByteReader {
    mutating func readNonce(_ what: @autoclosure () -> String) throws(ProtocolError) -> AuthenticationNonce {
        let bytes = try readBytes(count: AuthenticationNonce.byteCount, what())
        // readBytes returned exactly byteCount bytes.
        return AuthenticationNonce(bytes) ?? .zero
    }

    /// Reads a circuit and rebuilds it through `SubVQC.init`, so a decoded circuit is as valid as
    /// one built locally.
    mutating func readSubVQC(index: Int, limits: ProtocolLimits) throws(ProtocolError) -> SubVQC {
        let id = try readString("id of circuit \(index)", limit: limits.maxStringBytes)
        let qubitCount = try readUInt8("qubit count of circuit \(index)")
        let inputCount = try readUInt8("input count of circuit \(index)")
        let encodingCode = try readUInt8("encoding of circuit \(index)")
        guard let encoding = Encoding(wireCode: encodingCode) else {
            throw .invalidValue(
                what: "encoding of circuit \(index)",
                reason: "\(encodingCode) is not an encoding code (0-4)"
            )
        }
        let entanglerCode = try readUInt8("entangler of circuit \(index)")
        guard let entangler = EntanglingPattern(wireCode: entanglerCode) else {
            throw .invalidValue(
                what: "entangler of circuit \(index)",
                reason: "\(entanglerCode) is not an entangling pattern code (0-3)"
            )
        }
        let rotationsCode = try readUInt8("rotation layer of circuit \(index)")
        guard let rotations = RotationLayer(wireCode: rotationsCode) else {
            throw .invalidValue(
                what: "rotation layer of circuit \(index)",
                reason: "\(rotationsCode) is not a rotation layer code (0-3)"
            )
        }
        let depth = try readUInt8("depth of circuit \(index)")
        let repetitions = try readUInt8("entangling repetitions of circuit \(index)")
        let encodingRepetitions = try readUInt8("encoding repetitions of circuit \(index)")
        let wireCount = try readCount(
            "measured wires of circuit \(index)",
            limit: limits.maxOutputsPerEvaluation,
            minimumElementSize: 1
        )
        var wires: [Int] = []
        wires.reserveCapacity(wireCount)
        for _ in 0..<wireCount { wires.append(Int(try readUInt8("measured wire of circuit \(index)"))) }
        let ansatz = Ansatz(
            encoding: encoding,
            entangler: entangler,
            rotations: rotations,
            depth: Int(depth),
            entanglingRepetitions: Int(repetitions),
            encodingRepetitions: Int(encodingRepetitions)
        )
        do throws(VariationalCircuitError) {
            return try SubVQC(
                id: id,
                qubitCount: Int(qubitCount),
                inputCount: Int(inputCount),
                ansatz: ansatz,
                measuredWires: wires
            )
        } catch {
            throw .invalidValue(what: "circuit \(index) (\"\(PeerText(id))\")", reason: error.description)
        }
    }

    mutating func readBatch(limits: ProtocolLimits) throws(ProtocolError) -> EvaluationBatch {
        let parameterVersion = try readUInt64("evaluate parameter version")
        var method: DifferentiationMethod?
        if try readPresence("evaluate method presence") {
            let code = try readUInt8("evaluate method")
            guard let decoded = DifferentiationMethod(wireCode: code) else {
                throw .invalidValue(
                    what: "evaluate method",
                    reason: "\(code) is not a differentiation method code (0-1)"
                )
            }
            method = decoded
        }
        var shots: Int?
        if try readPresence("evaluate shots presence") {
            let raw = try readUInt32("evaluate shots")
            guard raw >= 1 else {
                throw .invalidValue(
                    what: "evaluate shots",
                    reason: "a shot count must be at least 1; leave it absent for exact expectations"
                )
            }
            guard UInt64(raw) <= UInt64(max(limits.maxShots, 0)) else {
                throw .limitExceeded(what: "evaluate shots", count: Int(clamping: raw), limit: limits.maxShots)
            }
            shots = Int(clamping: raw)
        }
        let count = try readCount("evaluate items", limit: limits.maxItemsPerBatch, minimumElementSize: 16)
        var items: [EvaluationRequest] = []
        items.reserveCapacity(count)
        for index in 0..<count {
            let circuit = try readUInt32("circuit of item \(index)")
            guard UInt64(circuit) < UInt64(max(limits.maxCircuits, 0)) else {
                throw .invalidValue(
                    what: "circuit of item \(index)",
                    reason: "index \(circuit) cannot name a loaded circuit (at most \(limits.maxCircuits) are loaded)"
                )
            }
            let inputs = try readDoubles("inputs of item \(index)", limit: limits.maxInputsPerItem)
            let seed = try readUInt64("seed of item \(index)")
            items.append(EvaluationRequest(circuit: Int(clamping: circuit), inputs: inputs, seed: seed))
        }
        return EvaluationBatch(items: items, method: method, shots: shots, parameterVersion: parameterVersion)
    }
}
