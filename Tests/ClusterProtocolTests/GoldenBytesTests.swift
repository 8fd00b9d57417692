import ClusterProtocol
import Testing
import VariationalCircuits

/// Frames written out byte by byte from docs/PROTOCOL.md, so the format cannot drift without a
/// test failing (and the document being updated with it).
@Suite("Golden bytes")
struct GoldenBytesTests {
    let encoder = FrameEncoder()

    func expectGolden(_ message: Message, requestID: UInt64, _ expected: [UInt8]) throws {
        let frame = encoder.encode(message, requestID: requestID)
        #expect(frame == expected, "got \(frame.map { String($0, radix: 16) })")
        let decoded = try #require(try decodeSingle(expected))
        #expect(decoded.requestID == requestID)
        #expect(decoded.message == message)
    }

    @Test("protocol version 2 and the QLSC magic")
    func constants() {
        #expect(ProtocolVersion.current == 2)
        #expect(FrameHeader.magic == [0x51, 0x4C, 0x53, 0x43])
        #expect(FrameHeader.byteCount == 20)
    }

    @Test("ping")
    func ping() throws {
        try expectGolden(
            .ping(nonce: 0x0102_0304_0506_0708),
            requestID: 42,
            [
                0x51, 0x4C, 0x53, 0x43,  // magic "QLSC"
                0x00, 0x02,  // version 2
                0x30,  // type ping
                0x00,  // flags
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A,  // request id 42
                0x00, 0x00, 0x00, 0x08,  // payload length 8
                0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // nonce
            ]
        )
    }

    @Test("acknowledged has an empty payload")
    func acknowledged() throws {
        try expectGolden(
            .acknowledged,
            requestID: 0x0102_0304_0506_0708,
            [
                0x51, 0x4C, 0x53, 0x43, 0x00, 0x02, 0x20, 0x00,
                0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                0x00, 0x00, 0x00, 0x00,
            ]
        )
    }

    @Test("error")
    func error() throws {
        try expectGolden(
            .error(code: .parameterVersionMismatch, message: "v\u{E9}"),
            requestID: 9,
            [
                0x51, 0x4C, 0x53, 0x43, 0x00, 0x02, 0x22, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
                0x00, 0x00, 0x00, 0x08,
                0x09,  // parameterVersionMismatch
                0x00, 0x00, 0x00, 0x03, 0x76, 0xC3, 0xA9,  // "vé" in UTF-8
            ]
        )
    }

    @Test("evaluate: optionals, counts and doubles as bit patterns")
    func evaluate() throws {
        let batch = EvaluationBatch(
            items: [EvaluationRequest(circuit: 2, inputs: [1.0, -0.0], seed: 0xDEAD_BEEF)],
            method: .adjoint,
            shots: nil,
            parameterVersion: 7
        )
        try expectGolden(
            .evaluate(batch),
            requestID: 0x0102,
            [
                0x51, 0x4C, 0x53, 0x43, 0x00, 0x02, 0x12, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02,
                0x00, 0x00, 0x00, 0x2F,  // 47 bytes
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,  // parameter version 7
                0x01, 0x01,  // method present: adjoint
                0x00,  // shots absent
                0x00, 0x00, 0x00, 0x01,  // 1 item
                0x00, 0x00, 0x00, 0x02,  // circuit 2
                0x00, 0x00, 0x00, 0x02,  // 2 inputs
                0x3F, 0xF0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 1.0
                0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // -0.0
                0x00, 0x00, 0x00, 0x00, 0xDE, 0xAD, 0xBE, 0xEF,  // seed
            ]
        )
        let shots = EvaluationBatch(items: [], method: nil, shots: 1000, parameterVersion: 0)
        try expectGolden(
            .evaluate(shots),
            requestID: 1,
            [
                0x51, 0x4C, 0x53, 0x43, 0x00, 0x02, 0x12, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
                0x00, 0x00, 0x00, 0x12,  // 18 bytes
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // parameter version 0
                0x00,  // method absent
                0x01, 0x00, 0x00, 0x03, 0xE8,  // shots present: 1000
                0x00, 0x00, 0x00, 0x00,  // no items
            ]
        )
    }

