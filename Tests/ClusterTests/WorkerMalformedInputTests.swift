import Cluster
import ClusterProtocol
import QuantumSimulator
import Testing
import VariationalCircuits

/// A connection that breaks the protocol gets an `error` frame and is closed; the worker and
/// every other connection carry on (PROTOCOL.md §11).
@Suite("Worker under malformed input", .timeLimit(.minutes(1)))
struct WorkerMalformedInputTests {
    /// A header announcing `length` payload bytes of `type` (raw byte for unknown types).
    private func header(type: UInt8, requestID: UInt64 = 0, length: UInt32, flags: UInt8 = 0) -> [UInt8] {
        var bytes = FrameHeader.magic + [UInt8(ProtocolVersion.current >> 8), UInt8(ProtocolVersion.current & 0xFF)]
        bytes += [type, flags]
        bytes += (0..<8).map { UInt8(truncatingIfNeeded: requestID >> (56 - 8 * UInt64($0))) }
        bytes += (0..<4).map { UInt8(truncatingIfNeeded: length >> (24 - 8 * UInt32($0))) }
        return bytes
    }

    /// Connects raw and completes the handshake without a secret.
    private func rawSession(port: UInt16) async throws -> RawSocket {
        let socket = try await RawSocket.connect(port: port)
        var decoder = FrameDecoder()
        let hello = try await socket.readFrame(decoder: &decoder)
        guard case .hello = hello.message else { throw TestFailure("expected hello, got \(hello)") }
        var generator = SystemRandomNumberGenerator()
        try await socket.send(.authenticate(nonce: .random(using: &generator), mac: []), requestID: 0)
        let welcome = try await socket.readFrame(decoder: &decoder)
        guard welcome.message == .welcome(mac: []) else { throw TestFailure("expected welcome, got \(welcome)") }
        return socket
    }

