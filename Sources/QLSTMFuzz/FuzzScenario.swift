import Cluster
import ClusterProtocol
import Foundation
import VariationalCircuits

#if canImport(Glibc)
import Glibc
#endif

/// One way of abusing a worker over one connection. Each runs for at most a few seconds and
/// judges nothing itself: the worker passes if, whatever the scenarios did, it neither crashes,
/// hangs nor grows (see `FuzzedWorker`).
enum FuzzScenario: String, CaseIterable {
    /// Random bytes from the first byte on.
    case randomBytes = "random bytes"
    /// A mutated frame of any type before authenticating.
    case mutatedHandshake = "mutated handshake frame"
    /// An authenticated session of valid requests, then mutated frames or random bytes.
    case validThenGarbage = "valid then garbage"
    /// An authenticated session of random valid and invalid requests, answers read.
    case requests = "requests"
    /// Requests the worker must refuse before computing (reply above 64 MiB, memory).
    case costlyRequests = "costly requests"
    /// A frame dripped a byte at a time, slowly.
    case slowDrip = "slow drip"
    /// Half-open: FIN after a partial frame, or a socket that connects and says nothing.
    case halfOpen = "half-open"
    /// Requests and pings sent without ever reading an answer, then a reset.
    case neverReads = "never reads"

    /// Runs the scenario against the worker on 127.0.0.1:`port`.
    func run(port: UInt16, secret: SharedSecret, random: inout FuzzMessages) {
        guard let socket = FuzzSocket(port: port) else { return }
        switch self {
        case .randomBytes:
            socket.send(random.bytes(1...4096))
            if random.chance(50) { socket.closeOutput() }
            socket.drain(for: 1)
        case .mutatedHandshake:
            _ = socket.receive()
            let frame = FrameEncoder().encode(random.anyMessage(), requestID: UInt64(random.int(0...3)))
            socket.send(random.mutate(frame))
            socket.drain(for: 1)
        case .validThenGarbage:
            guard authenticate(socket, secret: secret, random: &random) else { return }
            var version: UInt64 = 1
            _ = session(on: socket, random: &random, version: &version, requests: random.int(1...6))
            if random.chance(50) {
                let frame = FrameEncoder().encode(random.anyMessage(), requestID: 99)
                socket.send(random.mutate(frame))
            } else {
                socket.send(random.bytes(1...512))
            }
            socket.drain(for: 1)
        case .requests:
            guard authenticate(socket, secret: secret, random: &random) else { return }
            var version: UInt64 = 1
            _ = session(on: socket, random: &random, version: &version, requests: random.int(5...30))
            if random.chance(30) { socket.send(.goodbye(reason: random.text()), requestID: 0) }
        case .costlyRequests:
            guard authenticate(socket, secret: secret, random: &random) else { return }
            let (circuits, batch) = random.costlyRequest()
            socket.send(.loadCircuits(circuits), requestID: 1)
            socket.send(.setParameters(version: 1, parameters: random.parameters(for: circuits)), requestID: 2)
            socket.send(.evaluate(batch), requestID: 3)
            for _ in 0..<3 { guard socket.receive() != nil else { return } }
        case .slowDrip:
            var frame: [UInt8]
            if random.chance(50), authenticate(socket, secret: secret, random: &random) {
                frame = FrameEncoder().encode(.loadCircuits([random.circuit()]), requestID: 1)
            } else {
                _ = socket.receive()
                frame = FrameEncoder().encode(random.anyMessage(), requestID: 0)
            }
            if random.chance(30) { frame = random.mutate(frame) }
            for byte in frame.prefix(random.int(1...60)) {
                guard socket.send([byte]) else { return }
                usleep(UInt32(random.int(10...120)) * 1000)
            }
        case .halfOpen:
            if random.chance(50) {
                _ = socket.receive()
                let frame = FrameEncoder().encode(random.anyMessage(), requestID: 1)
                socket.send(Array(frame.prefix(random.int(0...frame.count))))
                socket.closeOutput()
                socket.drain(for: 1)
            } else {
                // Connected and silent until the handshake deadline or the pool drops it.
                socket.drain(for: Double(random.int(1...6)))
            }
        case .neverReads:
            guard authenticate(socket, secret: secret, random: &random) else { return }
            let circuits = [random.circuit()]
            socket.send(.loadCircuits(circuits), requestID: 1)
            socket.send(.setParameters(version: 1, parameters: random.parameters(for: circuits)), requestID: 2)
            let deadline = Date().addingTimeInterval(Double(random.int(1...3)))
            var id: UInt64 = 3
            while Date() < deadline {
                let message: Message =
                    random.chance(50)
                    ? .ping(nonce: id) : .evaluate(random.batch(for: circuits, version: 1))
                guard socket.send(message, requestID: id) else { break }
                id += 1
            }
            socket.resetOnClose()
        }
    }

    /// Completes the handshake as a coordinator that knows the secret (most of the time: some
    /// proofs are wrong on purpose).
    private func authenticate(_ socket: FuzzSocket, secret: SharedSecret, random: inout FuzzMessages) -> Bool {
        guard case .hello(let hello)? = socket.receive()?.message else { return false }
        let nonce = AuthenticationNonce.random(using: &random.generator)
        var mac = secret.authenticationCode(
            for: AuthenticationTranscript.coordinatorProof(workerNonce: hello.nonce, coordinatorNonce: nonce)
        )
        if random.chance(5) { mac[random.int(0...31)] ^= 1 }
        socket.send(.authenticate(nonce: nonce, mac: mac), requestID: 0)
        guard case .welcome? = socket.receive()?.message else { return false }
        return true
    }

    /// Loads circuits, sets parameters and evaluates, `requests` times in all, reading each
    /// answer (pongs included); returns the circuits loaded last.
    private func session(
        on socket: FuzzSocket,
        random: inout FuzzMessages,
        version: inout UInt64,
        requests: Int
    ) -> [SubVQC] {
        var circuits: [SubVQC] = []
        for id in 1...UInt64(requests) {
            let message: Message
            switch random.int(0...9) {
            case 0:
                circuits = (0..<random.int(1...4)).map { _ in random.circuit() }
                message = .loadCircuits(circuits)
            case 1, 2:
                version += 1
                var parameters = random.parameters(for: circuits)
                if random.chance(5), !parameters.isEmpty { parameters[0].append(Double.nan) }
                message = .setParameters(version: version, parameters: parameters)
            case 3:
                message = .ping(nonce: id)
            default:
                message = .evaluate(random.batch(for: circuits, version: version))
            }
            guard socket.send(message, requestID: id), socket.receive() != nil else { return circuits }
        }
        return circuits
    }
}
