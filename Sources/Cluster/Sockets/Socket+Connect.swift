#if canImport(Glibc)
import Glibc
#endif

extension Socket {
    /// Connects to `endpoint`, trying each of its addresses in turn until one answers, all
    /// within one `timeout`.
    ///
    /// Blocking (name resolution and `poll`): call it off the cooperative thread pool.
    /// The connect itself is non-blocking and waited for with `poll`, because a blocking
    /// `connect` to an unreachable host can hang for minutes (the kernel's SYN retries).
    /// - Returns: a connected, blocking socket with `TCP_NODELAY` set.
    /// - Throws: `ClusterError.addressResolution`, `.connectFailed` or `.connectTimedOut`.
    package static func connect(to endpoint: Endpoint, timeout: Duration) throws(ClusterError) -> Socket {
        let deadline = ContinuousClock.now + timeout
        let addresses = try SocketAddress.resolve(endpoint, passive: false)
        var lastError = ClusterError.connectFailed(endpoint, errno: ECONNREFUSED)
        for address in addresses {
            let socket = try makeStream(family: address.family)
            do throws(ClusterError) {
                try socket.connect(to: address, endpoint: endpoint, deadline: deadline, timeout: timeout)
                try socket.setNoDelay()
                return socket
            } catch {
                socket.close()
                lastError = error
                if case .connectTimedOut = error { break }
            }
        }
        throw lastError
    }

    /// One non-blocking connect, waited for with `poll` until `deadline`.
    private func connect(
        to address: SocketAddress,
        endpoint: Endpoint,
        deadline: ContinuousClock.Instant,
        timeout: Duration
    ) throws(ClusterError) {
        try setNonBlocking(true)
        let started = address.withSockaddr { pointer, length in Glibc.connect(descriptor, pointer, length) }
        if started != 0 {
            let code = errno
            // EINTR: the connect carries on in the background, as with EINPROGRESS (POSIX).
            guard code == EINPROGRESS || code == EINTR else { throw .connectFailed(endpoint, errno: code) }
            try waitUntilConnected(endpoint: endpoint, deadline: deadline, timeout: timeout)
        }
        try setNonBlocking(false)
    }

    private func waitUntilConnected(
        endpoint: Endpoint,
        deadline: ContinuousClock.Instant,
        timeout: Duration
    ) throws(ClusterError) {
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw .connectTimedOut(endpoint, after: timeout) }
            var request = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&request, 1, remaining.pollMilliseconds)
            if ready == -1 {
                let code = errno
                if code == EINTR { continue }
                throw .systemCall(call: "poll", errno: code)
            }
            if ready == 0 { continue }  // the loop head throws once the deadline has passed
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = try SystemCall.retrying("getsockopt(SO_ERROR)") {
                getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length)
            }
            guard failure == 0 else { throw .connectFailed(endpoint, errno: failure) }
            return
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded up (so a wait never ends early) and clamped to `poll`'s range.
    package var pollMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        guard !milliseconds.overflow else { return .max }
        let total = milliseconds.partialValue + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: total)
    }
}
