/// Turns a byte stream, in chunks of any size, into messages: an explicit state machine in the
/// manner of swift-nio-extras' `LengthFieldBasedFrameDecoder`.
///
/// Feed it whatever `recv` returned with `append(_:)`, then call `next()` until it returns `nil`.
/// The header is checked as soon as it is complete (magic even earlier), so an oversized or
/// foreign frame is refused before its payload arrives; the payload buffer grows only as bytes
/// arrive, never to the announced length up front.
///
/// After a failure the decoder stays failed: every later `next()` throws the same error. Answer
/// with an `error` frame (`error.errorCode`, `error.description`, request id `failedRequestID`)
/// and close the connection.
public struct FrameDecoder: Sendable {
    private enum State: Sendable {
        /// Waiting for the 20 header bytes of the next frame.
        case readingHeader
        /// The header was valid; waiting for its payload.
        case readingPayload(FrameHeader)
        /// A frame was refused; the stream cannot be trusted any more.
        case failed(ProtocolError, requestID: UInt64)
    }

    /// The limits every frame is checked against. A connection may tighten them until its
    /// handshake completes (`ProtocolLimits.forHandshake`) and relax them afterwards; a change
    /// applies from the next header on.
    public var limits: ProtocolLimits

    private var state: State = .readingHeader
    private var buffer: [UInt8] = []
    /// The first unread byte of `buffer`; bytes before it belong to frames already returned.
    private var readIndex = 0

    public init(limits: ProtocolLimits = .standard) {
        self.limits = limits
    }

    /// Buffers bytes received from the peer. Bytes appended after a failure are dropped.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        if case .failed = state { return }
        buffer.append(contentsOf: bytes)
    }

    /// The bytes buffered and not yet returned as part of a message.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Whether the buffer holds part of a frame; at end of stream this means the peer closed the
    /// connection in the middle of a frame.
    public var hasPartialFrame: Bool {
        if case .readingPayload = state { return true }
        return bufferedByteCount > 0
    }

    /// The request id the `error` frame answering a failure should carry: the refused frame's id
    /// when its header could be trusted, 0 otherwise; `nil` while the decoder has not failed.
    public var failedRequestID: UInt64? {
        if case .failed(_, let requestID) = state { return requestID }
        return nil
    }

    /// The next complete message, or `nil` when more bytes are needed.
    /// - Returns: the frame's request id and its message.
    /// - Throws: `ProtocolError` for a frame that breaks the format or a limit; the decoder is
    ///   then failed for good.
    /// - Complexity: O(payload length) for a returned message; O(1) when waiting.
    public mutating func next() throws(ProtocolError) -> (requestID: UInt64, message: Message)? {
        while true {
            switch state {
            case .failed(let error, _):
                throw error
            case .readingHeader:
                // A foreign stream is refused on its first wrong byte, not after 20 bytes.
                let prefix = min(bufferedByteCount, FrameHeader.magic.count)
                for offset in 0..<prefix where buffer[readIndex + offset] != FrameHeader.magic[offset] {
                    let seen = Array(buffer[readIndex..<(readIndex + prefix)])
                    try fail(FrameFailure(.badMagic(seen), requestID: 0))
                }
                guard bufferedByteCount >= FrameHeader.byteCount else { return nil }
                switch FrameHeader.parse(buffer, at: readIndex, limits: limits) {
                case .success(let header):
                    readIndex += FrameHeader.byteCount
                    state = .readingPayload(header)
                case .failure(let failure):
                    try fail(failure)
                }
            case .readingPayload(let header):
                let length = Int(header.payloadLength)
                guard bufferedByteCount >= length else { return nil }
                let message: Message
                do {
                    message = try Self.decode(
                        header.type,
                        in: buffer,
                        range: readIndex..<(readIndex + length),
                        limits: limits
                    )
                } catch {
                    try fail(FrameFailure(error, requestID: header.requestID))
                }
                readIndex += length
                state = .readingHeader
                compact()
                return (header.requestID, message)
            }
        }
    }

    /// Decodes one payload; the reader (which shares `buffer`'s storage) ends with this call, so
    /// compacting the buffer afterwards does not copy it.
    private static func decode(
        _ type: MessageType,
        in buffer: [UInt8],
        range: Range<Int>,
        limits: ProtocolLimits
    ) throws(ProtocolError) -> Message {
        var reader = ByteReader(buffer, range: range)
        return try Message.decodePayload(type: type, from: &reader, limits: limits)
    }

    private mutating func fail(_ failure: FrameFailure) throws(ProtocolError) -> Never {
        state = .failed(failure.error, requestID: failure.requestID)
        buffer = []
        readIndex = 0
        throw failure.error
    }

    /// Drops consumed bytes once they are at least half the buffer, so a long-lived connection
    /// neither grows without bound nor copies on every frame.
    private mutating func compact() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            readIndex = 0
        } else if readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
    }
}
