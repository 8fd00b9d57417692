import ClusterProtocol
import Testing
import VariationalCircuits

@Suite("Malformed input")
struct MalformedInputTests {
    /// Feeds `bytes` and returns the error the decoder throws (nil if it does not).
    func failure(
        _ bytes: [UInt8],
        limits: ProtocolLimits = .standard
    ) -> (error: ProtocolError, requestID: UInt64?)? {
        var decoder = FrameDecoder(limits: limits)
        decoder.append(bytes)
        do {
            while try decoder.next() != nil {}
            return nil
        } catch {
            return (error, decoder.failedRequestID)
        }
    }

    // MARK: Header

    @Test("bad magic is refused on the first wrong byte")
    func badMagic() throws {
        #expect(failure(Array("G".utf8))?.error == .badMagic([0x47]))
        #expect(failure(Array("QLX".utf8))?.error == .badMagic([0x51, 0x4C, 0x58]))
        let http = failure(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(http?.error == .badMagic(Array("GET ".utf8)))
        #expect(http?.requestID == 0)
        #expect(http?.error.errorCode == .malformedFrame)
        // A correct prefix waits for more.
        var decoder = FrameDecoder()
        decoder.append(Array("QLS".utf8))
        #expect(try decoder.next() == nil)
    }

    @Test("another protocol version is refused at the header, answering request id 0")
    func wrongVersion() {
        let result = failure(rawFrame(type: 0x30, requestID: 5, payload: be64(1), version: 1))
        #expect(result?.error == .unsupportedVersion(1))
        #expect(result?.requestID == 0)
        #expect(result?.error.errorCode == .unsupportedVersion)
    }

    @Test(
        "an unknown message type is refused at the header",
        arguments: [0x00, 0x04, 0x13, 0x23, 0x33, 0x7F, 0xFF] as [UInt8]
    )
    func unknownType(type: UInt8) {
        let result = failure(rawFrame(type: type, requestID: 77, payload: []))
        #expect(result?.error == .unknownMessageType(type))
        #expect(result?.requestID == 77)
        #expect(result?.error.errorCode == .unknownMessage)
    }

    @Test("non-zero flags are refused")
    func flags() {
        #expect(failure(rawFrame(type: 0x20, payload: [], flags: 1))?.error == .unsupportedFlags(1))
    }

    @Test("an oversized length is refused with only the header present")
    func oversizedLength() {
        let limits = ProtocolLimits.standard
        // Bulk message: one byte over 64 MiB.
        let evaluate = rawFrame(type: 0x12, requestID: 3, payload: [], length: UInt32(limits.maxPayloadBytes + 1))
        #expect(evaluate.count == FrameHeader.byteCount)
        let result = failure(evaluate)
        #expect(result?.error == .frameTooLarge(length: limits.maxPayloadBytes + 1, limit: limits.maxPayloadBytes))
        #expect(result?.requestID == 3)
        #expect(result?.error.errorCode == .frameTooLarge)
        // The largest length the field can hold.
        #expect(
            failure(rawFrame(type: 0x21, payload: [], length: .max))?.error
                == .frameTooLarge(length: Int(UInt32.max), limit: limits.maxPayloadBytes)
        )
        // Control messages are held to 64 KiB.
        #expect(
            failure(rawFrame(type: 0x32, payload: [], length: 65_537))?.error
                == .frameTooLarge(length: 65_537, limit: 65_536)
        )
        // A bulk message before the handshake completes.
        #expect(
            failure(rawFrame(type: 0x10, payload: [], length: 100_000), limits: limits.forHandshake)?.error
                == .frameTooLarge(length: 100_000, limit: 65_536)
        )
    }

    @Test("fixed-size messages with the wrong length are refused at the header")
    func fixedLengths() {
        #expect(
            failure(rawFrame(type: 0x30, payload: [], length: 9))?.error == .trailingBytes(message: .ping, count: 1)
        )
        #expect(
            failure(rawFrame(type: 0x31, payload: [], length: 7))?.error
                == .truncatedPayload(what: "a pong payload", needed: 8, remaining: 7)
        )
        #expect(
            failure(rawFrame(type: 0x20, payload: [], length: 1))?.error
                == .trailingBytes(message: .acknowledged, count: 1)
        )
    }

    // MARK: Payload

    @Test("a truncated payload names the field that ran out")
    func truncatedPayload() {
        // The reason claims 10 bytes, the payload holds 3.
        let result = failure(rawFrame(type: 0x32, requestID: 8, payload: be32(10) + Array("bye".utf8)))
        #expect(result?.error == .truncatedPayload(what: "goodbye reason", needed: 10, remaining: 3))
        #expect(result?.requestID == 8)
        #expect(result?.error.errorCode == .malformedFrame)
        // The count field itself cut short.
        #expect(
            failure(rawFrame(type: 0x22, payload: [0x01, 0x00, 0x00]))?.error
                == .truncatedPayload(what: "error message count", needed: 4, remaining: 2)
        )
        // A nonce cut short.
        #expect(
            failure(rawFrame(type: 0x02, payload: Array(repeating: 0, count: 31)))?.error
                == .truncatedPayload(what: "authenticate nonce", needed: 32, remaining: 31)
        )
    }

    @Test("a count larger than the bytes remaining is refused before allocating")
    func countAboveRemaining() {
        let payload = be64(1) + be32(1) + be32(1000) + f64(1) + f64(2)
        #expect(
            failure(rawFrame(type: 0x11, payload: payload))?.error
                == .truncatedPayload(what: "parameters of circuit 0", needed: 8000, remaining: 16)
        )
        // With every limit lifted, a count of 2^32 - 1 elements must still not be allocated.
        var unlimited = ProtocolLimits.standard
        unlimited.maxCircuits = .max
        unlimited.maxItemsPerBatch = .max
        unlimited.maxSlotUsages = .max
        let huge = be64(1) + be32(.max)
        #expect(
            failure(rawFrame(type: 0x11, payload: huge), limits: unlimited)?.error
                == .truncatedPayload(what: "setParameters parameter vectors", needed: 4 * Int(UInt32.max), remaining: 0)
        )
        #expect(
            failure(rawFrame(type: 0x21, payload: be32(.max)), limits: unlimited)?.error
                == .truncatedPayload(what: "result evaluations", needed: 12 * Int(UInt32.max), remaining: 0)
        )
        #expect(
            failure(rawFrame(type: 0x12, payload: be64(0) + [0, 0] + be32(.max)), limits: unlimited)?.error
                == .truncatedPayload(what: "evaluate items", needed: 16 * Int(UInt32.max), remaining: 0)
        )
        #expect(
            failure(rawFrame(type: 0x10, payload: be32(.max)), limits: unlimited)?.error
                == .truncatedPayload(what: "loadCircuits circuits", needed: 16 * Int(UInt32.max), remaining: 0)
        )
    }

    @Test("counts above a limit are refused even when the bytes are there")
    func countsAboveLimits() throws {
        let encoder = FrameEncoder()
        let item = EvaluationRequest(circuit: 0, inputs: Array(repeating: 0.5, count: 26))
        let wide = encoder.encode(.evaluate(EvaluationBatch(items: [item], method: nil)), requestID: 4)
        let result = failure(wide)
        #expect(result?.error == .limitExceeded(what: "inputs of item 0", count: 26, limit: 25))
        #expect(result?.error.errorCode == .limitExceeded)
        #expect(result?.requestID == 4)

        var tight = ProtocolLimits.standard
        tight.maxItemsPerBatch = 2
        tight.maxStringBytes = 4
        tight.maxMACBytes = 32
        tight.maxCircuits = 1
        let items = Array(repeating: EvaluationRequest(circuit: 0, inputs: []), count: 3)
        #expect(
            failure(encoder.encode(.evaluate(EvaluationBatch(items: items, method: nil)), requestID: 1), limits: tight)?
                .error
                == .limitExceeded(what: "evaluate items", count: 3, limit: 2)
        )
        #expect(
            failure(encoder.encode(.goodbye(reason: "later"), requestID: 0), limits: tight)?.error
                == .limitExceeded(what: "goodbye reason", count: 5, limit: 4)
        )
        #expect(
            failure(encoder.encode(.welcome(mac: Array(repeating: 1, count: 33)), requestID: 0), limits: tight)?.error
                == .limitExceeded(what: "welcome MAC", count: 33, limit: 32)
        )
        #expect(
            failure(encoder.encode(.setParameters(version: 1, parameters: [[], []]), requestID: 0), limits: tight)?
                .error
                == .limitExceeded(what: "setParameters parameter vectors", count: 2, limit: 1)
        )
        // A count field of 2^32 - 1 against a limit.
        #expect(
            failure(rawFrame(type: 0x32, payload: be32(.max)))?.error
                == .limitExceeded(what: "goodbye reason", count: Int(UInt32.max), limit: 4096)
        )
        // Shots and circuit indices.
        let manyShots = encoder.encode(
            .evaluate(EvaluationBatch(items: [], method: nil, shots: (1 << 24) + 1)),
            requestID: 0
        )
        #expect(
            failure(manyShots)?.error == .limitExceeded(what: "evaluate shots", count: (1 << 24) + 1, limit: 1 << 24)
        )
        let farCircuit = encoder.encode(
            .evaluate(EvaluationBatch(items: [EvaluationRequest(circuit: 1024, inputs: [])], method: nil)),
            requestID: 0
        )
        #expect(failure(farCircuit)?.error.errorCode == .badRequest)
        let negativeCircuit = encoder.encode(
            .evaluate(EvaluationBatch(items: [EvaluationRequest(circuit: -1, inputs: [])], method: nil)),
            requestID: 0
        )
        #expect(
            failure(negativeCircuit)?.error
                == .invalidValue(
                    what: "circuit of item 0",
                    reason: "index 4294967295 cannot name a loaded circuit (at most 1024 are loaded)"
                )
        )
    }

    @Test("invalid enum codes, booleans, presence bytes and UTF-8 are refused")
    func invalidCodes() throws {
        let circuit = try SubVQC(id: "c", qubitCount: 2, inputCount: 2)
        let good = FrameEncoder().encode(.loadCircuits([circuit]), requestID: 6)
        let encodingOffset = 20 + 4 + 5 + 2
        for (offset, code, what) in [
            (encodingOffset, 5 as UInt8, "encoding of circuit 0"),
            (encodingOffset + 1, 4, "entangler of circuit 0"),
            (encodingOffset + 2, 0xFF, "rotation layer of circuit 0"),
        ] {
            var bad = good
            bad[offset] = code
            let result = failure(bad)
            guard case .invalidValue(let field, _)? = result?.error else {
                Issue.record("expected invalidValue for \(what), got \(String(describing: result))")
                continue
            }
            #expect(field == what)
            #expect(result?.requestID == 6)
        }
        // Differentiation method 2; presence byte 2; boolean 2.
        #expect(
            failure(rawFrame(type: 0x12, payload: be64(0) + [1, 2, 0] + be32(0)))?.error
                == .invalidValue(what: "evaluate method", reason: "2 is not a differentiation method code (0-1)")
        )
        #expect(
            failure(rawFrame(type: 0x12, payload: be64(0) + [2, 0] + be32(0)))?.error
                == .invalidValue(
                    what: "evaluate method presence",
                    reason: "a presence byte must be 0 (absent) or 1 (present), not 2"
                )
        )
        var hello = FrameEncoder().encode(
            .hello(
                WorkerHello(
                    softwareVersion: "",
                    workerName: "",
                    qpuSlots: 1,
                    qubitCapacity: 1,
                    profile: "",
                    nonce: .zero,
                    requiresAuthentication: false
                )
            ),
            requestID: 0
        )
        hello[hello.count - 1] = 2
        #expect(
            failure(hello)?.error
                == .invalidValue(what: "hello requires-authentication flag", reason: "a boolean must be 0 or 1, not 2")
        )
        // Error codes 0 and 99.
        for code: UInt8 in [0, 14, 99] {
            #expect(
                failure(rawFrame(type: 0x22, payload: [code] + str("")))?.error
                    == .invalidValue(what: "error code", reason: "\(code) is not an error code of version 2")
            )
        }
        // Shots present but 0.
        guard
            case .invalidValue(what: "evaluate shots", _)? = failure(
                rawFrame(type: 0x12, payload: be64(0) + [0, 1] + be32(0) + be32(0))
            )?.error
        else {
            Issue.record("zero shots accepted")
            return
        }
        // Invalid UTF-8: a lone continuation byte, an overlong encoding, a surrogate.
        for bytes: [UInt8] in [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x61, 0xFF]] {
            #expect(
                failure(rawFrame(type: 0x32, payload: be32(UInt32(bytes.count)) + bytes))?.error
                    == .invalidValue(what: "goodbye reason", reason: "the \(bytes.count) bytes are not valid UTF-8")
            )
        }
    }

    @Test("a circuit that SubVQC.init refuses is an invalid value with the reason")
    func invalidCircuit() throws {
        func circuitPayload(
            qubits: UInt8,
            inputs: UInt8,
            depth: UInt8,
            repetitions: UInt8,
            wires: [UInt8],
            codes: [UInt8] = [0, 0, 0],
            encodingRepetitions: UInt8 = 1
        ) -> [UInt8] {
            be32(1) + str("g/0") + [qubits, inputs] + codes + [depth, repetitions, encodingRepetitions]
                + be32(UInt32(wires.count)) + wires
        }
        let cases: [([UInt8], VariationalCircuitError)] = [
            (
                circuitPayload(qubits: 2, inputs: 2, depth: 1, repetitions: 1, wires: [0], encodingRepetitions: 0),
                .encodingRepetitionsOutOfRange(0, range: Ansatz.encodingRepetitionsRange)
            ),
            (
                circuitPayload(qubits: 2, inputs: 2, depth: 1, repetitions: 1, wires: [0], encodingRepetitions: 2),
                .encodingRepetitionsNeedIQP(encoding: "paper")
            ),
            (
                circuitPayload(qubits: 2, inputs: 2, depth: 1, repetitions: 2, wires: [0], codes: [4, 3, 3]),
                .repeatedCZLadder(2)
            ),
            (
                circuitPayload(qubits: 2, inputs: 1, depth: 0, repetitions: 1, wires: [0]),
                .depthOutOfRange(0, range: Ansatz.depthRange)
            ),
            (
                circuitPayload(qubits: 2, inputs: 1, depth: 31, repetitions: 1, wires: [0]),
                .depthOutOfRange(31, range: Ansatz.depthRange)
            ),
            (
                circuitPayload(qubits: 0, inputs: 0, depth: 1, repetitions: 1, wires: [0]),
                .qubitCountOutOfRange(0, range: 1...25)
            ),
            (
                circuitPayload(qubits: 26, inputs: 0, depth: 1, repetitions: 1, wires: [0]),
                .qubitCountOutOfRange(26, range: 1...25)
            ),
            (
                circuitPayload(qubits: 2, inputs: 3, depth: 1, repetitions: 1, wires: [0]),
                .tooManyInputs(inputs: 3, qubits: 2)
            ),
            (
                circuitPayload(qubits: 2, inputs: 1, depth: 1, repetitions: 6, wires: [0]),
                .entanglingRepetitionsOutOfRange(6, range: Ansatz.entanglingRepetitionsRange)
            ),
            (circuitPayload(qubits: 2, inputs: 1, depth: 1, repetitions: 1, wires: []), .noMeasuredWires),
            (
                circuitPayload(qubits: 2, inputs: 1, depth: 1, repetitions: 1, wires: [2]),
                .measuredWireOutOfRange(wire: 2, qubits: 2)
            ),
            (circuitPayload(qubits: 2, inputs: 1, depth: 1, repetitions: 1, wires: [1, 1]), .measuredWireRepeated(1)),
        ]
        for (payload, reason) in cases {
            let result = failure(rawFrame(type: 0x10, requestID: 12, payload: payload))
            #expect(result?.error == .invalidValue(what: "circuit 0 (\"g/0\")", reason: reason.description))
            #expect(result?.error.errorCode == .badRequest)
            #expect(result?.requestID == 12)
        }
    }

    @Test("bytes after a message's last field are refused")
    func trailingBytes() {
        #expect(
            failure(rawFrame(type: 0x32, payload: str("bye") + [0, 0]))?.error
                == .trailingBytes(message: .goodbye, count: 2)
        )
        #expect(
            failure(rawFrame(type: 0x03, payload: be32(0) + [9]))?.error == .trailingBytes(message: .welcome, count: 1)
        )
        #expect(
            failure(rawFrame(type: 0x11, payload: be64(1) + be32(0) + be32(0)))?.error
                == .trailingBytes(message: .setParameters, count: 4)
        )
    }

    // MARK: Decoder state

    @Test("a failed decoder stays failed and drops further input")
    func staysFailed() {
        var decoder = FrameDecoder()
        decoder.append(rawFrame(type: 0x99, requestID: 5, payload: []))
        #expect(throws: ProtocolError.unknownMessageType(0x99)) { try decoder.next() }
        decoder.append(FrameEncoder().encode(.ping(nonce: 1), requestID: 1))
        #expect(decoder.bufferedByteCount == 0)
        #expect(throws: ProtocolError.unknownMessageType(0x99)) { try decoder.next() }
        #expect(decoder.failedRequestID == 5)
    }

    @Test("frames before a bad one are delivered; a partial frame at the end is visible")
    func goodThenBad() throws {
        let encoder = FrameEncoder()
        var decoder = FrameDecoder()
        #expect(decoder.failedRequestID == nil)
        decoder.append(encoder.encode(.ping(nonce: 1), requestID: 1) + encoder.encode(.pong(nonce: 2), requestID: 2))
        decoder.append(Array(encoder.encode(.goodbye(reason: "x"), requestID: 3).prefix(21)))
        #expect(try decoder.next()?.message == .ping(nonce: 1))
        #expect(try decoder.next()?.message == .pong(nonce: 2))
        #expect(try decoder.next() == nil)
        #expect(decoder.hasPartialFrame)
        decoder.append(Array("junk".utf8))
        #expect(throws: ProtocolError.self) { try decoder.next() }
    }

    @Test("every error maps to the documented wire code")
    func errorCodes() {
        let mapping: [(ProtocolError, ErrorCode)] = [
            (.badMagic([0]), .malformedFrame),
            (.unsupportedVersion(2), .unsupportedVersion),
            (.unknownMessageType(9), .unknownMessage),
            (.unsupportedFlags(1), .malformedFrame),
            (.frameTooLarge(length: 2, limit: 1), .frameTooLarge),
            (.truncatedPayload(what: "x", needed: 2, remaining: 1), .malformedFrame),
            (.trailingBytes(message: .ping, count: 1), .malformedFrame),
            (.limitExceeded(what: "x", count: 2, limit: 1), .limitExceeded),
            (.invalidValue(what: "x", reason: "y"), .badRequest),
        ]
        for (error, code) in mapping {
            #expect(error.errorCode == code)
            #expect(!error.description.isEmpty)
        }
    }
}
