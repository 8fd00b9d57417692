import Cluster
import ClusterProtocol
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP socket for tests that must send what a `PeerConnection` never would (garbage,
/// truncated frames, lying length fields), or play a fake worker.
///
/// Every blocking call runs on a Dispatch thread, never on the cooperative pool the code under
/// test needs; reads time out after 20 s so a broken test fails instead of hanging.
final class RawSocket: Sendable {
    let descriptor: Int32

    init(descriptor: Int32) {
        self.descriptor = descriptor
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Connects to 127.0.0.1:`port`, from `source` (another loopback address plays another
    /// client machine) or the default address.
    static func connect(port: UInt16, from source: String? = nil) async throws -> RawSocket {
        try await blocking {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            if let source { try bind(descriptor, to: source) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard status == 0 else {
                Glibc.close(descriptor)
                throw TestFailure("connect to 127.0.0.1:\(port) failed: errno \(errno)")
            }
            return RawSocket(descriptor: descriptor)
        }
    }

    /// Binds `descriptor` to `address` with any port, before connecting.
    static func bind(_ descriptor: Int32, to address: String) throws {
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(address)
        let status = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else { throw TestFailure("bind to \(address) failed: errno \(errno)") }
    }

    func send(_ bytes: [UInt8]) async throws {
        try await Self.blocking { [descriptor] in
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes {
                    Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                guard sent > 0 else { throw TestFailure("send failed: errno \(errno)") }
                offset += sent
            }
        }
    }

    func send(_ message: Message, requestID: UInt64) async throws {
        try await send(FrameEncoder().encode(message, requestID: requestID))
    }

    /// Sends FIN: the peer sees the end of the stream but can still answer.
    func shutdownOutput() {
        Glibc.shutdown(descriptor, Int32(SHUT_WR))
    }

    func close() {
        Glibc.close(descriptor)
    }

    /// Reads until the peer closes (or resets) the connection, and decodes what arrived.
    /// - Returns: the frames in order, and whether the stream ended (rather than timing out).
    func readFramesUntilClosed() async throws -> (frames: [ReceivedFrame], closed: Bool) {
        try await Self.blocking { [descriptor] in
            var decoder = FrameDecoder()
            var frames: [ReceivedFrame] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count == 0 || (count < 0 && errno == ECONNRESET) { return (frames, true) }
                if count < 0 {
                    if errno == EINTR { continue }
                    return (frames, false)
                }
                decoder.append(buffer[0..<count])
                while let frame = try decoder.next() { frames.append(ReceivedFrame(frame.requestID, frame.message)) }
            }
        }
    }

    /// Reads exactly one frame.
    func readFrame(decoder: inout FrameDecoder) async throws -> ReceivedFrame {
        let (frame, updated) = try await Self.blocking { [descriptor, decoder] in
            var local = decoder
            var buffer = [UInt8](repeating: 0, count: 1)
            while true {
                if let frame = try local.next() { return (ReceivedFrame(frame.requestID, frame.message), local) }
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, 1, 0) }
                guard count > 0 else { throw TestFailure("the stream ended before a whole frame (errno \(errno))") }
                local.append(buffer[0..<count])
            }
        }
        decoder = updated
        return frame
    }

    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}

/// A decoded frame (a struct so it can be compared and printed in expectations).
struct ReceivedFrame: Sendable, Equatable, CustomStringConvertible {
    var requestID: UInt64
    var message: Message

    init(_ requestID: UInt64, _ message: Message) {
        self.requestID = requestID
        self.message = message
    }

    var description: String { "#\(requestID) \(message.type)" }
}

/// A listening socket on 127.0.0.1 for tests that play a worker.
final class RawListener: Sendable {
    let descriptor: Int32
    let port: UInt16
    private let isClosed = Atomic(false)

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 8) == 0
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw TestFailure("cannot listen on 127.0.0.1: errno \(errno)") }
        port = UInt16(bigEndian: address.sin_port)
    }

    func accept() async throws -> RawSocket {
        try await RawSocket.blocking { [descriptor] in
            let client = Glibc.accept(descriptor, nil, nil)
            guard client >= 0 else { throw TestFailure("accept failed: errno \(errno)") }
            return RawSocket(descriptor: client)
        }
    }

    /// Accepts the connection that `connect` makes. When `connect` fails, the waiting accept is
    /// woken (the listener closed) before the error is thrown, so the test cannot hang on it.
    func accept(
        whileConnecting connect: () async throws -> PeerConnection
    ) async throws -> (PeerConnection, RawSocket) {
        async let accepted = accept()
        let connection: PeerConnection
        do {
            connection = try await connect()
        } catch {
            close()
            _ = try? await accepted
            throw error
        }
        return (connection, try await accepted)
    }

    /// Wakes an `accept` still waiting (closing alone would leave its thread blocked, and a
    /// test awaiting it hung), then closes; once only, since the number may be reused.
    func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
        Glibc.close(descriptor)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
