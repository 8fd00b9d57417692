/// Turns messages into frames: the 20-byte header, then the payload.
public struct FrameEncoder: Sendable {
    /// The limits `encodeChecked` holds a message to: the receiver's, which in version 1 are the
    /// standard ones.
    public var limits: ProtocolLimits

    public init(limits: ProtocolLimits = .standard) {
        self.limits = limits
    }

    /// The whole frame for `message`.
    ///
    /// Does not check limits: a message that breaks one is encoded and refused by the receiver.
    /// Use `encodeChecked(_:requestID:)` for messages built from outside data.
    /// - Parameters:
    ///   - message: the message.
    ///   - requestID: the request this frame is or answers (0 for none).
    /// - Returns: header and payload.
    /// - Precondition: the payload is shorter than 4 GiB (the length field is a UInt32).
    public func encode(_ message: Message, requestID: UInt64) -> [UInt8] {
        let payloadByteCount = message.payloadByteCount
        guard let length = UInt32(exactly: payloadByteCount) else {
            preconditionFailure("a \(message.type) payload of \(payloadByteCount) bytes does not fit a frame")
        }
        var writer = ByteWriter(reservingCapacity: FrameHeader.byteCount + payloadByteCount)
        FrameHeader(type: message.type, requestID: requestID, payloadLength: length).write(to: &writer)
        message.writePayload(to: &writer)
        assert(writer.count == FrameHeader.byteCount + payloadByteCount, "payloadByteCount disagrees with the encoder")
        return writer.bytes
    }

    /// The whole frame for `message`, after checking that a receiver with `limits` accepts it.
    /// - Throws: `ProtocolError.limitExceeded`, `.invalidValue` or `.frameTooLarge`, as the
    ///   receiver would: split the batch or fix the value.
    public func encodeChecked(_ message: Message, requestID: UInt64) throws(ProtocolError) -> [UInt8] {
        try limits.check(message)
        return encode(message, requestID: requestID)
    }
}
