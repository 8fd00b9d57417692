import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX calls the file writers need, with EINTR retried and errno turned into text.
enum SystemCall {
    /// The current errno as the system's message ("Permission denied").
    static var errorText: String {
        String(cString: strerror(errno))
    }

    /// Writes all of `data` to `descriptor`, continuing after partial writes and interrupts.
    /// - Returns: nil on success, the errno message otherwise.
    static func writeAll(_ data: Data, to descriptor: Int32) -> String? {
        data.withUnsafeBytes { buffer -> String? in
            guard var pointer = buffer.baseAddress else { return nil }
            var remaining = buffer.count
            while remaining > 0 {
                let written = write(descriptor, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errorText
                }
                pointer += written
                remaining -= written
            }
            return nil
        }
    }

    /// `open(2)` retried on EINTR; -1 leaves errno set.
    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) -> Int32 {
        while true {
            #if canImport(Darwin)
            let descriptor = Darwin.open(path, flags, mode)
            #elseif canImport(Musl)
            let descriptor = Musl.open(path, flags, mode)
            #else
            let descriptor = Glibc.open(path, flags, mode)
            #endif
            if descriptor >= 0 || errno != EINTR { return descriptor }
        }
    }

    /// `fsync(2)` retried on EINTR; nil on success, the errno message otherwise.
    static func sync(_ descriptor: Int32) -> String? {
        while fsync(descriptor) != 0 {
            if errno != EINTR { return errorText }
        }
        return nil
    }
}
