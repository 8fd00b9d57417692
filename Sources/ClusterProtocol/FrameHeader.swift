/// The fixed 20-byte header in front of every payload.
///
/// ```
/// offset size field
///      0    4 magic "QLSC" (51 4C 53 43)
///      4    2 protocol version, UInt16 big-endian
///      6    1 message type (MessageType)
///      7    1 flags, 0 (reserved)
///      8    8 request id, UInt64 big-endian
///     16    4 payload length, UInt32 big-endian
///     20      payload
/// ```
public struct FrameHeader: Sendable, Hashable {
    /// `QLSC` in ASCII.
    public static let magic: [UInt8] = [0x51, 0x4C, 0x53, 0x43]
    /// The size of the header in bytes.
    public static let byteCount = 20

    public var version: UInt16
    public var type: MessageType
    public var flags: UInt8
    public var requestID: UInt64
    public var payloadLength: UInt32

    public init(
        version: UInt16 = ProtocolVersion.current,
        type: MessageType,
        flags: UInt8 = 0,
        requestID: UInt64,
        payloadLength: UInt32
    ) {
        self.version = version
        self.type = type
        self.flags = flags
        self.requestID = requestID
        self.payloadLength = payloadLength
    }

    /// Parses and checks a header in the order a reader can trust its fields: magic, version (a
    /// different version may lay out the rest differently), type, flags, then the payload length
    /// against the limit for that type.
    /// - Parameters:
    ///   - bytes: at least `byteCount` bytes from `offset` on.
    ///   - limits: the limits the payload length is checked against.
    /// - Returns: the header, or the error and the request id to answer it with (0 when the
    ///   request id field cannot be trusted).
    static func parse(
        _ bytes: [UInt8],
        at offset: Int,
        limits: ProtocolLimits
    ) -> Result<FrameHeader, FrameFailure> {
        var reader = ByteReader(bytes, range: offset..<(offset + byteCount))
        // The reader has byteCount bytes, so these reads cannot fail.
        let magic = (try? reader.readBytes(count: 4, "magic")) ?? []
        guard magic == Self.magic else { return .failure(FrameFailure(.badMagic(magic), requestID: 0)) }
        let version = (try? reader.readUInt16("version")) ?? 0
        guard version == ProtocolVersion.current else {
            return .failure(FrameFailure(.unsupportedVersion(version), requestID: 0))
        }
        let typeCode = (try? reader.readUInt8("type")) ?? 0
        let flags = (try? reader.readUInt8("flags")) ?? 0
        let requestID = (try? reader.readUInt64("request id")) ?? 0
        let length = (try? reader.readUInt32("payload length")) ?? 0
        guard let type = MessageType(rawValue: typeCode) else {
            return .failure(FrameFailure(.unknownMessageType(typeCode), requestID: requestID))
        }
        guard flags == 0 else { return .failure(FrameFailure(.unsupportedFlags(flags), requestID: requestID)) }
        let limit = limits.maxPayloadBytes(for: type)
        guard UInt64(length) <= UInt64(max(limit, 0)) else {
            return .failure(
                FrameFailure(.frameTooLarge(length: Int(clamping: length), limit: limit), requestID: requestID)
            )
        }
        if let fixed = type.fixedPayloadLength, Int(clamping: length) != fixed {
            let error: ProtocolError =
                Int(clamping: length) < fixed
                ? .truncatedPayload(what: "a \(type) payload", needed: fixed, remaining: Int(clamping: length))
                : .trailingBytes(message: type, count: Int(clamping: length) - fixed)
            return .failure(FrameFailure(error, requestID: requestID))
        }
        return .success(
            FrameHeader(version: version, type: type, flags: flags, requestID: requestID, payloadLength: length)
        )
    }

    /// Appends the header's 20 bytes.
    func write(to writer: inout ByteWriter) {
        writer.write(raw: Self.magic)
        writer.write(version)
        writer.write(type.rawValue)
        writer.write(flags)
        writer.write(requestID)
        writer.write(payloadLength)
    }
}

/// A decoding failure and the request id its `error` frame answers.
struct FrameFailure: Error, Equatable {
    var error: ProtocolError
    var requestID: UInt64

    init(_ error: ProtocolError, requestID: UInt64) {
        self.error = error
        self.requestID = requestID
    }
}
