#if canImport(Glibc)
import Glibc
#endif

/// A TCP socket descriptor and the few calls the cluster (and the inference server, module
/// `HTTPServer`) makes on it, each retried on EINTR and turned into a `ClusterError` naming the
/// call (in the manner of FlyingFox's `Socket`).
///
/// A value type over a descriptor number: it does not close itself. Whoever owns it (a
/// `PeerConnection`, the worker's accept loop) decides when `close()` is safe, that is when no
/// other thread can still be inside a call on the same number.
package struct Socket: Sendable, Hashable {
    package let descriptor: Int32

    package init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// A new stream socket of `family`, closed on `exec` so worker processes started by a test or
    /// a launcher never inherit it.
    static func makeStream(family: Int32) throws(ClusterError) -> Socket {
        let descriptor = try SystemCall.retrying("socket") {
            Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        return Socket(descriptor: descriptor)
    }

    /// Sets an integer socket option.
    func setOption(level: Int32, name: Int32, value: Int32, _ label: String) throws(ClusterError) {
        var value = value
        _ = try SystemCall.retrying("setsockopt(\(label))") {
            setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Sends small frames at once instead of waiting to coalesce them (Nagle): a ping, a pong or
    /// a short reply must not sit 40 ms in a buffer.
    func setNoDelay() throws(ClusterError) {
        try setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1, "TCP_NODELAY")
    }

    /// Switches `O_NONBLOCK` on or off.
    func setNonBlocking(_ enabled: Bool) throws(ClusterError) {
        let flags = try SystemCall.retrying("fcntl(F_GETFL)") { fcntl(descriptor, F_GETFL) }
        let updated = enabled ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        _ = try SystemCall.retrying("fcntl(F_SETFL)") { fcntl(descriptor, F_SETFL, updated) }
    }

    /// Writes every byte, looping over partial sends.
    ///
    /// `MSG_NOSIGNAL` turns a write to a connection the peer has closed into `EPIPE` instead of
    /// a SIGPIPE that would kill the process.
    /// - Throws: `ClusterError.systemCall(call: "send", ...)`.
    package func send(_ bytes: [UInt8], from start: Int = 0) throws(ClusterError) {
        var offset = start
        while offset < bytes.count {
            let (sent, code) = bytes.withUnsafeBytes { buffer in
                SystemCall.retryingInterrupts {
                    Glibc.send(descriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                }
            }
            guard sent >= 0 else { throw .systemCall(call: "send", errno: code) }
            offset += sent
        }
    }

    /// Sends what the kernel takes at once from `bytes[offset...]`, without blocking.
    /// - Returns: the number of bytes taken: 0 when the send buffer is full (`EAGAIN`).
    /// - Throws: `ClusterError.systemCall(call: "send", ...)` for any other failure.
    package func sendWithoutBlocking(_ bytes: [UInt8], from offset: Int = 0) throws(ClusterError) -> Int {
        guard offset < bytes.count else { return 0 }
        let (sent, code) = bytes.withUnsafeBytes { buffer in
            SystemCall.retryingInterrupts {
                Glibc.send(
                    descriptor,
                    buffer.baseAddress! + offset,
                    buffer.count - offset,
                    Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)
                )
            }
        }
        if sent >= 0 { return sent }
        if code == EAGAIN || code == EWOULDBLOCK { return 0 }
        throw .systemCall(call: "send", errno: code)
    }

    /// Reads what is available into the start of `buffer`, blocking until at least one byte is.
    /// - Returns: the number of bytes read; 0 when the peer has closed its side.
    package func receive(into buffer: inout [UInt8]) throws(ClusterError) -> Int {
        let (count, code) = buffer.withUnsafeMutableBytes { raw in
            SystemCall.retryingInterrupts { Glibc.recv(descriptor, raw.baseAddress, raw.count, 0) }
        }
        guard count >= 0 else { throw .systemCall(call: "recv", errno: code) }
        return count
    }

    /// Shuts down both directions: sends FIN after the queued bytes and wakes any thread blocked
    /// in `recv` or `send` on this socket (the read returns 0, the write fails). Errors
    /// (`ENOTCONN` after a reset) mean there is nothing left to shut down, so they are ignored.
    package func shutdown() {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Shuts down the sending direction only: the peer reads what was sent, then end of stream,
    /// while this side can still read its answer.
    package func shutdownOutput() {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Releases the descriptor. Never retried on EINTR: on Linux the descriptor is released
    /// even then, and a retry could close a number another thread has just been given.
    package func close() {
        _ = Glibc.close(descriptor)
    }

    /// The address at the other end, or `nil` once the connection is gone.
    package var peerAddress: SocketAddress? {
        var address = SocketAddress()
        let status = withUnsafeMutableBytes(of: &address.storage) { raw in
            getpeername(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &address.length)
        }
        return status == 0 ? address : nil
    }

    /// The local address (the bound port after binding port 0).
    package var localAddress: SocketAddress? {
        var address = SocketAddress()
        let status = withUnsafeMutableBytes(of: &address.storage) { raw in
            getsockname(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &address.length)
        }
        return status == 0 ? address : nil
    }
}
