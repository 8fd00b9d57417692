import Cluster
import ClusterProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The `qlstm worker` process under test, and the three ways it can fail: it exits, it stops
/// answering, or its memory grows past a bound.
final class FuzzedWorker: Sendable {
    let process: Process
    let port: UInt16
    let secret: SharedSecret
    /// Where the worker's standard error goes, kept when the fuzzer fails.
    let logPath: String

    /// Starts `binary worker --listen 127.0.0.1:0 ARGUMENTS`, its log going to `logPath`, and
    /// waits for its port.
    init(binary: String, arguments: [String], secret: SharedSecret, logPath: String) throws(FuzzFailure) {
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["worker", "--listen", "127.0.0.1:0"] + arguments
        let output = Pipe()
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
            let errors = FileHandle(forWritingAtPath: logPath)
        else { throw FuzzFailure("cannot create \(logPath)") }
        process.standardOutput = output
        process.standardError = errors
        self.logPath = logPath
        do {
            try process.run()
        } catch {
            throw FuzzFailure("cannot start \(binary): \(error)")
        }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard text.hasPrefix("listening on 127.0.0.1:"),
            let port = UInt16(text.dropFirst("listening on 127.0.0.1:".count))
        else {
            process.terminate()
            throw FuzzFailure("the worker printed '\(text)' instead of 'listening on 127.0.0.1:PORT'")
        }
        self.port = port
        self.secret = secret
    }

    var processIdentifier: Int32 { process.processIdentifier }

    /// The worker's last log line.
    var lastLogLine: String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").last.map(String.init) ?? "none"
    }

    /// Throws when the worker has exited.
    func checkAlive() throws(FuzzFailure) {
        guard !process.isRunning else { return }
        let how =
            process.terminationReason == .uncaughtSignal
            ? "was killed by signal \(process.terminationStatus)" : "exited with status \(process.terminationStatus)"
        throw FuzzFailure("crash: the worker \(how); its last log line: \(lastLogLine)")
    }

    /// Connects as a coordinator that knows the secret and times a ping: throws when the
    /// handshake and the pong together take longer than `deadline`.
    func checkAnswers(within deadline: Duration) async throws(FuzzFailure) {
        let clock = ContinuousClock()
        let start = clock.now
        let answered: Bool
        do {
            answered = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { [port, secret] in
                    let connection = try await PeerConnection.connect(
                        to: Endpoint(host: "127.0.0.1", port: port),
                        timeout: deadline
                    )
                    defer { connection.close() }
                    _ = try await Handshake.coordinator(connection, secret: secret, timeout: deadline)
                    try await connection.send(.ping(nonce: 42), requestID: 1)
                    while let frame = try await connection.receive() {
                        if frame.message == .pong(nonce: 42) { return true }
                    }
                    return false
                }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    return false
                }
                defer { group.cancelAll() }
                return try await group.next() ?? false
            }
        } catch {
            throw FuzzFailure("hang: a fresh authenticated client failed after \(clock.now - start): \(error)")
        }
        guard answered else {
            try checkAlive()
            throw FuzzFailure("hang: the worker did not answer a fresh authenticated client's ping within \(deadline)")
        }
    }

    /// The worker's resident memory now (`VmRSS`), in bytes.
    func residentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kibibytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kibibytes << 10
    }

    /// Stops the worker with SIGTERM and requires a clean exit within `timeout`.
    func stop(within timeout: Double) throws(FuzzFailure) {
        try checkAlive()
        Glibc.kill(processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else {
            Glibc.kill(processIdentifier, SIGKILL)
            throw FuzzFailure("hang: the worker did not stop within \(Int(timeout)) s of SIGTERM")
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw FuzzFailure("the worker stopped with status \(process.terminationStatus) after SIGTERM")
        }
    }

    /// Kills the worker (on failure, so that it does not outlive the fuzzer).
    func kill() {
        if process.isRunning { Glibc.kill(processIdentifier, SIGKILL) }
    }
}

/// What the fuzzer found: one line, printed before a non-zero exit.
struct FuzzFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
