#if canImport(Glibc)
import Glibc
#endif

extension SharedSecret {
    /// Random bytes in a new secret: 256 bits, the strength of HMAC-SHA256's key.
    public static let generatedByteCount = 32

    /// Writes a new random secret to a new file: 32 bytes from the system's cryptographic
    /// generator (`getrandom`), as 64 hex digits and a newline, mode 600.
    ///
    /// An existing file is never replaced: overwriting a deployed secret would lock every
    /// coordinator out, so the file is created with `O_EXCL`.
    /// - Throws: `ClusterError.invalidSecretFile` when the file exists or cannot be written.
    public static func generate(atPath path: String) throws(ClusterError) {
        func refuse(_ reason: String) -> ClusterError { .invalidSecretFile(path: path, reason: reason) }
        var generator = SystemRandomNumberGenerator()
        let hex = (0..<generatedByteCount).map { _ in
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            return String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }.joined()
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            throw refuse(
                code == EEXIST
                    ? "it already exists and was left as it is: remove it first or choose another path"
                    : "cannot create it: \(ClusterError.errnoText(code))"
            )
        }
        defer { close(descriptor) }
        // The mode given to open() is reduced by the umask; a secret is owner-only whatever it is.
        _ = fchmod(descriptor, 0o600)
        let bytes = Array((hex + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let (written, code) = bytes.withUnsafeBytes { raw in
                SystemCall.retryingInterrupts { write(descriptor, raw.baseAddress! + offset, raw.count - offset) }
            }
            guard written > 0 else {
                unlink(path)
                throw refuse("cannot write it: \(ClusterError.errnoText(code))")
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            let code = errno
            unlink(path)
            throw refuse("cannot write it: \(ClusterError.errnoText(code))")
        }
    }
}
