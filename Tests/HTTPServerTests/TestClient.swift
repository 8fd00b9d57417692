import Cluster
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A plain HTTP client for tests: sends exactly the bytes it is given (partial heads,
/// pipelined requests) and reads responses by their `Content-Length`.
///
/// Blocking calls run on Dispatch threads, never on the cooperative pool that the server's
/// handler needs; reads time out after 10 s so that a broken test fails instead of hanging.
final class TestClient: Sendable {
    struct Response: Sendable {
        let status: Int
        /// Lower-cased names.
        let headers: [String: String]
        let body: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let socket: Socket
    private let buffer = Mutex<[UInt8]>([])

    private init(socket: Socket) {
        self.socket = socket
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket.descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { socket.close() }

    /// Connects and, in the same breath (no hop between threads, however loaded the machine),
    /// sends `text`.
    static func connect(port: UInt16, sending text: String = "") async throws -> TestClient {
        try await blocking {
            let socket = try Socket.connect(to: Endpoint(host: "127.0.0.1", port: port), timeout: .seconds(5))
            if !text.isEmpty { try socket.send(Array(text.utf8)) }
            return TestClient(socket: socket)
        }
    }

    func send(_ text: String) async throws {
        let bytes = Array(text.utf8)
        try await Self.blocking { [socket] in try socket.send(bytes) }
    }

    /// The next response; `nil` when the server closes the connection before one.
    func response() async throws -> Response? {
        try await Self.blocking { [self] in
            guard let headEnd = try fill(until: { bytes in Self.find(Array("\r\n\r\n".utf8), in: bytes) }) else {
                return nil
            }
            let head = buffer.withLock { String(decoding: $0[..<headEnd], as: UTF8.self) }
            var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
                throw Failure(description: "bad status line in \(head)")
            }
            var headers: [String: String] = [:]
            for line in lines {
                let parts = line.split(separator: ":", maxSplits: 1)
                headers[parts[0].lowercased()] = parts.count > 1 ? String(parts[1].drop { $0 == " " }) : ""
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            guard try fill(until: { $0.count >= headEnd + 4 + length ? 0 : nil }) != nil else {
                throw Failure(description: "the connection closed inside a body")
            }
            let body = buffer.withLock { bytes in
                defer { bytes.removeFirst(headEnd + 4 + length) }
                return String(decoding: bytes[(headEnd + 4)..<(headEnd + 4 + length)], as: UTF8.self)
            }
            return Response(status: status, headers: headers, body: body)
        }
    }

    /// Whether the server has closed the connection (reads until the end of the stream).
    func isClosedByServer() async throws -> Bool {
        try await Self.blocking { [self] in try fill(until: { _ in nil }) == nil }
    }

    /// Reads until `done` finds what it needs in the buffer; `nil` at the end of the stream.
    private func fill(until done: ([UInt8]) -> Int?) throws -> Int? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let found = buffer.withLock({ done($0) }) { return found }
            let count = chunk.withUnsafeMutableBytes { recv(socket.descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 || (count < 0 && errno == ECONNRESET) { return nil }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "recv failed or timed out: errno \(errno)")
            }
            buffer.withLock { $0 += chunk[0..<count] }
        }
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle }
    }

    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}
