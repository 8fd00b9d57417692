import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

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

    let port: UInt16
    private let listener: Int32
    private let flipped = Atomic(false)
    private let connections = Atomic(0)

    /// Listens on a free port and forwards each connection to 127.0.0.1:`target`.
    init(forwardingTo target: Int, flipping direction: Direction) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 8) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else { throw RelayFailure(description: "cannot listen on 127.0.0.1: errno \(errno)") }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in accept(forwardingTo: target, flipping: direction) }
    }

    /// Whether the byte has been flipped.
    var hasFlipped: Bool { flipped.load(ordering: .acquiring) }

    /// Stops accepting; connections already relayed end when their peers close them.
    func close() {
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
    }

    private func accept(forwardingTo target: Int, flipping direction: Direction) {
        while true {
            let client = Glibc.accept(listener, nil, nil)
            guard client >= 0 else { break }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(target).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard connected else {
                Glibc.close(client)
                Glibc.close(server)
                continue
            }
            let isFirst = connections.add(1, ordering: .relaxed).newValue == 1
            let pumps = DispatchGroup()
            for (source, destination, toWorker) in [(client, server, true), (server, client, false)] {
                let flipper =
                    isFirst && toWorker == (direction == .toWorker)
                    ? RecordFlipper(startsWithPreamble: !toWorker) : nil
                pumps.enter()
                Thread.detachNewThread { [self] in
                    pump(from: source, to: destination, flipper: flipper)
                    pumps.leave()
                }
            }
            pumps.notify(queue: .global()) {
                Glibc.close(client)
                Glibc.close(server)
            }
        }
        Glibc.close(listener)
    }

    /// Copies bytes until either side ends, flipping one if `flipper` says so.
    private func pump(from source: Int32, to destination: Int32, flipper: RecordFlipper?) {
        var flipper = flipper
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            if flipper?.process(&buffer, count: count) == true { flipped.store(true, ordering: .releasing) }
            var offset = 0
            while offset < count {
                let sent = buffer[offset..<count].withUnsafeBytes {
                    send(destination, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else { break }
                offset += sent
            }
            if offset < count { break }
        }
        Glibc.shutdown(destination, Int32(SHUT_WR))
        Glibc.shutdown(source, Int32(SHUT_RD))
    }

    struct RelayFailure: Error, CustomStringConvertible {
        let description: String
    }
}

/// Follows one direction of a stream byte by byte: an optional QLSC frame (the worker's
/// preamble), then TLS records; flips the middle byte of the first large application-data
/// record after `ByteFlippingRelay.recordsSkipped`.
private struct RecordFlipper {
    private enum Position {
        case preambleHeader([UInt8])
        case preambleBody(remaining: Int)
        case recordHeader([UInt8])
        case recordBody(offset: Int, length: Int, flipAt: Int?)
    }

    private var position: Position
    private var records = 0
    private var isDone = false

    init(startsWithPreamble: Bool) {
        position = startsWithPreamble ? .preambleHeader([]) : .recordHeader([])
    }

    /// Walks `buffer[0..<count]`, flipping at most one byte in place.
    /// - Returns: whether a byte was flipped in this chunk.
    mutating func process(_ buffer: inout [UInt8], count: Int) -> Bool {
        var flippedHere = false
        for index in 0..<count {
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
                    flippedHere = true
                }
                position =
                    offset + 1 == length
                    ? .recordHeader([]) : .recordBody(offset: offset + 1, length: length, flipAt: flipAt)
            }
        }
        return flippedHere
    }
}
