#if canImport(Glibc)
import Glibc
#endif

extension Socket {
    /// A listening socket bound to `endpoint` (port 0: a free port the kernel picks).
    ///
    /// `SO_REUSEADDR` lets a restarted worker bind its port again at once instead of failing
    /// while the old connections sit in TIME_WAIT. The socket is non-blocking, so an accept
    /// loop woken by `poll` never blocks on a connection that vanished in between.
    /// - Throws: `ClusterError.addressResolution` or `.listenFailed` (such as address in use).
    package static func listen(on endpoint: Endpoint, backlog: Int32 = 128) throws(ClusterError) -> Socket {
        let addresses = try SocketAddress.resolve(endpoint, passive: true)
        var lastError = ClusterError.listenFailed(endpoint, errno: EADDRNOTAVAIL)
        for address in addresses {
            let socket = try makeStream(family: address.family)
            do throws(ClusterError) {
                try socket.setOption(level: SOL_SOCKET, name: SO_REUSEADDR, value: 1, "SO_REUSEADDR")
                let (_, bindError) = SystemCall.retryingInterrupts {
                    address.withSockaddr { pointer, length in bind(socket.descriptor, pointer, length) }
                }
                guard bindError == 0 else { throw ClusterError.listenFailed(endpoint, errno: bindError) }
                let (_, listenError) = SystemCall.retryingInterrupts { Glibc.listen(socket.descriptor, backlog) }
                guard listenError == 0 else { throw ClusterError.listenFailed(endpoint, errno: listenError) }
                try socket.setNonBlocking(true)
                return socket
            } catch {
                socket.close()
                lastError = error
            }
        }
        throw lastError
    }

    /// Accepts one pending connection.
    ///
    /// The new descriptor is marked close-on-exec at once (the Glibc module does not export
    /// `accept4`), so a process spawned later does not inherit it.
    /// - Returns: a blocking socket with `TCP_NODELAY` set, or `nil` when no connection is
    ///   pending any more, or the one that was has already been reset by its client.
    /// - Throws: `ClusterError.systemCall(call: "accept", ...)` for anything else (such as
    ///   `EMFILE`, out of descriptors); the caller logs it and keeps listening.
    package func accept() throws(ClusterError) -> Socket? {
        let (descriptor, code) = SystemCall.retryingInterrupts { Glibc.accept(self.descriptor, nil, nil) }
        guard descriptor != -1 else {
            if code == EAGAIN || code == EWOULDBLOCK || code == ECONNABORTED || code == EPROTO { return nil }
            throw .systemCall(call: "accept", errno: code)
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        let socket = Socket(descriptor: descriptor)
        // Accepted sockets do not inherit O_NONBLOCK on Linux, but other systems differ.
        try? socket.setNonBlocking(false)
        // A client that resets at once makes this fail; the first recv reports it properly.
        try? socket.setNoDelay()
        return socket
    }
}