    @Test("loadCircuits: a circuit's id, sizes, ansatz codes, repetitions and measured wires")
    func loadCircuits() throws {
        let ansatz = Ansatz(encoding: .arctan, entangler: .ring, rotations: .rot, depth: 3, entanglingRepetitions: 2)
        let circuit = try SubVQC(id: "g/0", qubitCount: 2, inputCount: 1, ansatz: ansatz, measuredWires: [1, 0])
        try expectGolden(
            .loadCircuits([circuit]),
            requestID: 3,
            [
                0x51, 0x4C, 0x53, 0x43, 0x00, 0x02, 0x10, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
                0x00, 0x00, 0x00, 0x19,  // 25 bytes
                0x00, 0x00, 0x00, 0x01,  // 1 circuit
                0x00, 0x00, 0x00, 0x03, 0x67, 0x2F, 0x30,  // id "g/0"
                0x02,  // 2 qubits
                0x01,  // 1 input
                0x01,  // encoding arctan
                0x01,  // entangler ring
                0x02,  // rotations rot
                0x03,  // depth 3
                0x02,  // 2 entangling repetitions
                0x01,  // the encoding applied once
                0x00, 0x00, 0x00, 0x02, 0x01, 0x00,  // measured wires [1, 0]
            ]
        )
        let iqp = Ansatz(
            encoding: .iqp,
            entangler: .hardwareEfficient,
            rotations: .ryrz,
            depth: 2,
            encodingRepetitions: 3
        )
        try expectGolden(
            .loadCircuits([try SubVQC(id: "y/1", qubitCount: 3, inputCount: 3, ansatz: iqp)]),
            requestID: 4,
            [
                0x51, 0x4C, 0x53, 0x43, 0x00, 0x02, 0x10, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
                0x00, 0x00, 0x00, 0x1A,  // 26 bytes
                0x00, 0x00, 0x00, 0x01,  // 1 circuit
                0x00, 0x00, 0x00, 0x03, 0x79, 0x2F, 0x31,  // id "y/1"
                0x03,  // 3 qubits
                0x03,  // 3 inputs
                0x04,  // encoding iqp
                0x03,  // entangler hardware-efficient
                0x03,  // rotations ry-rz
                0x02,  // depth 2
                0x01,  // 1 entangling repetition
                0x03,  // the IQP encoding repeated 3 times
                0x00, 0x00, 0x00, 0x03, 0x00, 0x01, 0x02,  // measured wires [0, 1, 2]
            ]
        )
    }

