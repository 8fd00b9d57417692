import ClusterProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP client socket to the worker under test, for bytes no well-behaved peer would
/// send. Every call is bounded in time (send and receive timeouts), so a worker that stops
/// reading or answering can never hang the fuzzer itself: hangs are judged by the health check.
final class FuzzSocket {
    let descriptor: Int32
    private var decoder = FrameDecoder()

    /// Connects to 127.0.0.1:`port`; `nil` when the connection is refused or times out.
    init?(port: UInt16, timeout: timeval = timeval(tv_sec: 2, tv_usec: 0)) {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var timeout = timeout
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
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
            return nil
        }
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// Sends what the worker takes within the send timeout; `false` once it stops taking bytes
    /// or the connection is gone.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    func send(_ message: Message, requestID: UInt64) -> Bool {
        send(FrameEncoder().encode(message, requestID: requestID))
    }

    /// The next frame, or `nil` when the stream ends, breaks, times out or is not a valid frame.
    func receive() -> (requestID: UInt64, message: Message)? {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            do {
                if let frame = try decoder.next() { return frame }
            } catch {
                return nil
            }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            decoder.append(buffer[0..<count])
        }
    }

    /// Reads and drops whatever arrives until the worker closes or `seconds` pass.
    func drain(for seconds: Double) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) { return }
        }
    }

    /// Sends FIN but keeps reading: a half-open connection.
    func closeOutput() {
        Glibc.shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Makes the close a reset (RST) instead of a FIN.
    func resetOnClose() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }
}
