import COpenSSL

#if canImport(Glibc)
import Glibc
#endif

/// The key coordinator and workers share to prove to each other who they are
/// (PROTOCOL.md §7: HMAC-SHA256 over both nonces).
///
/// Its bytes never appear in a description, a log line or an error.
public struct SharedSecret: Sendable, CustomStringConvertible {
    /// The most a secret file may hold; a secret is a few dozen bytes, so more is a wrong path.
    public static let maxFileBytes = 64 << 10
    /// The fewest bytes a secret file may hold. Every handshake shows both nonces and a MAC of
    /// them, so whoever records one can test guesses offline as fast as they can compute
    /// HMAC-SHA256: a short secret is found. `qlstm secret generate` writes 32 random bytes.
    public static let minimumByteCount = 16

    let bytes: [UInt8]

    /// A secret from bytes in memory, for tests and for callers that hold a key already; unlike
    /// a secret file, it is not held to `minimumByteCount`.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads a secret file: its bytes, without one trailing newline (so `echo` and editors that
    /// add one produce the same key as `printf`).
    ///
    /// The file is refused when others may read it (a secret that every user of the machine can
    /// read protects nothing) and when it is too short to resist guessing.
    /// - Throws: `ClusterError.invalidSecretFile` when the file is missing, not a regular
    ///   file, readable by group or others (mode & 0o077 != 0), shorter than
    ///   `minimumByteCount`, or over 64 KiB.
    public init(contentsOfFile path: String) throws(ClusterError) {
        func refuse(_ reason: String) -> ClusterError { .invalidSecretFile(path: path, reason: reason) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw refuse("cannot open it: \(ClusterError.errnoText(errno)); check the path")
        }
        defer { close(descriptor) }
        // fstat on the open descriptor: the file checked is the file read.
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw refuse("cannot read its permissions: \(ClusterError.errnoText(errno))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw refuse("it is not a regular file") }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw refuse(
                "other users may read it (mode \(String(mode, radix: 8))): run 'chmod 600 \(path)'"
            )
        }
        guard Int(status.st_size) <= Self.maxFileBytes else {
            throw refuse("it holds \(status.st_size) bytes, more than a secret needs (at most \(Self.maxFileBytes))")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= Self.maxFileBytes {
            let (count, code) = chunk.withUnsafeMutableBytes { raw in
                SystemCall.retryingInterrupts { read(descriptor, raw.baseAddress, raw.count) }
            }
            guard count >= 0 else { throw refuse("cannot read it: \(ClusterError.errnoText(code))") }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        guard bytes.count <= Self.maxFileBytes else {
            throw refuse("it holds more than \(Self.maxFileBytes) bytes, more than a secret needs")
        }
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        guard !bytes.isEmpty else {
            throw refuse("it is empty: write a secret with 'qlstm secret generate FILE'")
        }
        guard bytes.count >= Self.minimumByteCount else {
            throw refuse(
                "it holds \(bytes.count) bytes, fewer than the \(Self.minimumByteCount) a secret needs: write a strong one with 'qlstm secret generate FILE'"
            )
        }
        self.bytes = bytes
    }

    public var description: String { "SharedSecret(\(bytes.count) bytes, redacted)" }

    /// HMAC-SHA256 of `message` keyed with this secret (32 bytes).
    public func authenticationCode(for message: [UInt8]) -> [UInt8] {
        var code = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let succeeded = bytes.withUnsafeBytes { key in
            message.withUnsafeBufferPointer { data in
                code.withUnsafeMutableBufferPointer { output in
                    // A non-null key pointer even for an empty key: OpenSSL refuses NULL.
                    let keyPointer = key.baseAddress ?? UnsafeRawPointer(output.baseAddress!)
                    return HMAC(
                        EVP_sha256(),
                        keyPointer,
                        Int32(key.count),
                        data.baseAddress,
                        data.count,
                        output.baseAddress,
                        &length
                    ) != nil
                }
            }
        }
        // HMAC fails only without memory or without SHA-256, neither recoverable here.
        precondition(succeeded && length == 32, "OpenSSL's HMAC-SHA256 failed")
        return Array(code.prefix(Int(length)))
    }

    /// Whether `code` is the HMAC of `message` under this secret, compared in constant time so
    /// that the time taken reveals nothing about how many leading bytes matched.
    public func isValid(_ code: [UInt8], for message: [UInt8]) -> Bool {
        Self.constantTimeEquals(code, authenticationCode(for: message))
    }

    /// Compares every byte whatever the differences; only the lengths (which are public) may
    /// end the comparison early.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
