import Cluster
import ClusterProtocol
import Foundation
import Synchronization
import Testing
import VariationalCircuits

#if canImport(Glibc)
import Glibc
#endif

/// The hard limits of a real `qlstm worker` process (docs/SECURITY.md): what one client can
/// make it compute, allocate and hold, measured from the outside (`/proc/PID/status`).
///
/// Serialized: each test reads the memory and CPU time of its own worker, which other tests'
/// workers running at the same time would not disturb, but their timing checks would be.
@Suite("Worker limits (processes)", .serialized, .timeLimit(.minutes(2)))
struct WorkerLimitTests {
    /// Connects and authenticates as a coordinator without a secret.
    private func coordinator(to worker: WorkerProcess) async throws -> PeerConnection {
        let connection = try await PeerConnection.connect(to: worker.endpoint, timeout: .seconds(5))
        _ = try await Handshake.coordinator(connection, secret: nil, timeout: .seconds(10))
        return connection
    }

    private func circuit(
        _ id: String,
        qubits: Int,
        inputs: Int,
        depth: Int,
        rotations: RotationLayer = .ry
    ) throws
        -> SubVQC
    {
        try SubVQC(
            id: id,
            qubitCount: qubits,
            inputCount: inputs,
            ansatz: Ansatz(rotations: rotations, depth: depth)
        )
    }

    /// Whether a ping on a fresh connection is answered.
    private func answersPing(_ worker: WorkerProcess) async throws -> Bool {
        let connection = try await coordinator(to: worker)
        defer { connection.close() }
        try await connection.send(.ping(nonce: 7), requestID: 1)
        return try await connection.receive()?.message == .pong(nonce: 7)
    }

    /// `body`'s reply, and the CPU time the worker spent meanwhile. The worker's CPU time, not
    /// the wall clock, says whether it refused at once: on a machine shared with other suites
    /// the test task itself may wait seconds for a thread (alone, the refusals below take
    /// 0.1 - 65 ms of wall time).
    private func measuring(
        _ worker: WorkerProcess,
        _ body: () async throws -> Message
    ) async throws -> (reply: Message, cpuSeconds: Double) {
        let before = try worker.cpuSeconds()
        let reply = try await body()
        return (reply, try worker.cpuSeconds() - before)
    }

    @Test("a request whose reply would break 64 MiB is refused within a second, saying how many items fit")
    func oversizedReply() async throws {
        let worker = try await WorkerProcess.launch(["--slots", "2", "--memory-limit", "512M"])
        defer { worker.kill() }
        let connection = try await coordinator(to: worker)
        defer { connection.close() }
        // The issue's request: 8 qubits, depth 30, 20,000 items with adjoint Jacobians (about
        // 278 MB of reply); it used to cost 117 s of CPU and 944 MB before its refusal.
        let circuits = [try circuit("wide", qubits: 8, inputs: 7, depth: 30)]
        try await install(circuits, parameters: testParameters(for: circuits, seed: 1), version: 1, on: connection)
        let batch = testBatch(for: circuits, items: 20_000, method: .adjoint, version: 1, seed: 2)
        let (reply, spent) = try await measuring(worker) { try await connection.request(.evaluate(batch), id: 3) }
        guard case .error(.badRequest, let message) = reply else {
            Issue.record("the oversized request was answered \(reply.type)")
            return
        }
        #expect(spent < 1, "refused after \(spent) s of CPU")
        #expect(message.contains("64.0 MiB reply limit"), "\(message)")
        #expect(message.contains("items per evaluate"), "\(message)")
        #expect(try worker.memory("VmHWM") < 512 << 20)
        // The connection stays usable: a batch that fits is served.
        let fitting = try await connection.request(
            .evaluate(testBatch(for: circuits, items: 10, method: .adjoint, version: 1, seed: 3)),
            id: 4
        )
        #expect(fitting.type == .result)
        worker.terminate()
        #expect(try await worker.waitForExit() == 0)
    }

