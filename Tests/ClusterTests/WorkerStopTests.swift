import Cluster
import ClusterProtocol
import Synchronization
import Testing
import VariationalCircuits

@Suite("Stopping a worker", .timeLimit(.minutes(1)))
struct WorkerStopTests {
    @Test("stop() lets the running evaluation finish, refuses later requests, then says goodbye")
    func stopDuringEvaluation() async throws {
        let worker = try RunningWorker.start(slots: 2)
        let (connection, _) = try await worker.connect()
        defer { connection.close() }
        let circuits = testCircuits("stop", count: 2, qubits: 8)
        try await install(circuits, parameters: testParameters(for: circuits, seed: 3), version: 1, on: connection)
        let batch = try await calibratedBatch(for: circuits, version: 1, on: connection, seconds: 1.5, id: 3)

        // The pong proves the worker has taken request 10 (same stream, read in order) and is
        // running it. The stop and the late request 11 go out from the connection's reader
        // thread the moment the pong arrives: a test task could wait seconds for a thread of
        // the cooperative pool while other suites compute, and the evaluation end meanwhile.
        let late = testBatch(for: circuits, items: 1, version: 1, seed: 7)
        let received = Mutex<[(UInt64, Message)]>([])
        let (ended, end) = AsyncStream<Void>.makeStream()
        connection.handleFrames { [server = worker.server] inbound in
            switch inbound {
            case .frame(_, .pong):
                server.stop()
                _ = try? connection.sendWithoutWaiting(.evaluate(late), requestID: 11)
            case .frame(let id, let message):
                received.withLock { $0.append((id, message)) }
            case .finished, .failed:
                end.finish()
            }
        }
        try connection.sendWithoutWaiting(.evaluate(batch), requestID: 10)
        try connection.sendWithoutWaiting(.ping(nonce: 1), requestID: 12)
        for await _ in ended {}
        let frames = received.withLock { $0 }
        let summary = frames.map { "#\($0.0) \($0.1.type)" }
        guard let resultIndex = frames.firstIndex(where: { $0.0 == 10 }) else {
            Issue.record("no reply to the running request: \(summary)")
            return
        }
        guard case .result(let evaluations, _) = frames[resultIndex].1 else {
            Issue.record("the running request got \(frames[resultIndex].1)")
            return
        }
        #expect(evaluations.count == batch.items.count)
        let refusal = frames.first { $0.0 == 11 }
        if case .error(let code, _)? = refusal?.1 {
            #expect(code == .shuttingDown)
        } else {
            Issue.record("the late request got \(String(describing: refusal)): \(summary); log: \(worker.log.all)")
        }
        #expect(frames.last?.1.type == .goodbye, "\(summary)")
        #expect(frames.firstIndex { $0.1.type == .goodbye }! > resultIndex)
        // run() returns once every connection is done.
        try await worker.serving.value
        #expect(worker.log.contains("stopping"))
        #expect(worker.log.contains("stopped"))
    }

    @Test("stop() with idle connections says goodbye to each and returns")
    func stopIdle() async throws {
        let worker = try RunningWorker.start()
        let (first, _) = try await worker.connect()
        let (second, _) = try await worker.connect()
        defer {
            first.close()
            second.close()
        }
        worker.server.stop()
        for connection in [first, second] {
            let frame = try await connection.receive()
            #expect(frame?.message.type == .goodbye)
            #expect(try await connection.receive() == nil)
        }
        try await worker.serving.value
        await #expect(throws: ClusterError.self) {
            _ = try await PeerConnection.connect(to: worker.endpoint, timeout: .seconds(2))
        }
    }

    @Test("stop() during a handshake ends it at once")
    func stopDuringHandshake() async throws {
        let worker = try RunningWorker.start(handshakeTimeout: .seconds(30))
        let socket = try await RawSocket.connect(port: worker.port)
        defer { socket.close() }
        var decoder = FrameDecoder()
        #expect(try await socket.readFrame(decoder: &decoder).message.type == .hello)
        worker.server.stop()
        let clock = ContinuousClock()
        let started = clock.now
        try await worker.serving.value
        #expect(clock.now - started < .seconds(10))
        let rest = try await socket.readFramesUntilClosed()
        #expect(rest.closed)
    }
}