    @Test("every enum code as documented")
    func enumCodes() throws {
        func encodingCode(_ encoding: Encoding) throws -> UInt8 {
            let circuit = try SubVQC(id: "", qubitCount: 1, inputCount: 1, ansatz: Ansatz(encoding: encoding))
            return encoder.encode(.loadCircuits([circuit]), requestID: 0)[20 + 4 + 4 + 2]
        }
        #expect(try [Encoding.paper, .arctan, .angleX, .angleY, .iqp].map(encodingCode) == [0, 1, 2, 3, 4])
        func entanglerCode(_ pattern: EntanglingPattern) throws -> UInt8 {
            let circuit = try SubVQC(id: "", qubitCount: 1, inputCount: 1, ansatz: Ansatz(entangler: pattern))
            return encoder.encode(.loadCircuits([circuit]), requestID: 0)[20 + 4 + 4 + 3]
        }
        #expect(
            try [EntanglingPattern.brick, .ring, .stronglyEntangling, .hardwareEfficient].map(entanglerCode) == [
                0, 1, 2, 3,
            ]
        )
        func rotationCode(_ rotations: RotationLayer) throws -> UInt8 {
            let circuit = try SubVQC(id: "", qubitCount: 1, inputCount: 1, ansatz: Ansatz(rotations: rotations))
            return encoder.encode(.loadCircuits([circuit]), requestID: 0)[20 + 4 + 4 + 4]
        }
        #expect(try [RotationLayer.ry, .xyz, .rot, .ryrz].map(rotationCode) == [0, 1, 2, 3])
        func methodCode(_ method: DifferentiationMethod) -> UInt8 {
            encoder.encode(.evaluate(EvaluationBatch(items: [], method: method)), requestID: 0)[20 + 8 + 1]
        }
        #expect([DifferentiationMethod.parameterShift, .adjoint].map(methodCode) == [0, 1])
        #expect(ErrorCode.allCases.map(\.rawValue) == Array(1...13))
        #expect(
            MessageType.allCases.map(\.rawValue) == [
                0x01, 0x02, 0x03, 0x10, 0x11, 0x12, 0x20, 0x21, 0x22, 0x30, 0x31, 0x32,
            ]
        )
    }

    @Test("hello")
    func hello() throws {
        let nonce = try #require(AuthenticationNonce(Array(0..<32)))
        let hello = WorkerHello(
            softwareVersion: "1.2",
            workerName: "qpu-a",
            qpuSlots: 8,
            qubitCapacity: 25,
            profile: "ideal",
            nonce: nonce,
            requiresAuthentication: true
        )
        try expectGolden(
            .hello(hello),
            requestID: 0,
            [
                0x51, 0x4C, 0x53, 0x43, 0x00, 0x02, 0x01, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x3F,  // 63 bytes
                0x00, 0x02,  // protocol version 2
                0x00, 0x00, 0x00, 0x03, 0x31, 0x2E, 0x32,  // "1.2"
                0x00, 0x00, 0x00, 0x05, 0x71, 0x70, 0x75, 0x2D, 0x61,  // "qpu-a"
                0x00, 0x08,  // 8 QPU slots
                0x19,  // 25 qubits
                0x00, 0x00, 0x00, 0x05, 0x69, 0x64, 0x65, 0x61, 0x6C,  // "ideal"
            ] + Array(0..<32) + [0x01]
        )
    }

    @Test("result")
    func result() throws {
        let message = Message.result(
            evaluations: [CircuitEvaluation(outputs: [0.5], parameterJacobian: [], inputJacobian: [-.infinity])],
            usage: [SlotUsage(slot: 3, circuits: 10, shots: 0, busySeconds: 0.25)]
        )
        try expectGolden(
            message,
            requestID: 5,
            [
                0x51, 0x4C, 0x53, 0x43, 0x00, 0x02, 0x21, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
                0x00, 0x00, 0x00, 0x3E,  // 62 bytes
                0x00, 0x00, 0x00, 0x01,  // 1 evaluation
                0x00, 0x00, 0x00, 0x01, 0x3F, 0xE0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // outputs [0.5]
                0x00, 0x00, 0x00, 0x00,  // parameter Jacobian []
                0x00, 0x00, 0x00, 0x01, 0xFF, 0xF0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // input Jacobian [-inf]
                0x00, 0x00, 0x00, 0x01,  // 1 slot usage
                0x00, 0x03,  // slot 3
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0A,  // 10 circuits
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 0 shots
                0x3F, 0xD0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 0.25 s
            ]
        )
    }

    @Test("authentication transcripts")
    func transcripts() throws {
        let worker = try #require(AuthenticationNonce([UInt8](repeating: 0xAA, count: 32)))
        let coordinator = try #require(AuthenticationNonce([UInt8](repeating: 0xBB, count: 32)))
        let coordinatorProof = AuthenticationTranscript.coordinatorProof(
            workerNonce: worker,
            coordinatorNonce: coordinator
        )
        #expect(coordinatorProof == Array("QLSC/1 coordinator proof".utf8) + worker.bytes + coordinator.bytes)
        #expect(coordinatorProof.count == 88)
        let workerProof = AuthenticationTranscript.workerProof(workerNonce: worker, coordinatorNonce: coordinator)
        #expect(workerProof == Array("QLSC/1 worker proof".utf8) + coordinator.bytes + worker.bytes)
        #expect(workerProof.count == 83)
        #expect(AuthenticationNonce([1, 2, 3]) == nil)
    }

    @Test("authentication transcripts over TLS end with the channel binding")
    func transcriptsOverTLS() throws {
        let worker = try #require(AuthenticationNonce([UInt8](repeating: 0xAA, count: 32)))
        let coordinator = try #require(AuthenticationNonce([UInt8](repeating: 0xBB, count: 32)))
        let binding = [UInt8](repeating: 0xCC, count: 32)
        let coordinatorProof = AuthenticationTranscript.coordinatorProof(
            workerNonce: worker,
            coordinatorNonce: coordinator,
            channelBinding: binding
        )
        #expect(coordinatorProof == Array("QLSC/1 coordinator proof".utf8) + worker.bytes + coordinator.bytes + binding)
        #expect(coordinatorProof.count == 120)
        let workerProof = AuthenticationTranscript.workerProof(
            workerNonce: worker,
            coordinatorNonce: coordinator,
            channelBinding: binding
        )
        #expect(workerProof == Array("QLSC/1 worker proof".utf8) + coordinator.bytes + worker.bytes + binding)
        #expect(workerProof.count == 115)
    }

    @Test("the TLS preamble is error(authenticationFailed) under request id 0")
    func tlsPreamble() throws {
        let text = Array(TLSPreamble.text.utf8)
        let bytes = FrameEncoder().encode(TLSPreamble.message, requestID: 0)
        let payloadLength = UInt32(1 + 4 + text.count)
        #expect(
            bytes
                == [0x51, 0x4C, 0x53, 0x43, 0x00, 0x02, 0x22, 0x00]
                + [UInt8](repeating: 0, count: 8)
                + withUnsafeBytes(of: payloadLength.bigEndian, Array.init)
                + [0x06] + withUnsafeBytes(of: UInt32(text.count).bigEndian, Array.init) + text
        )
        #expect(TLSPreamble.text.hasPrefix("this worker accepts TLS connections only"))
    }
}