    @Test("a request above --memory-limit is refused at once naming the limit; one under it runs and stays under it")
    func memoryLimit() async throws {
        let limit = 256 << 20
        let worker = try await WorkerProcess.launch(["--slots", "1", "--memory-limit", "256M"])
        defer { worker.kill() }
        let connection = try await coordinator(to: worker)
        defer { connection.close() }
        // Adjoint keeps one co-state per output: 20 outputs of a 20-qubit state are 320 MiB.
        let circuits = [
            try circuit("twenty-out", qubits: 20, inputs: 20, depth: 1),
            try circuit("four-out", qubits: 20, inputs: 4, depth: 1),
        ]
        try await install(circuits, parameters: testParameters(for: circuits, seed: 3), version: 1, on: connection)
        let (refused, spent) = try await measuring(worker) {
            try await connection.request(
                .evaluate(
                    EvaluationBatch(
                        items: [EvaluationRequest(circuit: 0, inputs: Array(repeating: 0.1, count: 20), seed: 0)],
                        method: .adjoint,
                        shots: nil,
                        parameterVersion: 1
                    )
                ),
                id: 3
            )
        }
        #expect(spent < 1, "refused after \(spent) s of CPU")
        guard case .error(.badRequest, let message) = refused else {
            Issue.record("the request above the limit was answered \(refused.type)")
            return
        }
        #expect(message.contains("above the worker's limit of 256.0 MiB"), "\(message)")
        #expect(message.contains("--memory-limit"), "\(message)")

        // Four co-states and two states of 16 MiB fit: it runs, and the estimate held.
        let fitting = try await connection.request(
            .evaluate(
                EvaluationBatch(
                    items: [EvaluationRequest(circuit: 1, inputs: [0.1, 0.2, 0.3, 0.4], seed: 0)],
                    method: .adjoint,
                    shots: nil,
                    parameterVersion: 1
                )
            ),
            id: 4
        )
        guard case .result(let evaluations, _) = fitting else {
            Issue.record("the request under the limit was answered \(fitting)")
            return
        }
        #expect(evaluations.first?.outputs.count == 4)
        let peak = try worker.memory("VmHWM")
        #expect(peak < limit, "peak \(ByteCount(peak))")
        worker.terminate()
        #expect(try await worker.waitForExit() == 0)
    }

    @Test("25 qubits with adjoint under a 6 GiB address-space limit: refused, and the worker serves on")
    func addressSpaceLimit() async throws {
        let worker = try await WorkerProcess.launch(["--slots", "2"], addressSpaceKiB: 6_291_456)
        defer { worker.kill() }
        let connection = try await coordinator(to: worker)
        defer { connection.close() }
        // Adjoint keeps 2 states and a co-state per output: 10 x 512 MiB.
        let circuits = [try circuit("huge", qubits: 25, inputs: 8, depth: 1)]
        try await install(circuits, parameters: testParameters(for: circuits, seed: 4), version: 1, on: connection)
        let (reply, spent) = try await measuring(worker) {
            try await connection.request(
                .evaluate(testBatch(for: circuits, items: 2, method: .adjoint, version: 1, seed: 5)),
                id: 3
            )
        }
        #expect(spent < 1, "refused after \(spent) s of CPU")
        guard case .error(.badRequest, let message) = reply else {
            Issue.record("the 25-qubit adjoint request was answered \(reply.type)")
            return
        }
        // Half of the 6 GiB address space is the default limit.
        #expect(message.contains("needs 5.0 GiB of memory, above the worker's limit of 3.0 GiB"), "\(message)")
        #expect(worker.process.isRunning)
        #expect(try await answersPing(worker))
        // The same connection still evaluates what fits.
        let small = testCircuits("small", count: 1, qubits: 3)
        try await install(
            small,
            parameters: testParameters(for: small, seed: 6),
            version: 2,
            on: connection,
            firstID: 10
        )
        let result = try await connection.request(
            .evaluate(testBatch(for: small, items: 4, version: 2, seed: 7)),
            id: 12
        )
        #expect(result.type == .result)
        #expect(worker.standardError.contains("limits: memory 3.0 GiB"))
        worker.terminate()
        #expect(try await worker.waitForExit() == 0)
    }

