import Cluster
import ClusterProtocol
import Foundation
import Synchronization
import Testing
import VariationalCircuits

#if canImport(Glibc)
import Glibc
#endif

/// The real `qlstm worker` process, as a launcher or an operator starts it.
///
/// These belong in IntegrationTests (with `QlstmBinary.url`) once that target depends on
/// Cluster, ClusterProtocol and VariationalCircuits; until then they live here and find the
/// binary the same way: the package's `.build/release/qlstm`, built by the project's test
/// command `swift test -c release`, which builds it before the tests.
@Suite("Worker processes", .timeLimit(.minutes(1)))
struct WorkerProcessTests {
    @Test("a worker process serves a session bit-identically, then stops on SIGTERM with goodbye and status 0")
    func session() async throws {
        let worker = try await WorkerProcess.launch(["--slots", "2", "--name", "proc-a"])
        let connection = try await PeerConnection.connect(to: worker.endpoint, timeout: .seconds(5))
        defer { connection.close() }
        let hello = try await Handshake.coordinator(connection, secret: nil, timeout: .seconds(10))
        #expect(hello.workerName == "proc-a")
        #expect(hello.qpuSlots == 2)
        #expect(hello.qubitCapacity == 25)
        #expect(hello.profile == "ideal")

        let circuits = testCircuits("proc", count: 3, qubits: 5)
        let parameters = testParameters(for: circuits, seed: 31)
        try await install(circuits, parameters: parameters, version: 4, on: connection)
        let batch = testBatch(for: circuits, items: 30, version: 4, seed: 32)
        let reply = try await connection.request(.evaluate(batch), id: 3)
        guard case .result(let evaluations, let usage) = reply else {
            Issue.record("evaluate answered \(reply)")
            return
        }
        let reference = LocalExecutor(threads: 1)
        try await reference.load(circuits)
        try await reference.setParameters(parameters, version: 4)
        #expect(try await bitPatterns(evaluations) == bitPatterns(reference.evaluate(batch)))
        #expect(!usage.isEmpty && usage.allSatisfy { $0.slot < 2 })

        worker.terminate()
        let goodbye = try await connection.receive()
        #expect(goodbye?.message.type == .goodbye)
        #expect(try await connection.receive() == nil)
        #expect(try await worker.waitForExit() == 0)
        let log = worker.standardError
        #expect(log.contains("qlstm worker proc-a: 127.0.0.1:"))
        #expect(log.contains("connected"))
        #expect(log.contains("loaded 3 circuits"))
        #expect(log.contains("stopping"))
    }

    @Test("garbage on one connection does not stop a second session")
    func garbageThenSession() async throws {
        let worker = try await WorkerProcess.launch(["--slots", "2"])
        defer { worker.kill() }
        #expect(worker.standardOutputLine.hasPrefix("listening on 127.0.0.1:"))

        let garbage = try await RawSocket.connect(port: worker.endpoint.port)
        try await garbage.send(Array(repeating: 0xFF, count: 64))
        let refused = try await garbage.readFramesUntilClosed()
        garbage.close()
        #expect(refused.closed)
        if case .error(let code, _)? = refused.frames.last?.message {
            #expect(code == .malformedFrame)
        } else {
            Issue.record("no error frame: \(refused.frames)")
        }

        let connection = try await PeerConnection.connect(to: worker.endpoint, timeout: .seconds(5))
        defer { connection.close() }
        let hello = try await Handshake.coordinator(connection, secret: nil, timeout: .seconds(10))
        #expect(hello.workerName == "\(WorkerProcess.hostName()):\(worker.endpoint.port)")
        let circuits = testCircuits("after", count: 1, qubits: 3)
        try await install(circuits, parameters: testParameters(for: circuits, seed: 1), version: 1, on: connection)
        let reply = try await connection.request(
            .evaluate(testBatch(for: circuits, items: 5, version: 1, seed: 2)),
            id: 3
        )
        #expect(reply.type == .result)
        try await connection.send(.ping(nonce: 9), requestID: 4)
        let pong = try await connection.receive()
        #expect(pong?.requestID == 4)
        #expect(pong?.message == .pong(nonce: 9))

        worker.terminate()
        #expect(try await worker.waitForExit() == 0)
        #expect(worker.standardError.contains("refused"))
    }

