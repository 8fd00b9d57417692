/// The largest sizes a peer accepts; every length and count on the wire is checked against one
/// of these before anything is allocated.
///
/// The defaults are part of protocol version 1: a sender keeps every message within them and a
/// receiver accepts everything within them. A receiver may be stricter (see `forHandshake`); a
/// deployment that raises a limit must raise it on both sides.
///
/// The defaults follow from the emulator's ranges: at most 25 qubits (so at most 25 inputs and
/// 25 measured wires), depth at most 30 and 3 angles per wire (so at most 2,250 parameters).
public struct ProtocolLimits: Sendable, Hashable {
    /// Payload bytes of a bulk message (`loadCircuits`, `setParameters`, `evaluate`, `result`).
    /// Default 64 MiB: a batch of a few thousand items with Jacobians fits with room to spare.
    public var maxPayloadBytes: Int = 64 << 20
    /// Payload bytes of every other message. Default 64 KiB, which bounds what an
    /// unauthenticated peer can make the other side buffer.
    public var maxControlPayloadBytes: Int = 64 << 10
    /// UTF-8 bytes of any string (names, versions, circuit ids, error messages). Default 4,096.
    public var maxStringBytes: Int = 4096
    /// Bytes of a MAC. Default 64 (HMAC-SHA256 needs 32).
    public var maxMACBytes: Int = 64
    /// Circuits in one `loadCircuits`, and parameter vectors in one `setParameters`. Default 1,024.
    public var maxCircuits: Int = 1024
    /// Parameters of one circuit. Default 4,096 (a sub-VQC has at most 30 x 25 x 3 = 2,250).
    public var maxParametersPerCircuit: Int = 4096
    /// Items in one `evaluate`, and evaluations in one `result`. Default 65,536.
    public var maxItemsPerBatch: Int = 65_536
    /// Inputs of one item. Default 25, one per qubit of the widest circuit.
    public var maxInputsPerItem: Int = 25
    /// Outputs of one evaluation, and measured wires of one circuit. Default 25.
    public var maxOutputsPerEvaluation: Int = 25
    /// Entries of one parameter Jacobian. Default 102,400 (25 outputs x 4,096 parameters).
    public var maxParameterJacobianLength: Int = 102_400
    /// Entries of one input Jacobian. Default 625 (25 outputs x 25 inputs).
    public var maxInputJacobianLength: Int = 625
    /// Shots per circuit evaluation. Default 16,777,216 (2^24).
    public var maxShots: Int = 1 << 24
    /// Slot usage entries in one `result`. Default 1,024.
    public var maxSlotUsages: Int = 1024

    /// The version 1 limits.
    public init() {}

    /// The version 1 limits.
    public static let standard = ProtocolLimits()

    /// These limits with bulk messages held to the control limit: for a connection that has not
    /// finished its handshake, which has no reason to receive megabytes yet.
    public var forHandshake: ProtocolLimits {
        var limits = self
        limits.maxPayloadBytes = min(maxPayloadBytes, maxControlPayloadBytes)
        return limits
    }

    /// The largest payload a frame of `type` may announce.
    public func maxPayloadBytes(for type: MessageType) -> Int {
        type.carriesBulkData ? maxPayloadBytes : min(maxPayloadBytes, maxControlPayloadBytes)
    }
}