    @Test("a client that sends requests and pings and never reads: the worker's memory stays bounded")
    func clientThatNeverReads() async throws {
        let worker = try await WorkerProcess.launch(["--slots", "1"])
        defer { worker.kill() }
        let socket = try await RawSocket.connect(port: worker.endpoint.port)
        defer { socket.close() }
        var decoder = FrameDecoder()
        _ = try await socket.readFrame(decoder: &decoder)
        var generator = SystemRandomNumberGenerator()
        try await socket.send(.authenticate(nonce: .random(using: &generator), mac: []), requestID: 0)
        _ = try await socket.readFrame(decoder: &decoder)
        // Cheap to compute, large to answer: 1,000 items of a 3-qubit circuit with 270
        // parameters give 6.5 MB of adjoint Jacobians per request.
        let circuits = [try circuit("chatty", qubits: 3, inputs: 3, depth: 30, rotations: .rot)]
        try await socket.send(.loadCircuits(circuits), requestID: 1)
        try await socket.send(
            .setParameters(version: 1, parameters: testParameters(for: circuits, seed: 8)),
            requestID: 2
        )
        let request = FrameEncoder().encode(
            .evaluate(testBatch(for: circuits, items: 1_000, method: .adjoint, version: 1, seed: 9)),
            requestID: 3
        )
        let ping = FrameEncoder().encode(.ping(nonce: 1), requestID: 4)
        let baseline = try worker.memory("VmRSS")
        // Writes without blocking for 6 s: the worker stops reading once its queue is full.
        let sent = try await RawSocket.blocking { [descriptor = socket.descriptor] in
            var sent = 0
            let deadline = Date().addingTimeInterval(6)
            var pending: [UInt8] = []
            while Date() < deadline {
                if pending.isEmpty { pending = request + Array(repeating: ping, count: 50).flatMap { $0 } }
                let count = pending.withUnsafeBytes {
                    Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                }
                if count > 0 {
                    sent += count
                    pending.removeFirst(count)
                } else {
                    usleep(1_000)
                }
            }
            return sent
        }
        let peak = try worker.memory("VmHWM")
        #expect(peak - baseline < 150 << 20, "baseline \(ByteCount(baseline)), peak \(ByteCount(peak)), sent \(sent)")
        // Others are still served meanwhile.
        #expect(try await answersPing(worker))
        // SIGTERM with the client still connected and not reading: the worker does not wait
        // for it beyond the linger.
        worker.terminate()
        let exited = try await RawSocket.blocking { [process = worker.process] in
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            return !process.isRunning
        }
        #expect(exited, "the worker did not stop within 10 s of SIGTERM")
        socket.close()
        #expect(try await worker.waitForExit() == 0)
    }

    @Test("requests queued by a connection that closes are not run")
    func closedConnectionWorkIsDropped() async throws {
        let worker = try await WorkerProcess.launch(["--slots", "1"])
        defer { worker.kill() }
        let connection = try await coordinator(to: worker)
        let circuits = testCircuits("busy", count: 2, qubits: 8)
        try await install(circuits, parameters: testParameters(for: circuits, seed: 10), version: 1, on: connection)
        let batch = try await calibratedBatch(for: circuits, version: 1, on: connection, seconds: 0.5, id: 3)
        for id in 10..<16 { try await connection.send(.evaluate(batch), requestID: UInt64(id)) }
        // The first one runs; the five behind it are for nobody once the connection is gone.
        try await Task.sleep(for: .milliseconds(100))
        connection.close()
        try await Task.sleep(for: .seconds(1))
        let before = try worker.cpuSeconds()
        try await Task.sleep(for: .seconds(1))
        let spent = try worker.cpuSeconds() - before
        #expect(spent < 0.2, "the worker still computed \(spent) s of CPU after the connection closed")
        worker.terminate()
        #expect(try await worker.waitForExit() == 0)
    }