    /// Checks that `frames` ends with an error of `code` and the stream closed.
    private func expectRefusal(
        _ result: (frames: [ReceivedFrame], closed: Bool),
        _ code: ErrorCode,
        requestID: UInt64 = 0,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.closed, "the worker must close the connection", sourceLocation: sourceLocation)
        guard let last = result.frames.last, case .error(let got, let message) = last.message else {
            Issue.record("no error frame before the close: \(result.frames)", sourceLocation: sourceLocation)
            return
        }
        #expect(got == code, "\(message)", sourceLocation: sourceLocation)
        #expect(last.requestID == requestID, sourceLocation: sourceLocation)
        #expect(!message.isEmpty, sourceLocation: sourceLocation)
    }

    /// A coordinator session that must keep working whatever other connections do.
    private func expectServing(
        _ connection: PeerConnection,
        round: UInt64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let circuits = testCircuits("bystander", count: 1, qubits: 2)
        let reply = try await connection.request(
            .evaluate(testBatch(for: circuits, items: 2, version: 1, seed: round)),
            id: 100 + round
        )
        guard case .result(let evaluations, _) = reply else {
            Issue.record("the bystander got \(reply)", sourceLocation: sourceLocation)
            return
        }
        #expect(evaluations.count == 2, sourceLocation: sourceLocation)
    }

    private func withBystander(_ body: (RunningWorker) async throws -> Void) async throws {
        try await withWorker { worker in
            let (bystander, _) = try await worker.connect()
            defer { bystander.close() }
            let circuits = testCircuits("bystander", count: 1, qubits: 2)
            try await install(circuits, parameters: testParameters(for: circuits, seed: 1), version: 1, on: bystander)
            try await expectServing(bystander, round: 0)
            try await body(worker)
            try await expectServing(bystander, round: 1)
            let (late, _) = try await worker.connect()
            late.close()
        }
    }

    @Test("garbage bytes get malformedFrame and a close")
    func garbage() async throws {
        try await withBystander { worker in
            let socket = try await RawSocket.connect(port: worker.port)
            defer { socket.close() }
            try await socket.send(Array("GET / HTTP/1.1\r\nHost: qpu\r\n\r\n".utf8))
            let result = try await socket.readFramesUntilClosed()
            // The refusal may overtake the hello: after a refused frame nothing else is sent.
            #expect(result.frames.count <= 2)
            expectRefusal(result, .malformedFrame)
            #expect(await worker.log.waitFor("refused"))
        }
    }

    @Test("a TLS ClientHello at a plaintext worker is named as such, even when it overtakes the hello")
    func tlsAtPlaintextWorker() async throws {
        try await withBystander { worker in
            // Sent at once and closed: the worker's reader may refuse the bytes before its hello
            // is out, and the log must still say why rather than "closed". One at a time, so
            // the per-client limit on connections authenticating does not drop any.
            func refused() -> [String] { worker.log.all.filter { $0.contains("refused") } }
            for attempt in 1...20 {
                let socket = try await RawSocket.connect(port: worker.port)
                try await socket.send([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x03])
                socket.close()
                for _ in 0..<1000 where refused().count < attempt { try await Task.sleep(for: .milliseconds(10)) }
            }
            let refused = refused()
            #expect(refused.count == 20, "\(worker.log.all)")
            #expect(refused.allSatisfy { $0.contains("the coordinator speaks TLS") }, "\(refused)")
        }
    }

    @Test("a truncated frame followed by the end of the stream gets malformedFrame")
    func truncatedFrame() async throws {
        try await withBystander { worker in
            let socket = try await rawSession(port: worker.port)
            defer { socket.close() }
            let frame = FrameEncoder().encode(.loadCircuits(testCircuits("t")), requestID: 5)
            try await socket.send(Array(frame.prefix(31)))
            socket.shutdownOutput()
            expectRefusal(try await socket.readFramesUntilClosed(), .malformedFrame)
        }
    }

    @Test("an oversized length is refused from the header, before any payload")
    func oversizedLength() async throws {
        try await withBystander { worker in
            let socket = try await rawSession(port: worker.port)
            defer { socket.close() }
            try await socket.send(header(type: MessageType.evaluate.rawValue, requestID: 9, length: 0xFFFF_FFFF))
            expectRefusal(try await socket.readFramesUntilClosed(), .frameTooLarge, requestID: 9)
        }
    }

    @Test("before welcome, bulk frames are held to the control limit")
    func bulkBeforeWelcome() async throws {
        try await withBystander { worker in
            let socket = try await RawSocket.connect(port: worker.port)
            defer { socket.close() }
            try await socket.send(header(type: MessageType.loadCircuits.rawValue, requestID: 4, length: 100_000))
            let result = try await socket.readFramesUntilClosed()
            #expect(result.frames.count <= 2)
            expectRefusal(result, .frameTooLarge, requestID: 4)
        }
    }

    @Test("a request before welcome gets unexpectedMessage and a close")
    func requestBeforeWelcome() async throws {
        try await withBystander { worker in
            let socket = try await RawSocket.connect(port: worker.port)
            defer { socket.close() }
            try await socket.send(.loadCircuits(testCircuits("early")), requestID: 1)
            let result = try await socket.readFramesUntilClosed()
            #expect(result.frames.first?.message.type == .hello)
            expectRefusal(result, .unexpectedMessage)
        }
    }

    @Test("an unknown message type gets unknownMessage with the frame's id")
    func unknownType() async throws {
        try await withBystander { worker in
            let socket = try await rawSession(port: worker.port)
            defer { socket.close() }
            try await socket.send(header(type: 0x7F, requestID: 77, length: 0))
            expectRefusal(try await socket.readFramesUntilClosed(), .unknownMessage, requestID: 77)
        }
    }

    @Test("a reply sent to a worker gets unexpectedMessage and a close")
    func replyToWorker() async throws {
        try await withBystander { worker in
            let socket = try await rawSession(port: worker.port)
            defer { socket.close() }
            try await socket.send(.result(evaluations: [], usage: []), requestID: 3)
            expectRefusal(try await socket.readFramesUntilClosed(), .unexpectedMessage, requestID: 3)
        }
    }

    @Test("a bad payload (invalid circuit) gets badRequest and a close, as the decoder found it")
    func badPayload() async throws {
        try await withBystander { worker in
            let socket = try await rawSession(port: worker.port)
            defer { socket.close() }
            // loadCircuits with one circuit of 0 qubits: SubVQC refuses it while decoding.
            var payload: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 1, 0x61, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0]
            payload = Array(payload)
            try await socket.send(
                header(type: MessageType.loadCircuits.rawValue, requestID: 8, length: UInt32(payload.count)) + payload
            )
            expectRefusal(try await socket.readFramesUntilClosed(), .badRequest, requestID: 8)
        }
    }

    @Test("a silent client is dropped after the handshake timeout")
    func silentClient() async throws {
        try await withWorker(handshakeTimeout: .milliseconds(300)) { worker in
            let socket = try await RawSocket.connect(port: worker.port)
            defer { socket.close() }
            let result = try await socket.readFramesUntilClosed()
            #expect(result.closed)
            #expect(result.frames.map(\.message.type) == [.hello])
            #expect(await worker.log.waitFor("did not complete the handshake"))
        }
    }

    @Test("random bytes on many connections never stop the worker")
    func randomBytes() async throws {
        try await withBystander { worker in
            var generator = SeededGenerator(seed: 0xBAD)
            let valid = FrameEncoder().encode(
                .evaluate(testBatch(for: testCircuits("r"), items: 3, version: 1, seed: 1)),
                requestID: 1
            )
            for round in 0..<24 {
                let socket = try await RawSocket.connect(port: worker.port)
                var bytes: [UInt8]
                switch round % 3 {
                case 0:
                    bytes = (0..<Int(generator.next() % 200)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                case 1:
                    // A valid frame with a few bytes flipped.
                    bytes = valid
                    for _ in 0..<3 {
                        bytes[Int(generator.next() % UInt64(bytes.count))] ^= UInt8(
                            truncatingIfNeeded: generator.next() | 1
                        )
                    }
                default:
                    // A valid header in front of random payload bytes.
                    bytes =
                        Array(valid.prefix(FrameHeader.byteCount))
                        + (0..<Int(generator.next() % 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                }
                try await socket.send(bytes)
                socket.shutdownOutput()
                let result = try await socket.readFramesUntilClosed()
                #expect(result.closed, "round \(round)")
                socket.close()
            }
        }
    }
}
