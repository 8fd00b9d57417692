import Cluster
import ClusterProtocol
import Foundation
import Testing
import VariationalCircuits

#if canImport(Glibc)
import Glibc
#endif

/// How long a connection may hold a worker: idle connections are closed, connections still
/// authenticating have a pool of their own, and what a peer says reaches the log escaped.
@Suite("Worker connection limits", .timeLimit(.minutes(1)))
struct WorkerConnectionLimitTests {
    @Test("an idle connection is told goodbye and closed after the idle timeout")
    func idleTimeout() async throws {
        try await withWorker(idleTimeout: .milliseconds(400)) { worker in
            let frames = try await RawSocket.blocking { [port = worker.port] in
                let peer = try BlockingPeer(port: port)
                let start = DispatchTime.now().uptimeNanoseconds
                let frames = try peer.readUntilClosed()
                return (frames, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            guard frames.0.count == 1, case .goodbye(let reason) = frames.0[0] else {
                Issue.record("expected goodbye and a close, got \(frames.0)")
                return
            }
            #expect(reason == "idle for 0.4 seconds (--idle-timeout): reconnect when there is work")
            #expect(frames.1 >= 0.35)
        }
    }

    @Test("pings count as activity")
    func pingsKeepConnections() async throws {
        // Pinged from a Dispatch thread every 0.4 s for 5 s, against a 2 s timeout: no test
        // task is involved, so other suites keeping the cooperative pool busy cannot delay it.
        try await withWorker(idleTimeout: .seconds(2)) { worker in
            let answers = try await RawSocket.blocking { [port = worker.port] in
                let peer = try BlockingPeer(port: port)
                return try (1...12).map { nonce -> Message in
                    usleep(400_000)
                    peer.send(.ping(nonce: UInt64(nonce)), requestID: UInt64(nonce))
                    return try peer.read()
                }
            }
            #expect(answers == (1...12).map { .pong(nonce: UInt64($0)) })
        }
    }

    @Test("a request computing longer than the idle timeout keeps its connection")
    func computingKeepsConnections() async throws {
        let circuits = testCircuits("long", count: 1, qubits: 8)
        let parameters = testParameters(for: circuits, seed: 1)
        let batch = try await withWorker(slots: 1) { worker in
            let (connection, _) = try await worker.connect()
            defer { connection.close() }
            try await install(circuits, parameters: parameters, version: 1, on: connection)
            return try await calibratedBatch(for: circuits, version: 1, on: connection, seconds: 3, id: 3)
        }
        // The requests go out the moment welcome arrives, so the connection's only silence is
        // the 3 s the evaluation computes, against a 1 s timeout.
        try await withWorker(slots: 1, idleTimeout: .seconds(1)) { worker in
            let replies = try await RawSocket.blocking { [port = worker.port] in
                let peer = try BlockingPeer(port: port) {
                    [.loadCircuits(circuits), .setParameters(version: 1, parameters: parameters), .evaluate(batch)]
                }
                return try (1...3).map { _ in try peer.read().type }
            }
            #expect(replies == [.acknowledged, .acknowledged, .result])
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
            bytes += encoder.encode(
                .setParameters(version: 1, parameters: testParameters(for: circuits, seed: 1)),
                requestID: 2
            )
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
            #expect(
                worker.log.contains("oops\\n2026-01-01T00:00:00.000Z qlstm worker test-worker: authenticated\\u{1B}[2J")
            )
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

/// A coordinator on a plain blocking socket, for tests whose timing must not depend on the
/// cooperative pool: use it inside `RawSocket.blocking`.
final class BlockingPeer {
    private let socket: Int32
    private var decoder = FrameDecoder()

    /// Connects to the worker on 127.0.0.1:`port` and completes the handshake without a secret,
    /// then sends `requests()` (ids 1, 2, ...) in one write.
    init(port: UInt16, requests: () -> [Message] = { [] }) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else { throw TestFailure("connect failed: errno \(errno)") }
        guard case .hello = try read() else { throw TestFailure("no hello") }
        var generator = SystemRandomNumberGenerator()
        let encoder = FrameEncoder()
        send(encoder.encode(.authenticate(nonce: .random(using: &generator), mac: []), requestID: 0))
        guard case .welcome = try read() else { throw TestFailure("no welcome") }
        var bytes: [UInt8] = []
        for (index, request) in requests().enumerated() {
            bytes += encoder.encode(request, requestID: UInt64(index + 1))
        }
        send(bytes)
    }

    deinit {
        Glibc.close(socket)
    }

    func send(_ message: Message, requestID: UInt64) {
        send(FrameEncoder().encode(message, requestID: requestID))
    }

    private func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// The next frame's message; throws at the end of the stream or after 30 s.
    func read() throws -> Message {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            if let frame = try decoder.next() { return frame.message }
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw TestFailure("the stream ended (errno \(errno))") }
            decoder.append(buffer[0..<count])
        }
    }

    /// Every message until the worker closes the connection.
    func readUntilClosed() throws -> [Message] {
        var messages: [Message] = []
        while true {
            do {
                messages.append(try read())
            } catch is TestFailure {
                return messages
            }
        }
    }
}
