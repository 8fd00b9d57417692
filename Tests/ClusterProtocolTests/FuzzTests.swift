import ClusterProtocol
import QuantumSimulator
import Testing

@Suite("Fuzzing")
struct FuzzTests {
    /// Mutates a frame the ways a broken or hostile peer would: flipped bits, random bytes,
    /// huge counts, cut or spliced streams.
    static func mutate(_ frame: [UInt8], random: inout RandomMessages) -> [UInt8] {
        var bytes = frame
        for _ in 0..<random.int(1...4) {
            guard !bytes.isEmpty else { break }
            let at = random.int(0...(bytes.count - 1))
            switch random.int(0...7) {
            case 0:
                bytes[at] ^= 1 << UInt8(random.int(0...7))
            case 1:
                bytes[at] = UInt8(truncatingIfNeeded: random.generator.next())
            case 2:
                // A count or length field set to something large.
                let value: [UInt8] = [[0xFF, 0xFF, 0xFF, 0xFF], [0x00, 0x01, 0x00, 0x00], [0x7F, 0xFF, 0xFF, 0xFF]][
                    random.int(0...2)
                ]
                for (offset, byte) in value.enumerated() where at + offset < bytes.count { bytes[at + offset] = byte }
            case 3:
                bytes.removeSubrange(at...)
            case 4:
                bytes.insert(contentsOf: random.bytes(1...8), at: at)
            case 5:
                let end = min(bytes.count, at + random.int(1...16))
                bytes.removeSubrange(at..<end)
            case 6:
                let end = min(bytes.count, at + random.int(1...16))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            default:
                // Nudge a payload byte only, keeping the header valid more often.
                let payloadAt = min(
                    bytes.count - 1,
                    FrameHeader.byteCount + at % max(1, bytes.count - FrameHeader.byteCount)
                )
                bytes[payloadAt] &+= UInt8(random.int(1...3))
            }
        }
        return bytes
    }

    @Test("5,000 random mutations of valid frames never trap, and whatever decodes re-encodes consistently")
    func mutations() throws {
        var random = RandomMessages(seed: 0xF022, allowsNaN: true)
        let encoder = FrameEncoder()
        var outcomes: [String: Int] = [:]
        for _ in 0..<5000 {
            let frame = encoder.encode(random.message(), requestID: random.uint64())
            let mutated = Self.mutate(frame, random: &random)
            var decoder = FrameDecoder()
            // Half the time in two chunks, to exercise the waiting states too.
            let split = random.bool() ? random.int(0...mutated.count) : mutated.count
            decoder.append(mutated[..<split])
            var decoded: [(requestID: UInt64, message: Message)] = []
            do throws(ProtocolError) {
                while let next = try decoder.next() { decoded.append(next) }
                decoder.append(mutated[split...])
                while let next = try decoder.next() { decoded.append(next) }
            } catch {
                outcomes["\(error.errorCode)", default: 0] += 1
                #expect(decoder.failedRequestID != nil)
                continue
            }
            for (requestID, message) in decoded {
                // Whatever the decoder accepts, the checker accepts, and it survives another trip.
                try ProtocolLimits.standard.check(message)
                let again = encoder.encode(message, requestID: requestID)
                let back = try #require(try decodeSingle(again))
                #expect(encoder.encode(back.message, requestID: back.requestID) == again)
            }
            outcomes[decoded.isEmpty ? "incomplete" : "decoded", default: 0] += 1
        }
        // The mutations reach past the header, not only the magic check.
        #expect(outcomes["bad request", default: 0] > 50)
        #expect(outcomes["malformed frame", default: 0] > 500)
        #expect(outcomes["limit exceeded", default: 0] > 10)
        #expect(outcomes.values.reduce(0, +) == 5000)
    }

    @Test("random bytes after a valid header never trap", arguments: MessageType.allCases)
    func randomPayloads(type: MessageType) {
        var random = RandomMessages(seed: 500 + UInt64(type.rawValue))
        for _ in 0..<200 {
            let payload = random.bytes(0...200)
            var decoder = FrameDecoder()
            decoder.append(rawFrame(type: type.rawValue, payload: payload))
            _ = try? decoder.next()
        }
    }
}
