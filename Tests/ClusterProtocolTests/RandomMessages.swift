import ClusterProtocol
import QuantumSimulator
import VariationalCircuits

/// Random but valid messages of every type from a seeded stream, with the awkward values a codec
/// gets wrong first: signed zeros, infinities, subnormals, extreme integers, multi-byte UTF-8.
struct RandomMessages {
    var generator: SeededGenerator
    /// Whether doubles may be NaN (with random payloads); NaN != NaN, so tests that compare
    /// messages with `==` leave this off and compare bytes instead.
    var allowsNaN = false

    init(seed: UInt64, allowsNaN: Bool = false) {
        generator = SeededGenerator(seed: seed)
        self.allowsNaN = allowsNaN
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(generator.next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func bool() -> Bool { generator.next() & 1 == 1 }

    mutating func uint64() -> UInt64 {
        switch generator.next() % 4 {
        case 0: [0, 1, UInt64.max, UInt64.max - 1, 1 << 63][int(0...4)]
        default: generator.next()
        }
    }

    mutating func double() -> Double {
        switch generator.next() % 8 {
        case 0:
            let specials: [Double] = [
                0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNormalMagnitude,
                .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .pi, 1, -1,
            ]
            return specials[int(0...(specials.count - 1))]
        case 1:
            return generator.nextGaussian()
        default:
            let value = Double(bitPattern: generator.next())
            if value.isNaN && !allowsNaN { return -0.0 }
            return value
        }
    }

    mutating func doubles(_ count: ClosedRange<Int>) -> [Double] {
        (0..<int(count)).map { _ in double() }
    }

    mutating func string(maxScalars: Int = 12) -> String {
        let pool: [Character] = ["a", "Z", "0", "/", " ", "\u{0}", "é", "ß", "量", "子", "🧪", "\n", "\u{7F}"]
        return String((0..<int(0...maxScalars)).map { _ in pool[int(0...(pool.count - 1))] })
    }

    mutating func bytes(_ count: ClosedRange<Int>) -> [UInt8] {
        (0..<int(count)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    mutating func nonce() -> AuthenticationNonce {
        AuthenticationNonce.random(using: &generator)
    }

    mutating func circuit() -> SubVQC {
        let qubits = int(1...25)
        var wires = Array(0..<qubits)
        wires.shuffle(using: &generator)
        let encoding = Encoding.allCases[int(0...(Encoding.allCases.count - 1))]
        let entangler = EntanglingPattern.allCases[int(0...(EntanglingPattern.allCases.count - 1))]
        // Every code on the wire, within what SubVQC accepts: one CZ ladder per layer, and
        // encoding repetitions for IQP only.
        let ansatz = Ansatz(
            encoding: encoding,
            entangler: entangler,
            rotations: RotationLayer.allCases[int(0...(RotationLayer.allCases.count - 1))],
            depth: int(1...30),
            entanglingRepetitions: entangler == .hardwareEfficient ? 1 : int(1...5),
            encodingRepetitions: encoding == .iqp ? int(Ansatz.encodingRepetitionsRange) : 1
        )
        return try! SubVQC(
            id: string(),
            qubitCount: qubits,
            inputCount: int(0...qubits),
            ansatz: ansatz,
            measuredWires: Array(wires.prefix(int(1...qubits)))
        )
    }

    mutating func batch() -> EvaluationBatch {
        let methods: [DifferentiationMethod?] = [nil, .parameterShift, .adjoint]
        return EvaluationBatch(
            items: (0..<int(0...6)).map { _ in
                EvaluationRequest(circuit: int(0...1023), inputs: doubles(0...25), seed: uint64())
            },
            method: methods[int(0...2)],
            shots: bool() ? nil : [1, 1000, 1 << 24][int(0...2)],
            parameterVersion: uint64()
        )
    }

    mutating func evaluation() -> CircuitEvaluation {
        CircuitEvaluation(outputs: doubles(0...25), parameterJacobian: doubles(0...60), inputJacobian: doubles(0...25))
    }

    mutating func message(of type: MessageType) -> Message {
        switch type {
        case .hello:
            .hello(
                WorkerHello(
                    protocolVersion: UInt16(truncatingIfNeeded: generator.next()),
                    softwareVersion: string(),
                    workerName: string(),
                    qpuSlots: UInt16(truncatingIfNeeded: generator.next()),
                    qubitCapacity: UInt8(truncatingIfNeeded: generator.next()),
                    profile: string(),
                    nonce: nonce(),
                    requiresAuthentication: bool()
                )
            )
        case .authenticate: .authenticate(nonce: nonce(), mac: bytes(0...64))
        case .welcome: .welcome(mac: bytes(0...64))
        case .loadCircuits: .loadCircuits((0..<int(0...4)).map { _ in circuit() })
        case .setParameters:
            .setParameters(version: uint64(), parameters: (0..<int(0...4)).map { _ in doubles(0...40) })
        case .evaluate: .evaluate(batch())
        case .acknowledged: .acknowledged
        case .result:
            .result(
                evaluations: (0..<int(0...4)).map { _ in evaluation() },
                usage: (0..<int(0...3)).map { _ in
                    SlotUsage(
                        slot: UInt16(truncatingIfNeeded: generator.next()),
                        circuits: uint64(),
                        shots: uint64(),
                        busySeconds: double()
                    )
                }
            )
        case .error:
            .error(code: ErrorCode.allCases[int(0...(ErrorCode.allCases.count - 1))], message: string(maxScalars: 40))
        case .ping: .ping(nonce: uint64())
        case .pong: .pong(nonce: uint64())
        case .goodbye: .goodbye(reason: string())
        }
    }

    mutating func message() -> Message {
        message(of: MessageType.allCases[int(0...(MessageType.allCases.count - 1))])
    }
}

/// Decodes exactly one frame, requiring that it is complete and alone.
func decodeSingle(
    _ frame: [UInt8],
    limits: ProtocolLimits = .standard
) throws(ProtocolError) -> (requestID: UInt64, message: Message)? {
    var decoder = FrameDecoder(limits: limits)
    decoder.append(frame)
    let decoded = try decoder.next()
    return decoder.bufferedByteCount == 0 ? decoded : nil
}

// Big-endian field builders for hand-written frames.
func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
func be32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
func be64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }
func f64(_ value: Double) -> [UInt8] { be64(value.bitPattern) }
func str(_ value: String) -> [UInt8] { be32(UInt32(value.utf8.count)) + Array(value.utf8) }

/// A hand-built frame; `length` overrides the payload length field.
func rawFrame(
    type: UInt8,
    requestID: UInt64 = 1,
    payload: [UInt8],
    version: UInt16 = ProtocolVersion.current,
    flags: UInt8 = 0,
    length: UInt32? = nil
) -> [UInt8] {
    Array("QLSC".utf8) + be16(version) + [type, flags] + be64(requestID) + be32(length ?? UInt32(payload.count))
        + payload
}
