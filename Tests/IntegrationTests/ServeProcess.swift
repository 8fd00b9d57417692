import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A `qlstm serve` process on 127.0.0.1 and a free port; its log (standard error) goes to a
/// file the test reads.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let port: UInt16
    let logURL: URL

    struct DidNotStart: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `qlstm serve --listen LISTEN` with `arguments` and waits for its `listening on`
    /// line.
    init(_ arguments: [String], in directory: URL, listen: String = "127.0.0.1:0") throws {
        try QlstmBinary.checkBinary()
        logURL = directory.appendingPathComponent("serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.executableURL = QlstmBinary.url
        process.arguments = ["serve", "--listen", listen] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: logURL)
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening on "), let last = text.split(separator: "\n").first?.split(separator: ":").last,
            let port = UInt16(last)
        else {
            process.waitUntilExit()
            throw DidNotStart(
                description:
                    "qlstm serve did not start: \(text) \(String(decoding: (try? Data(contentsOf: logURL)) ?? Data(), as: UTF8.self))"
            )
        }
        self.port = port
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// What the server has logged so far.
    var log: String { String(decoding: (try? Data(contentsOf: logURL)) ?? Data(), as: UTF8.self) }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Sends SIGTERM and waits up to `seconds` for the exit.
    ///
    /// The default is a hang detector, not a speed target: a graceful stop takes milliseconds,
    /// but once, with two full test runs and a release build sharing the 2 cores, a server took
    /// longer than 10 s to be scheduled through its exit.
    /// - Returns: the exit status, or `nil` (after SIGKILL) when it did not exit in time.
    func terminate(within seconds: Double = 30) -> Int32? {
        signal(SIGTERM)
        return waitForExit(within: seconds)
    }

    /// Waits up to `seconds` for the process to exit.
    /// - Returns: the exit status, or `nil` (after SIGKILL) when it did not exit in time.
    func waitForExit(within seconds: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Waits up to `seconds` for the log to contain `text`.
    func waitForLog(_ text: String, seconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if log.contains(text) { return true }
            usleep(50_000)
        }
        return false
    }
}

/// A blocking HTTP/1.1 client on a plain socket (independent of the server's own socket
/// code): keeps its connection alive between requests and reads responses by Content-Length.
/// Reads time out after 60 s so that a broken server fails the test instead of hanging it.
final class HTTPClient {
    struct Response {
        let status: Int
        /// Lower-cased names.
        let headers: [String: String]
        let body: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let descriptor: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            close(descriptor)
            throw Failure(description: "connect to 127.0.0.1:\(port) failed: errno \(errno)")
        }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    /// Sends one request and reads its response (`nil` if the server closed first).
    func request(
        _ method: String,
        _ path: String,
        body: String? = nil,
        headers: [String: String] = [:]
    ) throws -> Response? {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: test\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        try send(text)
        return try response()
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw Failure(description: "send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// The next response; `nil` when the server closes the connection before one.
    func response() throws -> Response? {
        guard let headEnd = try fill(until: { Self.headEnd(in: $0) }) else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ")[1]) else {
            throw Failure(description: "bad status line: \(head)")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers[parts[0].lowercased()] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard try fill(until: { $0.count >= headEnd + 4 + length ? 0 : nil }) != nil else {
            throw Failure(description: "the connection closed inside a body")
        }
        let body = String(decoding: buffer[(headEnd + 4)..<(headEnd + 4 + length)], as: UTF8.self)
        buffer.removeFirst(headEnd + 4 + length)
        return Response(status: status, headers: headers, body: body)
    }

    /// Whether the server closed the connection (reads to the end of the stream).
    func isClosedByServer() throws -> Bool {
        try fill(until: { _ in nil }) == nil
    }

    private func fill(until done: ([UInt8]) -> Int?) throws -> Int? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let found = done(buffer) { return found }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 || (count < 0 && errno == ECONNRESET) { return nil }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "recv failed or timed out: errno \(errno)")
            }
            buffer += chunk[0..<count]
        }
    }

    private static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return (0...(bytes.count - 4)).first {
            bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10
        }
    }
}

extension HTTPClient.Response {
    /// The message of a `{"error": "..."}` body, unescaped.
    var errorMessage: String {
        let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return object?["error"] as? String ?? ""
    }

    /// The numbers of `{"predictions": [...]}` as the server wrote them.
    var predictionTexts: [String] {
        guard let open = body.firstIndex(of: "["), let close = body.lastIndex(of: "]") else { return [] }
        return body[body.index(after: open)..<close].split(separator: ",").map(String.init)
    }
}
