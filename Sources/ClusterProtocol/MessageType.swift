/// The message type byte of a frame header.
///
/// Codes are grouped by role and never reused: 0x01-0x0F handshake, 0x10-0x1F requests
/// (coordinator to worker), 0x20-0x2F replies (worker to coordinator), 0x30-0x3F either way.
/// 0x00 is reserved so that a zeroed header is never a valid frame.
public enum MessageType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case hello = 0x01
    case authenticate = 0x02
    case welcome = 0x03
    case loadCircuits = 0x10
    case setParameters = 0x11
    case evaluate = 0x12
    case acknowledged = 0x20
    case result = 0x21
    case error = 0x22
    case ping = 0x30
    case pong = 0x31
    case goodbye = 0x32

    /// The exact payload length of a message whose payload has a fixed size, checked as soon as
    /// the header arrives.
    var fixedPayloadLength: Int? {
        switch self {
        case .acknowledged: 0
        case .ping, .pong: 8
        default: nil
        }
    }

    /// Whether the message carries bulk data (circuits, parameters, batches, results) and may use
    /// the full payload limit; every other message is held to the smaller control limit, so a peer
    /// cannot make the other buffer megabytes before it has even authenticated.
    public var carriesBulkData: Bool {
        switch self {
        case .loadCircuits, .setParameters, .evaluate, .result: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .hello: "hello"
        case .authenticate: "authenticate"
        case .welcome: "welcome"
        case .loadCircuits: "loadCircuits"
        case .setParameters: "setParameters"
        case .evaluate: "evaluate"
        case .acknowledged: "acknowledged"
        case .result: "result"
        case .error: "error"
        case .ping: "ping"
        case .pong: "pong"
        case .goodbye: "goodbye"
        }
    }
}