    @Test("SIGTERM during an evaluation: the result, then goodbye, then exit status 0")
    func terminateDuringEvaluation() async throws {
        let worker = try await WorkerProcess.launch(["--slots", "2"])
        defer { worker.kill() }
        let connection = try await PeerConnection.connect(to: worker.endpoint, timeout: .seconds(5))
        defer { connection.close() }
        _ = try await Handshake.coordinator(connection, secret: nil, timeout: .seconds(10))
        let circuits = testCircuits("term", count: 2, qubits: 8)
        try await install(circuits, parameters: testParameters(for: circuits, seed: 5), version: 1, on: connection)
        let batch = try await calibratedBatch(for: circuits, version: 1, on: connection, seconds: 1, id: 3)
        try await connection.send(.evaluate(batch), requestID: 10)
        try await Task.sleep(for: .milliseconds(150))
        worker.terminate()
        var types: [MessageType] = []
        while let (id, message) = try await connection.receive() {
            types.append(message.type)
            if case .result(let evaluations, _) = message {
                #expect(id == 10)
                #expect(evaluations.count == batch.items.count)
            }
        }
        #expect(types == [.result, .goodbye])
        #expect(try await worker.waitForExit() == 0)
    }

    @Test("a worker with --secret-file authenticates coordinators that know the secret")
    func secretFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "qlstm-worker-secret-\(UUID().uuidString)"
        ).path
        _ = FileManager.default.createFile(
            atPath: path,
            contents: Data("process secret, 16+ bytes\n".utf8),
            attributes: [.posixPermissions: 0o600]
        )
        defer { try? FileManager.default.removeItem(atPath: path) }
        let worker = try await WorkerProcess.launch(["--slots", "1", "--secret-file", path])
        defer { worker.kill() }
        let secret = SharedSecret(bytes: Array("process secret, 16+ bytes".utf8))

        let connection = try await PeerConnection.connect(to: worker.endpoint, timeout: .seconds(5))
        defer { connection.close() }
        let hello = try await Handshake.coordinator(connection, secret: secret, timeout: .seconds(10))
        #expect(hello.requiresAuthentication)

        let stranger = try await PeerConnection.connect(to: worker.endpoint, timeout: .seconds(5))
        await #expect(throws: ClusterError.self) {
            _ = try await Handshake.coordinator(
                stranger,
                secret: SharedSecret(bytes: Array("a guess of at least 16 bytes".utf8)),
                timeout: .seconds(10)
            )
        }
        worker.terminate()
        #expect(try await worker.waitForExit() == 0)
    }

    @Test(
        "bad options print one line and exit with status 2",
        arguments: [
            ["worker"],
            ["worker", "--listen", "nonsense"],
            ["worker", "--listen", "127.0.0.1:0", "--slots", "0"],
            ["worker", "--listen", "127.0.0.1:0", "--max-qubits", "26"],
            ["worker", "--listen", "127.0.0.1:0", "--secret-file", "/nonexistent/secret"],
            ["worker", "--listen", "127.0.0.1:0", "--slot", "2"],
        ]
    )
    func badOptions(arguments: [String]) async throws {
        let outcome = try await WorkerProcess.run(arguments)
        #expect(outcome.status == 2, "\(outcome.standardError)")
        #expect(outcome.standardError.split(separator: "\n").count == 1, "\(outcome.standardError)")
        #expect(outcome.standardError.hasPrefix("qlstm worker: "))
        #expect(outcome.standardOutput.isEmpty)
    }

    @Test("a secret file others may read is refused with advice")
    func unsafeSecretFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "qlstm-open-secret-\(UUID().uuidString)"
        ).path
        _ = FileManager.default.createFile(
            atPath: path,
            contents: Data("s".utf8),
            attributes: [.posixPermissions: 0o644]
        )
        defer { try? FileManager.default.removeItem(atPath: path) }
        let outcome = try await WorkerProcess.run(["worker", "--listen", "127.0.0.1:0", "--secret-file", path])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("chmod 600"))
    }
}

