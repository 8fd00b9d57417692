/// 32 random bytes that make each handshake's MACs unique, so a recorded handshake cannot be
/// replayed.
///
/// A value always holds exactly 32 bytes, so the encoder never has to handle another length.
public struct AuthenticationNonce: Sendable, Hashable, CustomStringConvertible {
    public static let byteCount = 32

    /// The 32 bytes.
    public let bytes: [UInt8]

    /// Wraps 32 bytes; `nil` for any other length.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = Array(bytes)
    }

    /// A nonce drawn from `generator`. Use `SystemRandomNumberGenerator` (the operating system's
    /// cryptographic source) for real handshakes; seeded generators are for tests.
    public static func random(using generator: inout some RandomNumberGenerator) -> AuthenticationNonce {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount)
        for _ in 0..<(byteCount / 8) {
            let word = generator.next()
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return AuthenticationNonce(bytes)!
    }

    /// All zeros: for a peer that does not authenticate (its nonce is never used).
    public static let zero = AuthenticationNonce([UInt8](repeating: 0, count: byteCount))!

    public var description: String { bytes.hexDescription }
}
