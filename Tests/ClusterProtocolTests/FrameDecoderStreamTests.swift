import ClusterProtocol
import Testing

/// The decoder must not care how TCP chops the stream (swift-nio-extras tests its
/// `LengthFieldBasedFrameDecoder` the same way).
@Suite("Frame decoder on split streams")
struct FrameDecoderStreamTests {
    /// One frame of every type, back to back.
    static let frames: [(UInt64, Message)] = {
        var random = RandomMessages(seed: 2024)
        return MessageType.allCases.enumerated().map { index, type in (UInt64(index * 7), random.message(of: type)) }
    }()

    static let stream: [UInt8] = {
        let encoder = FrameEncoder()
        return frames.flatMap { encoder.encode($0.1, requestID: $0.0) }
    }()

    /// Drains every complete message.
    static func drain(_ decoder: inout FrameDecoder, into messages: inout [(UInt64, Message)]) throws {
        while let (requestID, message) = try decoder.next() { messages.append((requestID, message)) }
    }

    static func expectSameFrames(_ decoded: [(UInt64, Message)]) {
        #expect(decoded.map(\.0) == frames.map(\.0))
        #expect(decoded.map(\.1) == frames.map(\.1))
    }

    @Test("the stream split into two chunks at every byte boundary decodes identically")
    func everySplit() throws {
        let stream = Self.stream
        for split in 0...stream.count {
            var decoder = FrameDecoder()
            var decoded: [(UInt64, Message)] = []
            decoder.append(stream[..<split])
            try Self.drain(&decoder, into: &decoded)
            decoder.append(stream[split...])
            try Self.drain(&decoder, into: &decoded)
            Self.expectSameFrames(decoded)
            #expect(!decoder.hasPartialFrame)
        }
    }

    @Test("the stream fed one byte at a time yields each message exactly when its last byte arrives")
    func byteByByte() throws {
        let encoder = FrameEncoder()
        let ends = Self.frames.reduce(into: [Int]()) { ends, frame in
            ends.append((ends.last ?? 0) + encoder.encode(frame.1, requestID: frame.0).count)
        }
        var decoder = FrameDecoder()
        var decoded: [(UInt64, Message)] = []
        for (index, byte) in Self.stream.enumerated() {
            decoder.append(CollectionOfOne(byte))
            let before = decoded.count
            try Self.drain(&decoder, into: &decoded)
            #expect((decoded.count > before) == ends.contains(index + 1))
            #expect(decoder.hasPartialFrame == !ends.contains(index + 1))
        }
        Self.expectSameFrames(decoded)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test("random chunk sizes, including empty chunks", arguments: 0..<20)
    func randomChunks(seed: UInt64) throws {
        var random = RandomMessages(seed: seed)
        var decoder = FrameDecoder()
        var decoded: [(UInt64, Message)] = []
        var offset = 0
        let stream = Self.stream
        while offset < stream.count {
            let size = min(random.int(0...97), stream.count - offset)
            decoder.append(stream[offset..<(offset + size)])
            offset += size
            try Self.drain(&decoder, into: &decoded)
        }
        Self.expectSameFrames(decoded)
    }

    @Test("a long-lived decoder keeps its buffer small")
    func bufferIsCompacted() throws {
        let frame = FrameEncoder().encode(.ping(nonce: 1), requestID: 1)
        var decoder = FrameDecoder()
        for _ in 0..<10_000 {
            decoder.append(frame + frame.prefix(5))
            #expect(try decoder.next() != nil)
            decoder.append(frame.dropFirst(5))
            #expect(try decoder.next() != nil)
            #expect(try decoder.next() == nil)
        }
        #expect(decoder.bufferedByteCount == 0)
    }
}
