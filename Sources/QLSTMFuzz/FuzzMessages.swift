import ClusterProtocol
import QuantumSimulator
import VariationalCircuits

/// Seeded random messages for a worker: mostly valid requests on small circuits (so that the
/// worker's request paths run, not only its decoder), requests a worker must refuse (wrong
/// versions, unknown circuits, replies above 64 MiB, memory above its limit), and messages a
/// worker never expects; and frames of them mutated the ways a broken or hostile peer would.
struct FuzzMessages {
    var generator: SeededGenerator

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(generator.next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    mutating func bytes(_ count: ClosedRange<Int>) -> [UInt8] {
        (0..<int(count)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    mutating func text() -> String {
        let pool: [Character] = ["a", "Z", "0", "/", " ", "\u{0}", "\n", "\u{1B}", "é", "量", "🧪", "\\"]
        return String((0..<int(0...40)).map { _ in pool[int(0...(pool.count - 1))] })
    }

    /// A small circuit (at most 6 qubits, depth 4), so that valid work stays cheap.
    mutating func circuit() -> SubVQC {
        let qubits = int(1...6)
        let encoding = Encoding.allCases[int(0...(Encoding.allCases.count - 1))]
        let entangler = EntanglingPattern.allCases[int(0...(EntanglingPattern.allCases.count - 1))]
        // A repeated CZ ladder and a repeated non-IQP encoding are refused by SubVQC.
        let ansatz = Ansatz(
            encoding: encoding,
            entangler: entangler,
            rotations: RotationLayer.allCases[int(0...(RotationLayer.allCases.count - 1))],
            depth: int(1...4),
            entanglingRepetitions: entangler == .hardwareEfficient ? 1 : int(1...2),
            encodingRepetitions: encoding == .iqp ? int(1...2) : 1
        )
        return try! SubVQC(id: text(), qubitCount: qubits, inputCount: int(0...qubits), ansatz: ansatz)
    }

    mutating func parameters(for circuits: [SubVQC]) -> [[Double]] {
        circuits.map { circuit in (0..<circuit.parameterCount).map { _ in generator.nextUnit() * 6 - 3 } }
    }

    /// An evaluation of `circuits` at parameter `version`, sometimes with faults the worker
    /// must answer with an error: an unknown circuit, a wrong input count, adjoint with shots.
    mutating func batch(for circuits: [SubVQC], version: UInt64) -> EvaluationBatch {
        let methods: [DifferentiationMethod?] = [nil, .parameterShift, .adjoint]
        let method = methods[int(0...2)]
        let shots: Int? = method == .adjoint && !chance(5) ? nil : (chance(70) ? nil : int(1...2000))
        let items = (0..<int(0...40)).map { _ -> EvaluationRequest in
            let index = circuits.isEmpty || chance(3) ? int(0...1023) : int(0...(circuits.count - 1))
            let inputs = circuits.indices.contains(index) && !chance(3) ? circuits[index].inputCount : int(0...25)
            return EvaluationRequest(
                circuit: index,
                inputs: (0..<inputs).map { _ in generator.nextUnit() * 2 - 1 },
                seed: generator.next()
            )
        }
        return EvaluationBatch(
            items: items,
            method: method,
            shots: shots,
            parameterVersion: chance(90) ? version : generator.next()
        )
    }

    /// Circuits and a batch a worker must refuse before computing: a reply above 64 MiB, or
    /// adjoint co-states of a 20-qubit state above the fuzzed worker's memory limit.
    mutating func costlyRequest() -> (circuits: [SubVQC], batch: EvaluationBatch) {
        if chance(50) {
            let circuit = try! SubVQC(id: "wide", qubitCount: 8, inputCount: 7, ansatz: Ansatz(depth: 30))
            let items = (0..<20_000).map { _ in
                EvaluationRequest(circuit: 0, inputs: Array(repeating: 0.5, count: 7), seed: 0)
            }
            return ([circuit], EvaluationBatch(items: items, method: .adjoint, shots: nil, parameterVersion: 1))
        }
        let circuit = try! SubVQC(id: "deep", qubitCount: 20, inputCount: 20, ansatz: Ansatz(depth: 1))
        let item = EvaluationRequest(circuit: 0, inputs: Array(repeating: 0.5, count: 20), seed: 0)
        return ([circuit], EvaluationBatch(items: [item], method: .adjoint, shots: nil, parameterVersion: 1))
    }

    /// Any message, including those a worker never takes (hello, result, welcome ...).
    mutating func anyMessage() -> Message {
        switch int(0...11) {
        case 0:
            .hello(
                WorkerHello(
                    softwareVersion: text(),
                    workerName: text(),
                    qpuSlots: 1,
                    qubitCapacity: 5,
                    profile: text(),
                    nonce: .random(using: &generator),
                    requiresAuthentication: chance(50)
                )
            )
        case 1: .authenticate(nonce: .random(using: &generator), mac: bytes(0...64))
        case 2: .welcome(mac: bytes(0...32))
        case 3: .loadCircuits((0..<int(0...3)).map { _ in circuit() })
        case 4: .setParameters(version: generator.next(), parameters: [[0.1, 0.2]])
        case 5: .evaluate(batch(for: [circuit()], version: 1))
        case 6: .acknowledged
        case 7: .result(evaluations: [CircuitEvaluation(outputs: [0.5])], usage: [])
        case 8: .error(code: ErrorCode.allCases[int(0...(ErrorCode.allCases.count - 1))], message: text())
        case 9: .pong(nonce: generator.next())
        case 10: .goodbye(reason: text())
        default: .ping(nonce: generator.next())
        }
    }

    /// `frame` with a few of the faults a broken or hostile peer produces: flipped bits, random
    /// bytes, large counts and lengths, cuts, insertions, duplicated runs.
    mutating func mutate(_ frame: [UInt8]) -> [UInt8] {
        var bytes = frame
        for _ in 0..<int(1...4) {
            guard !bytes.isEmpty else { break }
            let at = int(0...(bytes.count - 1))
            switch int(0...6) {
            case 0:
                bytes[at] ^= 1 << UInt8(int(0...7))
            case 1:
                bytes[at] = UInt8(truncatingIfNeeded: generator.next())
            case 2:
                let value: [UInt8] = [[0xFF, 0xFF, 0xFF, 0xFF], [0x00, 0x01, 0x00, 0x00], [0x03, 0xFF, 0xFF, 0xF0]][
                    int(0...2)
                ]
                for (offset, byte) in value.enumerated() where at + offset < bytes.count { bytes[at + offset] = byte }
            case 3:
                bytes.removeSubrange(at...)
            case 4:
                bytes.insert(contentsOf: self.bytes(1...8), at: at)
            case 5:
                let end = min(bytes.count, at + int(1...16))
                bytes.removeSubrange(at..<end)
            default:
                let end = min(bytes.count, at + int(1...16))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            }
        }
        return bytes
    }
}
