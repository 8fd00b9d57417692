/// The byte strings each side MACs during the handshake. The HMAC itself is computed by the
/// connection layer; this type only fixes what goes into it, so both sides and other-language
/// workers agree byte for byte.
///
/// Each proof starts with a distinct label, so a worker's proof can never be replayed as a
/// coordinator's (a reflection attack), and covers both nonces, so a proof from an earlier
/// connection is worthless. Over TLS it also covers the session's exported keying material
/// (`channelBinding`, PROTOCOL.md §7.1), so a relay that holds two TLS sessions, one with each
/// side, cannot pass the proofs from one to the other.
public enum AuthenticationTranscript {
    /// ASCII `QLSC/1 coordinator proof` (24 bytes).
    public static let coordinatorLabel: [UInt8] = Array("QLSC/1 coordinator proof".utf8)
    /// ASCII `QLSC/1 worker proof` (19 bytes).
    public static let workerLabel: [UInt8] = Array("QLSC/1 worker proof".utf8)

    /// What the coordinator MACs in `authenticate`: label, worker nonce, coordinator nonce,
    /// channel binding (24 + 32 + 32 = 88 bytes in plaintext, 120 over TLS).
    /// - Parameter channelBinding: the TLS exporter value, or empty without TLS.
    public static func coordinatorProof(
        workerNonce: AuthenticationNonce,
        coordinatorNonce: AuthenticationNonce,
        channelBinding: [UInt8] = []
    ) -> [UInt8] {
        coordinatorLabel + workerNonce.bytes + coordinatorNonce.bytes + channelBinding
    }

    /// What the worker MACs in `welcome`: label, coordinator nonce, worker nonce, channel
    /// binding (19 + 32 + 32 = 83 bytes in plaintext, 115 over TLS).
    /// - Parameter channelBinding: the TLS exporter value, or empty without TLS.
    public static func workerProof(
        workerNonce: AuthenticationNonce,
        coordinatorNonce: AuthenticationNonce,
        channelBinding: [UInt8] = []
    ) -> [UInt8] {
        workerLabel + coordinatorNonce.bytes + workerNonce.bytes + channelBinding
    }
}
