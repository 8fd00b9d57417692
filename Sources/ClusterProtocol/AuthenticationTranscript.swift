/// The byte strings each side MACs during the handshake. The HMAC itself is computed by the
/// connection layer; this type only fixes what goes into it, so both sides and other-language
/// workers agree byte for byte.
///
/// Each proof starts with a distinct label, so a worker's proof can never be replayed as a
/// coordinator's (a reflection attack), and covers both nonces, so a proof from an earlier
/// connection is worthless.
public enum AuthenticationTranscript {
    /// ASCII `QLSC/1 coordinator proof` (24 bytes).
    public static let coordinatorLabel: [UInt8] = Array("QLSC/1 coordinator proof".utf8)
    /// ASCII `QLSC/1 worker proof` (19 bytes).
    public static let workerLabel: [UInt8] = Array("QLSC/1 worker proof".utf8)

    /// What the coordinator MACs in `authenticate`: label, worker nonce, coordinator nonce
    /// (24 + 32 + 32 = 88 bytes).
    public static func coordinatorProof(
        workerNonce: AuthenticationNonce,
        coordinatorNonce: AuthenticationNonce
    ) -> [UInt8] {
        coordinatorLabel + workerNonce.bytes + coordinatorNonce.bytes
    }

    /// What the worker MACs in `welcome`: label, coordinator nonce, worker nonce
    /// (19 + 32 + 32 = 83 bytes).
    public static func workerProof(
        workerNonce: AuthenticationNonce,
        coordinatorNonce: AuthenticationNonce
    ) -> [UInt8] {
        workerLabel + coordinatorNonce.bytes + workerNonce.bytes
    }
}
