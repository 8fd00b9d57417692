import ClusterProtocol
import Foundation
import Synchronization
import VariationalCircuits

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

    private let relay: LoopbackRelay
    private let tampered: Counter

    var port: UInt16 { relay.port }

    /// Listens on a free port and forwards each connection to 127.0.0.1:`target`.
    init(forwardingTo target: Int, tampering: Tampering) throws {
        let tampered = Counter()
        self.tampered = tampered
        relay = try LoopbackRelay(forwardingTo: target) { _, toWorker in
            toWorker ? nil : ResultRewriter(tampering: tampering, tampered: tampered)
        }
    }

    /// How many results were rewritten.
    var tamperedResults: Int { tampered.value.load(ordering: .acquiring) }

    func close() { relay.close() }

    final class Counter: Sendable {
        let value = Atomic(0)
    }
}

/// Decodes the worker's frames and encodes them again, each `result` tampered with; anything
/// this codec does not know passes through as it is from then on.
private struct ResultRewriter: StreamRewriter {
    let tampering: TamperingRelay.Tampering
    let tampered: TamperingRelay.Counter
    private var decoder = FrameDecoder()
    private let encoder = FrameEncoder()
    private var raw = false

    init(tampering: TamperingRelay.Tampering, tampered: TamperingRelay.Counter) {
        self.tampering = tampering
        self.tampered = tampered
    }

    mutating func rewrite(_ chunk: ArraySlice<UInt8>) -> [UInt8] {
        guard !raw else { return Array(chunk) }
        decoder.append(chunk)
        var out: [UInt8] = []
        do {
            while let (id, message) = try decoder.next() {
                if case .result(var evaluations, var usage) = message {
                    tampering.apply(&evaluations, &usage)
                    tampered.value.add(1, ordering: .releasing)
                    out += encoder.encode(.result(evaluations: evaluations, usage: usage), requestID: id)
                } else {
                    out += encoder.encode(message, requestID: id)
                }
            }
        } catch {
            raw = true
        }
        return out
    }
}