/// A `qlstm worker` child process listening on 127.0.0.1 with a kernel-chosen port.
final class WorkerProcess: Sendable {
    /// The release binary the project's test command builds.
    static let binary = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/release/qlstm")

    let process: Process
    let endpoint: Endpoint
    let standardOutputLine: String
    private let errors: Mutex<Data>
    private let errorsDone: DispatchSemaphore

    private init(process: Process, endpoint: Endpoint, line: String, errors: Pipe) {
        self.process = process
        self.endpoint = endpoint
        standardOutputLine = line
        self.errors = Mutex(Data())
        errorsDone = DispatchSemaphore(value: 0)
        // Drain stderr all along, so the worker never blocks on a full pipe.
        let handle = errors.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                self.errors.withLock { $0.append(chunk) }
            }
            errorsDone.signal()
        }
    }

    deinit {
        // A test that ends early (a failed expectation that throws, a time limit) must not
        // leave its worker running.
        kill()
    }

    static func checkBinary() throws {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestFailure(
                "\(binary.path) is missing: run the tests with `swift test -c release`, which builds it"
            )
        }
    }

    /// Starts `qlstm worker --listen 127.0.0.1:0 ARGUMENTS` and reads its `listening on` line.
    /// - Parameter addressSpaceKiB: a `ulimit -v` to start it under (through `/bin/sh`, which
    ///   then `exec`s the worker, so the process is the worker itself).
    static func launch(_ arguments: [String], addressSpaceKiB: Int? = nil) async throws -> WorkerProcess {
        try checkBinary()
        let process = Process()
        let command = ["worker", "--listen", "127.0.0.1:0"] + arguments
        if let addressSpaceKiB {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -v \(addressSpaceKiB) && exec \"$0\" \"$@\"", binary.path] + command
        } else {
            process.executableURL = binary
            process.arguments = command
        }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let handle = output.fileHandleForReading
        let line = try await RawSocket.blocking {
            var bytes = Data()
            while !bytes.contains(UInt8(ascii: "\n")) {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                bytes.append(chunk)
            }
            return String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        }
        guard line.hasPrefix("listening on "), let endpoint = try? Endpoint(parsing: String(line.dropFirst(13))) else {
            process.terminate()
            throw TestFailure("the worker printed '\(line)' instead of 'listening on HOST:PORT'")
        }
        return WorkerProcess(process: process, endpoint: endpoint, line: line, errors: errors)
    }

    /// A field of `/proc/PID/status` in bytes (`VmRSS` now, `VmHWM` the peak so far).
    func memory(_ field: String) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let kibibytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { throw TestFailure("no \(field) in /proc/\(process.processIdentifier)/status") }
        return kibibytes << 10
    }

    /// Seconds of CPU the process has used (user and system, every thread).
    func cpuSeconds() throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        guard let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw TestFailure("cannot read the CPU time of \(process.processIdentifier)")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Everything the worker wrote to standard error so far.
    var standardError: String { String(decoding: errors.withLock { $0 }, as: UTF8.self) }

    func terminate() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGTERM) }
    }

    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the process to exit and for its standard error to be read to the end.
    func waitForExit() async throws -> Int32 {
        try await RawSocket.blocking { [process, errorsDone] in
            process.waitUntilExit()
            _ = errorsDone.wait(timeout: .now() + 10)
            return process.terminationStatus
        }
    }

    /// Runs `qlstm ARGUMENTS` to completion.
    static func run(
        _ arguments: [String]
    ) async throws -> (status: Int32, standardOutput: String, standardError: String) {
        try checkBinary()
        return try await RawSocket.blocking {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let outData = output.fileHandleForReading.readDataToEndOfFile()
            let errData = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (
                process.terminationStatus, String(decoding: outData, as: UTF8.self),
                String(decoding: errData, as: UTF8.self)
            )
        }
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
