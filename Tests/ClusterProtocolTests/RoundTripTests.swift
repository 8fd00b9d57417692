import ClusterProtocol
import Testing
import VariationalCircuits

@Suite("Round trips")
struct RoundTripTests {
    let encoder = FrameEncoder()

    @Test("every message type survives encode and decode unchanged", arguments: MessageType.allCases)
    func roundTrip(type: MessageType) throws {
        var random = RandomMessages(seed: 0xC0FFEE &+ UInt64(type.rawValue))
        for _ in 0..<40 {
            let message = random.message(of: type)
            let requestID = random.uint64()
            let frame = encoder.encode(message, requestID: requestID)
            #expect(frame.count == FrameHeader.byteCount + message.payloadByteCount)
            #expect(frame[6] == type.rawValue)
            try ProtocolLimits.standard.check(message)
            let decoded = try #require(try decodeSingle(frame))
            #expect(decoded.requestID == requestID)
            #expect(decoded.message == message)
            // Equality treats -0.0 as 0.0; the bytes of a re-encoding do not.
            #expect(encoder.encode(decoded.message, requestID: requestID) == frame)
        }
    }

    @Test("doubles arrive bit for bit: signed zeros, infinities, subnormals and NaN payloads")
    func bitExactDoubles() throws {
        let values: [Double] = [
            0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
            .leastNormalMagnitude, .greatestFiniteMagnitude, .ulpOfOne, -.pi,
            .nan, -.nan, .signalingNaN, Double(nan: 0x1234, signaling: false),
            Double(bitPattern: 0x7FF0_0000_0000_0001),
            Double(bitPattern: 0xFFFF_FFFF_FFFF_FFFF),
        ]
        let message = Message.setParameters(version: 3, parameters: [values, values.reversed()])
        let decoded = try #require(try decodeSingle(encoder.encode(message, requestID: 1)))
        guard case .setParameters(let version, let parameters) = decoded.message else {
            Issue.record("decoded \(decoded.message)")
            return
        }
        #expect(version == 3)
        #expect(parameters[0].map(\.bitPattern) == values.map(\.bitPattern))
        #expect(parameters[1].map(\.bitPattern) == values.reversed().map(\.bitPattern))
    }

    @Test("messages with NaN anywhere re-encode to the same bytes")
    func nanPayloadsRoundTrip() throws {
        var random = RandomMessages(seed: 77, allowsNaN: true)
        for _ in 0..<200 {
            let message = random.message()
            let frame = encoder.encode(message, requestID: 5)
            let decoded = try #require(try decodeSingle(frame))
            #expect(encoder.encode(decoded.message, requestID: 5) == frame)
        }
    }

    @Test("a decoded circuit is the circuit that was sent, with every gate in place")
    func circuitsSurvive() throws {
        var random = RandomMessages(seed: 9)
        let circuits = (0..<20).map { _ in random.circuit() }
        let decoded = try #require(try decodeSingle(encoder.encode(.loadCircuits(circuits), requestID: 2)))
        guard case .loadCircuits(let back) = decoded.message else {
            Issue.record("decoded \(decoded.message)")
            return
        }
        #expect(back == circuits)
        #expect(back.map(\.gates) == circuits.map(\.gates))
        #expect(back.map(\.parameterCount) == circuits.map(\.parameterCount))
    }

    @Test("every encoding, entangler and rotation layer reaches a worker as the same gates")
    func everyAnsatzKind() throws {
        var circuits: [SubVQC] = []
        for encoding in Encoding.allCases {
            for entangler in EntanglingPattern.allCases {
                for rotations in RotationLayer.allCases {
                    for repeats in encoding == .iqp ? [1, 3] : [1] {
                        let ansatz = Ansatz(
                            encoding: encoding,
                            entangler: entangler,
                            rotations: rotations,
                            depth: 2,
                            entanglingRepetitions: entangler == .hardwareEfficient ? 1 : 2,
                            encodingRepetitions: repeats
                        )
                        circuits.append(
                            try SubVQC(id: "c/\(circuits.count)", qubitCount: 4, inputCount: 3, ansatz: ansatz)
                        )
                    }
                }
            }
        }
        let message = Message.loadCircuits(circuits)
        try ProtocolLimits.standard.check(message)
        let frame = encoder.encode(message, requestID: 8)
        #expect(frame.count == FrameHeader.byteCount + message.payloadByteCount)
        let decoded = try #require(try decodeSingle(frame))
        guard case .loadCircuits(let back) = decoded.message else {
            Issue.record("decoded \(decoded.message)")
            return
        }
        #expect(back == circuits)
        #expect(back.map(\.gates) == circuits.map(\.gates))
        #expect(Set(back.map(\.ansatz)).count == circuits.count)
    }

    @Test("the largest standard batch fits a frame and round-trips")
    func largeBatch() throws {
        var random = RandomMessages(seed: 4)
        let items = (0..<4096).map { index in
            EvaluationRequest(circuit: index % 16, inputs: (0..<25).map { _ in random.double() }, seed: UInt64(index))
        }
        let message = Message.evaluate(
            EvaluationBatch(items: items, method: .parameterShift, shots: 1000, parameterVersion: 9)
        )
        let frame = try encoder.encodeChecked(message, requestID: 11)
        let decoded = try #require(try decodeSingle(frame))
        #expect(decoded.message == message)
    }
}