    @Test(
        "100 silent sockets from another machine, reconnecting when dropped: an authenticated cluster status succeeds"
    )
    func silentSockets() async throws {
        let directory = try QlstmTemporaryDirectory()
        defer { directory.remove() }
        let secretPath = directory.url.appendingPathComponent("secret").path
        try SharedSecret.generate(atPath: secretPath)
        let worker = try await WorkerProcess.launch(["--slots", "1", "--secret-file", secretPath])
        defer { worker.kill() }
        let secret = try SharedSecret(contentsOfFile: secretPath)
        // A coordinator connected before the flood keeps being served through it.
        let established = try await PeerConnection.connect(to: worker.endpoint, timeout: .seconds(5))
        defer { established.close() }
        _ = try await Handshake.coordinator(established, secret: secret, timeout: .seconds(10))

        // 127.0.0.2 plays the attacker's machine; cluster status connects from 127.0.0.1.
        let flood = SilentFlood(port: worker.endpoint.port, from: "127.0.0.2", sockets: 100)
        defer { flood.stop() }
        try await Task.sleep(for: .seconds(1))
        let cluster = directory.url.appendingPathComponent("cluster.json")
        try Data(
            """
            { "version": 1, "secret_file": "secret", "workers": [ { "name": "w", "address": "\(worker.endpoint)" } ] }
            """.utf8
        ).write(to: cluster)
        for attempt in 0..<3 {
            let status = try await WorkerProcess.run(["cluster", "status", "--cluster", cluster.path])
            #expect(status.status == 0, "attempt \(attempt): \(status.standardOutput) \(status.standardError)")
            #expect(status.standardOutput.contains("w \(worker.endpoint): reachable"))
            try await established.send(.ping(nonce: UInt64(attempt)), requestID: UInt64(attempt + 1))
            #expect(try await established.receive()?.message == .pong(nonce: UInt64(attempt)))
        }
        #expect(flood.reconnections > 0, "the worker never dropped a silent socket")
        flood.stop()
        worker.terminate()
        #expect(try await worker.waitForExit() == 0)
        #expect(worker.standardError.contains("dropped during the handshake"))
    }

    @Test("without a secret the worker refuses to listen beyond loopback unless --insecure, and warns")
    func secureByDefault() async throws {
        let refused = try await WorkerProcess.run(["worker", "--listen", "0.0.0.0:0"])
        #expect(refused.status == 2)
        #expect(refused.standardError.split(separator: "\n").count == 1, "\(refused.standardError)")
        #expect(refused.standardError.contains("--secret-file") && refused.standardError.contains("--insecure"))
        #expect(refused.standardOutput.isEmpty)

        let local = try await WorkerProcess.launch(["--slots", "1"])
        defer { local.kill() }
        #expect(try await answersPing(local))
        local.terminate()
        #expect(try await local.waitForExit() == 0)
        #expect(local.standardError.contains("warning: no shared secret"))
    }
}

/// Sockets that connect to a worker and never say a word, each reconnected as soon as the
/// worker drops it: an attacker holding as many handshakes open as it can. It reconnects a few
/// hundred times a second rather than as fast as the machine allows, so that the storm does not
/// starve the other suites sharing the machine, and stops by itself after a minute.
final class SilentFlood: Sendable {
    private let running = Atomic(true)
    private let reconnectCount = Atomic(0)
    private let done = DispatchSemaphore(value: 0)

    init(port: UInt16, from source: String, sockets: Int) {
        Thread.detachNewThread { [self] in
            var descriptors = (0..<sockets).map { _ in Self.connect(port, from: source) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let deadline = Date().addingTimeInterval(60)
            while running.load(ordering: .relaxed) && Date() < deadline {
                usleep(2_000)
                var polled = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                guard poll(&polled, nfds_t(polled.count), 50) > 0 else { continue }
                for (index, entry) in polled.enumerated() where entry.revents != 0 {
                    let count = recv(entry.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                    if count <= 0 {
                        Glibc.close(entry.fd)
                        descriptors[index] = Self.connect(port, from: source)
                        reconnectCount.add(1, ordering: .relaxed)
                    }
                }
            }
            for descriptor in descriptors { Glibc.close(descriptor) }
            done.signal()
        }
    }

    /// How many times the worker dropped a socket and it came back.
    var reconnections: Int { reconnectCount.load(ordering: .relaxed) }

    func stop() {
        guard running.exchange(false, ordering: .relaxed) else { return }
        done.wait()
    }

    private static func connect(_ port: UInt16, from source: String) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try? RawSocket.bind(descriptor, to: source)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return descriptor
    }
}

/// A temporary directory removed at the end of a test.
struct QlstmTemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("qlstm-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
