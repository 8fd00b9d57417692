import ClusterProtocol
import Foundation
import Synchronization
import VariationalCircuits

#if canImport(Glibc)
import Glibc
#endif

/// A TCP relay on 127.0.0.1 in front of one plaintext worker that rewrites every `result` the
/// worker sends: to the coordinator it is a malicious worker. Frames are decoded and encoded
/// again with the protocol's codec; the other direction passes untouched.
final class TamperingRelay: Sendable {
    /// What the relay does to each result.
    enum Tampering: Sendable {
        /// One evaluation fewer than items.
        case short
        /// A NaN output.
        case notANumber
        /// An expectation of 3 (|<Z>| <= 1 always).
        case outOfRange
        /// Usage counters at the top of UInt64, to overflow the coordinator's sums.
        case hugeUsage
        /// A parameter Jacobian one entry short.
        case jacobianShape
        /// Every first output moved by 1e-3 towards 0: a plausible lie, which passes every
        /// check of a single reply.
        case plausible

        /// The replies the coordinator must refuse on sight.
        static let impossible: [Tampering] = [.short, .notANumber, .outOfRange, .hugeUsage, .jacobianShape]

        func apply(_ evaluations: inout [CircuitEvaluation], _ usage: inout [SlotUsage]) {
            switch self {
            case .short: evaluations.removeLast()
            case .notANumber: evaluations[0].outputs[0] = .nan
            case .outOfRange: evaluations[0].outputs[0] = 3
            case .hugeUsage: usage = usage.map { SlotUsage(slot: $0.slot, circuits: .max, shots: .max, busySeconds: 1) }
            case .jacobianShape: evaluations[0].parameterJacobian.removeLast()
            case .plausible:
                for index in evaluations.indices {
                    let output = evaluations[index].outputs[0]
                    evaluations[index].outputs[0] = output - (output < 0 ? -1e-3 : 1e-3)
                }
            }
        }
    }

    let port: UInt16
    private let listener: Int32
    private let tampered = Atomic(0)

    /// Listens on a free port and forwards each connection to 127.0.0.1:`target`.
    init(forwardingTo target: Int, tampering: Tampering) throws {
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
        guard bound else { throw TamperingRelayFailure(errno: errno) }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in accept(forwardingTo: target, tampering: tampering) }
    }

    /// How many results were rewritten.
    var tamperedResults: Int { tampered.load(ordering: .acquiring) }

    func close() { Glibc.shutdown(listener, Int32(SHUT_RDWR)) }

    private func accept(forwardingTo target: Int, tampering: Tampering) {
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
            Thread.detachNewThread { [self] in pump(from: client, to: server, tampering: nil) }
            Thread.detachNewThread { [self] in pump(from: server, to: client, tampering: tampering) }
        }
        Glibc.close(listener)
    }

    /// Copies bytes until either side ends; with `tampering`, frame by frame.
    private func pump(from source: Int32, to destination: Int32, tampering: Tampering?) {
        var decoder = FrameDecoder()
        let encoder = FrameEncoder()
        var raw = tampering == nil
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        reading: while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var out: [UInt8] = []
            if raw {
                out = Array(buffer[0..<count])
            } else {
                decoder.append(buffer[0..<count])
                do {
                    while let (id, message) = try decoder.next() {
                        if case .result(var evaluations, var usage) = message, let tampering {
                            tampering.apply(&evaluations, &usage)
                            tampered.add(1, ordering: .releasing)
                            out += encoder.encode(.result(evaluations: evaluations, usage: usage), requestID: id)
                        } else {
                            out += encoder.encode(message, requestID: id)
                        }
                    }
                } catch {
                    // Something this codec does not know: pass the rest through as it is.
                    raw = true
                    continue reading
                }
            }
            var offset = 0
            while offset < out.count {
                let sent = out[offset...].withUnsafeBytes {
                    send(destination, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else { break reading }
                offset += sent
            }
        }
        Glibc.shutdown(destination, Int32(SHUT_WR))
        Glibc.shutdown(source, Int32(SHUT_RD))
    }
}

struct TamperingRelayFailure: Error { let errno: Int32 }
