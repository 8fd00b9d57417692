import Foundation
import Synchronization

/// A TCP relay on 127.0.0.1 in front of one worker that flips one byte in transit, as a faulty
/// link or an attacker would: in the middle of the body of one large TLS application-data
/// record, in one direction, of the first connection only (reconnections pass untouched).
///
/// It follows the stream's framing to place the flip: the worker's plaintext preamble (a
/// QLSC frame), then TLS records (5-byte header: type, version, length). A flip inside a
/// record's body must fail that record's AEAD check, so the receiving side detects it for sure.
final class ByteFlippingRelay: Sendable {
    enum Direction: Sendable, CustomStringConvertible {
        case toWorker
        case toCoordinator

        var description: String { self == .toWorker ? "coordinator to worker" : "worker to coordinator" }
    }

    /// Records passed over before one may be flipped: the handshake's and the session's
    /// first frames, so that the flip hits an evaluation or its result.
    static let recordsSkipped = 8
    /// The smallest record flipped: evaluations and results, not pings.
    static let smallestFlipped = 1000

    private let relay: LoopbackRelay
    private let flipped: Flag

    var port: UInt16 { relay.port }

    /// Listens on a free port and forwards each connection to 127.0.0.1:`target`.
    init(forwardingTo target: Int, flipping direction: Direction) throws {
        let flipped = Flag()
        self.flipped = flipped
        relay = try LoopbackRelay(forwardingTo: target) { connection, toWorker in
            guard connection == 1, toWorker == (direction == .toWorker) else { return nil }
            return RecordFlipper(startsWithPreamble: !toWorker, flipped: flipped)
        }
    }

    /// Whether the byte has been flipped.
    var hasFlipped: Bool { flipped.value.load(ordering: .acquiring) }

    /// Stops accepting; connections already relayed end when their peers close them.
    func close() { relay.close() }

    /// Set once, by the pump thread that flips.
    final class Flag: Sendable {
        let value = Atomic(false)
    }
}

/// Follows one direction of a stream byte by byte: an optional QLSC frame (the worker's
/// preamble), then TLS records; flips the middle byte of the first large application-data
/// record after `ByteFlippingRelay.recordsSkipped`.
private struct RecordFlipper: StreamRewriter {
    private enum Position {
        case preambleHeader([UInt8])
        case preambleBody(remaining: Int)
        case recordHeader([UInt8])
        case recordBody(offset: Int, length: Int, flipAt: Int?)
    }

    private var position: Position
    private var records = 0
    private var isDone = false
    private let flipped: ByteFlippingRelay.Flag

    init(startsWithPreamble: Bool, flipped: ByteFlippingRelay.Flag) {
        position = startsWithPreamble ? .preambleHeader([]) : .recordHeader([])
        self.flipped = flipped
    }

    /// Walks the chunk, flipping at most one byte of the stream.
    mutating func rewrite(_ chunk: ArraySlice<UInt8>) -> [UInt8] {
        var buffer = Array(chunk)
        for index in buffer.indices {
            switch position {
            case .preambleHeader(var header):
                header.append(buffer[index])
                if header.count == 20 {
                    let length = header[16..<20].reduce(0) { $0 << 8 | Int($1) }
                    position = length == 0 ? .recordHeader([]) : .preambleBody(remaining: length)
                } else {
                    position = .preambleHeader(header)
                }
            case .preambleBody(let remaining):
                position = remaining == 1 ? .recordHeader([]) : .preambleBody(remaining: remaining - 1)
            case .recordHeader(var header):
                header.append(buffer[index])
                guard header.count == 5 else {
                    position = .recordHeader(header)
                    continue
                }
                records += 1
                let length = Int(header[3]) << 8 | Int(header[4])
                let flips =
                    !isDone && header[0] == 0x17 && records > ByteFlippingRelay.recordsSkipped
                    && length >= ByteFlippingRelay.smallestFlipped
                position = .recordBody(offset: 0, length: length, flipAt: flips ? length / 2 : nil)
            case .recordBody(let offset, let length, let flipAt):
                if offset == flipAt {
                    buffer[index] ^= 0xFF
                    isDone = true
                    flipped.value.store(true, ordering: .releasing)
                }
                position =
                    offset + 1 == length
                    ? .recordHeader([]) : .recordBody(offset: offset + 1, length: length, flipAt: flipAt)
            }
        }
        return buffer
    }
}
