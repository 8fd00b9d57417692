import ClusterProtocol
import Testing
import VariationalCircuits

@Suite("Limits")
struct ProtocolLimitsTests {
    /// Limits small enough that random messages break them often.
    static var tight: ProtocolLimits {
        var limits = ProtocolLimits.standard
        limits.maxStringBytes = 6
        limits.maxMACBytes = 20
        limits.maxCircuits = 3
        limits.maxParametersPerCircuit = 20
        limits.maxItemsPerBatch = 4
        limits.maxInputsPerItem = 12
        limits.maxOutputsPerEvaluation = 12
        limits.maxParameterJacobianLength = 30
        limits.maxInputJacobianLength = 12
        limits.maxShots = 999
        limits.maxSlotUsages = 2
        limits.maxControlPayloadBytes = 90
        limits.maxPayloadBytes = 900
        return limits
    }

    @Test("check refuses exactly what the decoder refuses, with the same error")
    func checkAgreesWithDecoder() {
        var random = RandomMessages(seed: 31)
        let encoder = FrameEncoder()
        var refused = 0
        for _ in 0..<3000 {
            let message = random.message()
            let frame = encoder.encode(message, requestID: 1)
            let checked: ProtocolError?
            do {
                try Self.tight.check(message)
                checked = nil
            } catch { checked = error }
            let decoded: ProtocolError?
            do {
                _ = try decodeSingle(frame, limits: Self.tight)
                decoded = nil
            } catch { decoded = error }
            #expect(checked == decoded, "\(message)")
            if checked != nil { refused += 1 }
        }
        #expect(refused > 500)
        #expect(refused < 2900)
    }

    @Test("encodeChecked refuses what the receiver would, and encodes the rest identically")
    func encodeChecked() throws {
        let encoder = FrameEncoder(limits: Self.tight)
        #expect(throws: ProtocolError.limitExceeded(what: "goodbye reason", count: 7, limit: 6)) {
            try encoder.encodeChecked(.goodbye(reason: "seven!!"), requestID: 0)
        }
        #expect(
            throws: ProtocolError.invalidValue(
                what: "evaluate shots",
                reason: "a shot count must be at least 1; leave it absent for exact expectations"
            )
        ) {
            try encoder.encodeChecked(.evaluate(EvaluationBatch(items: [], method: nil, shots: 0)), requestID: 0)
        }
        let evaluation = CircuitEvaluation(
            outputs: [1],
            parameterJacobian: Array(repeating: 0.5, count: 30),
            inputJacobian: []
        )
        let big = Message.result(evaluations: Array(repeating: evaluation, count: 4), usage: [])
        #expect(throws: ProtocolError.frameTooLarge(length: big.payloadByteCount, limit: 900)) {
            try encoder.encodeChecked(big, requestID: 0)
        }
        #expect(
            try encoder.encodeChecked(.ping(nonce: 4), requestID: 2) == encoder.encode(.ping(nonce: 4), requestID: 2)
        )
    }

    @Test("check rebuilds circuits, as the receiver does")
    func checkCircuits() throws {
        // Codable bypasses SubVQC.init; check must still catch the result.
        let valid = try SubVQC(id: "x", qubitCount: 2, inputCount: 1)
        #expect(throws: Never.self) { try ProtocolLimits.standard.check(.loadCircuits([valid])) }
        let negative = EvaluationBatch(items: [EvaluationRequest(circuit: -1, inputs: [])], method: nil)
        #expect(throws: ProtocolError.self) { try ProtocolLimits.standard.check(.evaluate(negative)) }
    }

    @Test("the standard limits hold the widest circuit the emulator runs")
    func standardLimits() throws {
        let limits = ProtocolLimits.standard
        let widest = try SubVQC(
            id: "widest",
            qubitCount: 25,
            inputCount: 25,
            ansatz: Ansatz(rotations: .xyz, depth: 30, entanglingRepetitions: 5),
            measuredWires: Array(0..<25)
        )
        #expect(widest.parameterCount <= limits.maxParametersPerCircuit)
        #expect(widest.outputCount * widest.parameterCount <= limits.maxParameterJacobianLength)
        #expect(widest.outputCount * widest.inputCount <= limits.maxInputJacobianLength)
        #expect(widest.inputCount <= limits.maxInputsPerItem)
        #expect(limits.maxPayloadBytes == 64 << 20)
        #expect(limits.forHandshake.maxPayloadBytes == limits.maxControlPayloadBytes)
        let evaluation = CircuitEvaluation(
            outputs: Array(repeating: 0, count: 25),
            parameterJacobian: Array(repeating: 0, count: 25 * widest.parameterCount),
            inputJacobian: Array(repeating: 0, count: 625)
        )
        try limits.check(.result(evaluations: [evaluation], usage: []))
    }
}
