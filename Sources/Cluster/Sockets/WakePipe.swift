#if canImport(Glibc)
import Glibc
#endif

/// A pipe that wakes a thread blocked in `poll`: one byte written to `signal()` makes the read
/// end readable.
///
/// A class so that both ends live exactly as long as the last holder (the server and its
/// accept thread): a signal can then never reach a closed, or worse reused, descriptor, and a
/// write never meets a pipe without a reader (SIGPIPE).
package final class WakePipe: Sendable {
    /// Poll this end for `POLLIN`.
    package let reader: Int32
    private let writer: Int32

    package init() throws(ClusterError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw .systemCall(call: "pipe", errno: errno) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        // A full pipe is already a pending signal; never block the caller.
        _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)
        reader = ends[0]
        writer = ends[1]
    }

    deinit {
        close(reader)
        close(writer)
    }

    /// Makes `reader` readable (and keeps it so: the byte is never consumed).
    package func signal() {
        var byte: UInt8 = 1
        _ = write(writer, &byte, 1)
    }
}
