#if canImport(Glibc)
import Glibc
#endif

/// Runs system calls the way swift-system's `valueOrErrno(retryOnInterrupt:)` does: a call
/// interrupted by a signal (EINTR) is simply made again, and any other -1 becomes a typed error
/// that names the call, so a failure says which syscall broke and why.
///
/// A worker installs signal handlers (SIGTERM for a graceful stop), so EINTR is a normal event
/// here, not an error.
package enum SystemCall {
    /// Calls `body` until it returns something other than -1 with `errno == EINTR`.
    /// - Parameter name: the call's name, for the error (`"socket"`, `"accept4"`).
    /// - Returns: the first result that is not -1.
    /// - Throws: `ClusterError.systemCall(call: name, errno:)` for any other failure.
    static func retrying<Result: FixedWidthInteger>(
        _ name: String,
        _ body: () -> Result
    ) throws(ClusterError) -> Result {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            throw .systemCall(call: name, errno: code)
        }
    }

    /// Names the calling thread as `top -H`, `ps -L` and `perf` show it (Linux keeps 15 bytes;
    /// `Thread.name` does not reach the kernel). Best effort: a failure only loses the name.
    package static func nameCurrentThread(_ name: String) {
        // `pthread_setname_np` and `prctl` are not importable; the proc file is the same call.
        let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// Like `retrying(_:_:)`, but hands back the errno instead of throwing, for callers that
    /// turn particular codes into their own errors (`EINPROGRESS`, `EAGAIN`, `EADDRINUSE`).
    static func retryingInterrupts<Result: FixedWidthInteger>(_ body: () -> Result) -> (result: Result, errno: Int32) {
        while true {
            let result = body()
            if result != -1 { return (result, 0) }
            let code = errno
            if code == EINTR { continue }
            return (result, code)
        }
    }
}
