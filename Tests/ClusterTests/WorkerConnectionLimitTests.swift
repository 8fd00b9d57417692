import Cluster
import ClusterProtocol
import Foundation
import Testing
import VariationalCircuits

/// How long a connection may hold a worker: idle connections are closed, connections still
/// authenticating have a pool of their own, and what a peer says reaches the log escaped.
@Suite("Worker connection limits", .timeLimit(.minutes(1)))
struct WorkerConnectionLimitTests {
    @Test("an idle connection is told goodbye and closed after the idle timeout")
    func idleTimeout() async throws {
        try await withWorker(idleTimeout: .milliseconds(400)) { worker in
            let (connection, _) = try await worker.connect()
            defer { connection.close() }
            let clock = ContinuousClock()
            let start = clock.now
            let goodbye = try await connection.receive()
            guard case .goodbye(let reason)? = goodbye?.message else {
                Issue.record("expected goodbye, got \(String(describing: goodbye))")
                return
            }
            #expect(reason.contains("idle"))
            #expect(clock.now - start >= .milliseconds(350))
            #expect(try await connection.receive() == nil)
            #expect(await worker.log.waitFor("idle for 0.4 seconds (--idle-timeout)"), "\(worker.log.all)")
        }
    }

    @Test("pings count as activity, and so does a request computing longer than the timeout")
    func activityKeepsConnections() async throws {
        // Long enough that a test task starved by other suites on two cores is not idle.
        try await withWorker(slots: 1, idleTimeout: .seconds(3)) { worker in
            let (connection, _) = try await worker.connect()
            defer { connection.close() }
            for nonce in 1...14 {
                try await Task.sleep(for: .milliseconds(500))
                let pong = try await connection.request(.ping(nonce: UInt64(nonce)), id: UInt64(nonce), pong: true)
                #expect(pong == .pong(nonce: UInt64(nonce)))
            }
            let circuits = testCircuits("long", count: 1, qubits: 8)
            try await install(circuits, parameters: testParameters(for: circuits, seed: 1), version: 1, on: connection, firstID: 20)
            let batch = try await calibratedBatch(for: circuits, version: 1, on: connection, seconds: 4.5, id: 30)
            let reply = try await connection.request(.evaluate(batch), id: 40)
            #expect(reply.type == .result)
            #expect(!worker.log.contains("idle for"))
        }
    }

    @Test("sockets that never authenticate have their own pool: the oldest is dropped, coordinators get in")
    func pendingHandshakePool() async throws {
        let secret = SharedSecret(bytes: Array("pool test secret, 16+ bytes".utf8))
        try await withWorker(secret: secret, handshakeTimeout: .seconds(30), maxPendingHandshakes: 4) { worker in
            var silent: [RawSocket] = []
            defer { for socket in silent { socket.close() } }
            for _ in 0..<10 { silent.append(try await RawSocket.connect(port: worker.port)) }
            // Six of the ten were dropped for newer ones; the last four still wait.
            var closed = 0
            for socket in silent.prefix(6) {
                if try await socket.readFramesUntilClosed().closed { closed += 1 }
            }
            #expect(closed == 6)
            let (connection, _) = try await worker.connect(secret: secret)
            defer { connection.close() }
            #expect(try await connection.request(.ping(nonce: 3), id: 1, pong: true) == .pong(nonce: 3))
            #expect(await worker.log.waitFor("dropped during the handshake"))
        }
    }

