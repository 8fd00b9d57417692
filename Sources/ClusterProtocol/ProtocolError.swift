/// Everything the codec can refuse, with enough detail to tell which peer and which field is at
/// fault.
///
/// A `FrameDecoder` that throws one of these has failed for good: answer with an `error` frame
/// carrying `errorCode` and `description`, then close the connection.
public enum ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The stream does not start with `QLSC`: the peer speaks another protocol (or the stream
    /// lost its frame boundaries).
    case badMagic([UInt8])
    /// The frame is of another protocol version than `ProtocolVersion.current`.
    case unsupportedVersion(UInt16)
    /// The message type byte is not defined in this version.
    case unknownMessageType(UInt8)
    /// The reserved flags byte is not 0.
    case unsupportedFlags(UInt8)
    /// The header announces a payload longer than the limit for its message type; refused before
    /// any of the payload is read.
    case frameTooLarge(length: Int, limit: Int)
    /// A field needs more bytes than the payload has left.
    case truncatedPayload(what: String, needed: Int, remaining: Int)
    /// The payload is longer than the message it holds.
    case trailingBytes(message: MessageType, count: Int)
    /// A count or length inside the payload is above a `ProtocolLimits` value.
    case limitExceeded(what: String, count: Int, limit: Int)
    /// A field holds a value that is not allowed: an unknown enum code, a boolean other than 0 or
    /// 1, invalid UTF-8, a circuit that `SubVQC.init` refuses.
    case invalidValue(what: String, reason: String)

    /// The wire code to answer this failure with.
    public var errorCode: ErrorCode {
        switch self {
        case .badMagic, .unsupportedFlags, .truncatedPayload, .trailingBytes: .malformedFrame
        case .unsupportedVersion: .unsupportedVersion
        case .unknownMessageType: .unknownMessage
        case .frameTooLarge: .frameTooLarge
        case .limitExceeded: .limitExceeded
        case .invalidValue: .badRequest
        }
    }

    public var description: String {
        switch self {
        case .badMagic(let bytes):
            "the stream starts with \(bytes.hexDescription), not QLSC (51 4C 53 43): the peer is not a QLSTM Cluster peer"
        case .unsupportedVersion(let version):
            "the peer speaks protocol version \(version) but this build speaks \(ProtocolVersion.current): run the same qlstm version on coordinator and workers"
        case .unknownMessageType(let type):
            "message type 0x\(type.hexDigits) is not defined in protocol version \(ProtocolVersion.current)"
        case .unsupportedFlags(let flags):
            "the frame's flags byte is 0x\(flags.hexDigits), but version \(ProtocolVersion.current) defines no flags (it must be 0)"
        case .frameTooLarge(let length, let limit):
            "a frame announces \(length) payload bytes, above the limit of \(limit): send smaller batches or raise the limit on both sides"
        case .truncatedPayload(let what, let needed, let remaining):
            "\(what) needs \(needed) bytes but only \(remaining) remain in the payload"
        case .trailingBytes(let message, let count):
            "a \(message) payload has \(count) bytes after its last field"
        case .limitExceeded(let what, let count, let limit):
            "\(what) has \(count) elements, above the limit of \(limit)"
        case .invalidValue(let what, let reason):
            "\(what) is invalid: \(reason)"
        }
    }
}

extension UInt8 {
    /// Two upper-case hex digits.
    var hexDigits: String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(self >> 4)], digits[Int(self & 0xF)]])
    }
}

extension Collection<UInt8> {
    /// Hex bytes separated by spaces, for messages about raw bytes.
    var hexDescription: String {
        map(\.hexDigits).joined(separator: " ")
    }
}