    @Test("a flood from one machine only displaces its own handshakes")
    func pendingHandshakesPerClient() async throws {
        let secret = SharedSecret(bytes: Array("pool test secret, 16+ bytes".utf8))
        try await withWorker(
            secret: secret,
            handshakeTimeout: .seconds(30),
            maxPendingHandshakes: 64,
            maxPendingHandshakesPerClient: 3
        ) { worker in
            let (early, _) = try await worker.connect(secret: secret)
            defer { early.close() }
            var flood: [RawSocket] = []
            defer { for socket in flood { socket.close() } }
            for _ in 0..<10 { flood.append(try await RawSocket.connect(port: worker.port, from: "127.0.0.2")) }
            var closed = 0
            for socket in flood.prefix(7) {
                if try await socket.readFramesUntilClosed().closed { closed += 1 }
            }
            #expect(closed == 7)
            // Pending connections from 127.0.0.1 were never at risk: three of them and a
            // coordinator all get in.
            var waiting: [RawSocket] = []
            defer { for socket in waiting { socket.close() } }
            for _ in 0..<2 { waiting.append(try await RawSocket.connect(port: worker.port)) }
            let (late, _) = try await worker.connect(secret: secret)
            defer { late.close() }
            #expect(try await late.request(.ping(nonce: 1), id: 1, pong: true) == .pong(nonce: 1))
            #expect(try await early.request(.ping(nonce: 2), id: 2, pong: true) == .pong(nonce: 2))
        }
    }

    @Test("more requests than the queue holds, sent right behind authenticate, are all answered in order")
    func burstBehindHandshake() async throws {
        try await withWorker(slots: 1) { worker in
            let socket = try await RawSocket.connect(port: worker.port)
            defer { socket.close() }
            var decoder = FrameDecoder()
            _ = try await socket.readFrame(decoder: &decoder)
            // Buffered before the session hands frames over, 20 requests too big for the reader
            // wait for queue permits (8) where they are handled; only the request queue gives
            // permits back, so that must not be where they are handled.
            let circuits = testCircuits("burst", count: 1, qubits: 8)
            let encoder = FrameEncoder()
            var generator = SystemRandomNumberGenerator()
            var bytes = encoder.encode(.authenticate(nonce: .random(using: &generator), mac: []), requestID: 0)
            bytes += encoder.encode(.loadCircuits(circuits), requestID: 1)
            bytes += encoder.encode(.setParameters(version: 1, parameters: testParameters(for: circuits, seed: 1)), requestID: 2)
            let batch = testBatch(for: circuits, items: 200, method: nil, version: 1, seed: 2)
            for id in 3...22 { bytes += encoder.encode(.evaluate(batch), requestID: UInt64(id)) }
            try await socket.send(bytes)
            #expect(try await socket.readFrame(decoder: &decoder).message == .welcome(mac: []))
            var answered: [UInt64] = []
            for _ in 1...22 { answered.append(try await socket.readFrame(decoder: &decoder).requestID) }
            #expect(answered == Array(1...22))
        }
    }

    @Test("a coordinator's error message and goodbye reason reach the log escaped")
    func escapedLogLines() async throws {
        try await withWorker { worker in
            let (connection, _) = try await worker.connect()
            defer { connection.close() }
            let forged = "oops\n2026-01-01T00:00:00.000Z qlstm worker test-worker: authenticated\u{1B}[2J"
            try await connection.send(.error(code: .internalError, message: forged), requestID: 0)
            try await connection.send(.goodbye(reason: "done\r\n\u{1B}]0;pwned\u{7}"), requestID: 0)
            #expect(await worker.log.waitFor("closed after"))
            let lines = worker.log.all
            #expect(lines.allSatisfy { !$0.contains("\n") && !$0.contains("\r") && !$0.contains("\u{1B}") }, "\(lines)")
            #expect(worker.log.contains("oops\\n2026-01-01T00:00:00.000Z qlstm worker test-worker: authenticated\\u{1B}[2J"))
            #expect(worker.log.contains("done\\r\\n\\u{1B}]0;pwned\\u{7}"))
        }
    }
}

extension PeerConnection {
    /// Sends a request and returns the first reply with its id, pongs included when `pong`.
    func request(_ message: Message, id: UInt64, pong: Bool) async throws -> Message {
        try await send(message, requestID: id)
        while let (replyID, reply) = try await receive() {
            if replyID == id, pong || reply.type != .pong { return reply }
        }
        throw TestFailure("the connection closed before the reply to request \(id)")
    }
}
