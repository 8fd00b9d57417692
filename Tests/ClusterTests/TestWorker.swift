import Cluster
import ClusterProtocol
import Foundation
import QuantumSimulator
import Synchronization
import VariationalCircuits

/// The log lines a worker wrote, for tests that check what an operator would read.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }

    func contains(_ text: String) -> Bool { all.contains { $0.contains(text) } }

    /// Waits up to 10 s for a line containing `text` (log lines follow the frames they describe).
    func waitFor(_ text: String) async -> Bool {
        for _ in 0..<1000 {
            if contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}

/// A `WorkerServer` on 127.0.0.1 with a kernel-chosen port, serving in a task.
struct RunningWorker {
    let server: WorkerServer
    let port: UInt16
    let serving: Task<Void, any Error>
    let log: LogLines

    var endpoint: Endpoint { Endpoint(host: "127.0.0.1", port: port) }

    static func start(
        slots: Int = 2,
        maxQubits: Int = 25,
        secret: SharedSecret? = nil,
        tls: TLSContext? = nil,
        handshakeTimeout: Duration = .seconds(10),
        maxPendingHandshakes: Int = 64,
        maxPendingHandshakesPerClient: Int = 8,
        idleTimeout: Duration = .seconds(300)
    ) throws -> RunningWorker {
        let log = LogLines()
        let configuration = WorkerConfiguration(
            listen: Endpoint(host: "127.0.0.1", port: 0),
            slots: slots,
            maxQubits: maxQubits,
            name: "test-worker",
            secret: secret,
            tls: tls,
            lanes: 4,
            softwareVersion: "test",
            handshakeTimeout: handshakeTimeout,
            maxPendingHandshakes: maxPendingHandshakes,
            maxPendingHandshakesPerClient: maxPendingHandshakesPerClient,
            idleTimeout: idleTimeout,
            log: { _, event in log.append(event) }
        )
        let server = try WorkerServer(configuration: configuration)
        let port = try server.start()
        let serving = Task { try await server.run() }
        return RunningWorker(server: server, port: port, serving: serving, log: log)
    }

    /// Connects and completes the handshake as a coordinator.
    func connect(secret: SharedSecret? = nil, tls: TLSContext? = nil) async throws -> (PeerConnection, WorkerHello) {
        let connection = try await PeerConnection.connect(to: endpoint, timeout: .seconds(5), tls: tls)
        let hello = try await Handshake.coordinator(connection, secret: secret, timeout: .seconds(10))
        return (connection, hello)
    }

    /// Stops the server and waits until `run()` has returned.
    func stop() async {
        server.stop()
        _ = try? await serving.value
    }
}

/// Runs `body` with a fresh worker and stops the worker afterwards, also when `body` throws.
@discardableResult
func withWorker<T>(
    slots: Int = 2,
    maxQubits: Int = 25,
    secret: SharedSecret? = nil,
    tls: TLSContext? = nil,
    handshakeTimeout: Duration = .seconds(10),
    maxPendingHandshakes: Int = 64,
    maxPendingHandshakesPerClient: Int = 8,
    idleTimeout: Duration = .seconds(300),
    _ body: (RunningWorker) async throws -> T
) async throws -> T {
    let worker = try RunningWorker.start(
        slots: slots,
        maxQubits: maxQubits,
        secret: secret,
        tls: tls,
        handshakeTimeout: handshakeTimeout,
        maxPendingHandshakes: maxPendingHandshakes,
        maxPendingHandshakesPerClient: maxPendingHandshakesPerClient,
        idleTimeout: idleTimeout
    )
    do {
        let result = try await body(worker)
        await worker.stop()
        return result
    } catch {
        await worker.stop()
        throw error
    }
}

extension PeerConnection {
    /// Sends a request and returns the reply carrying its id (pongs and other ids are skipped).
    func request(_ message: Message, id: UInt64) async throws -> Message {
        try await send(message, requestID: id)
        while let (replyID, reply) = try await receive() {
            if replyID == id, reply.type != .pong { return reply }
        }
        throw TestFailure("the connection closed before the reply to request \(id)")
    }
}

/// Small sub-VQCs of a few shapes, named with `prefix`.
func testCircuits(_ prefix: String, count: Int = 3, qubits: Int = 4) -> [SubVQC] {
    (0..<count).map { index in
        let ansatz = Ansatz(
            encoding: Encoding.allCases[index % Encoding.allCases.count],
            entangler: EntanglingPattern.allCases[index % EntanglingPattern.allCases.count],
            rotations: RotationLayer.allCases[index % RotationLayer.allCases.count],
            depth: 2,
            entanglingRepetitions: 1
        )
        return try! SubVQC(id: "\(prefix)/\(index)", qubitCount: qubits, inputCount: qubits - 1, ansatz: ansatz)
    }
}

func testParameters(for circuits: [SubVQC], seed: UInt64) -> [[Double]] {
    var generator = SeededGenerator(seed: seed)
    return circuits.map { circuit in
        (0..<circuit.parameterCount).map { _ in (generator.nextUnit() * 2 - 1) * Double.pi }
    }
}

func testBatch(
    for circuits: [SubVQC],
    items: Int,
    method: DifferentiationMethod? = .parameterShift,
    shots: Int? = nil,
    version: UInt64,
    seed: UInt64
) -> EvaluationBatch {
    var generator = SeededGenerator(seed: seed)
    let requests = (0..<items).map { index in
        let circuit = index % circuits.count
        let inputs = (0..<circuits[circuit].inputCount).map { _ in generator.nextUnit() * 2 - 1 }
        return EvaluationRequest(circuit: circuit, inputs: inputs, seed: generator.next())
    }
    return EvaluationBatch(items: requests, method: method, shots: shots, parameterVersion: version)
}

/// Every double of every evaluation as its bit pattern: equal only when bit-identical.
func bitPatterns(_ evaluations: [CircuitEvaluation]) -> [[UInt64]] {
    evaluations.map { ($0.outputs + [.nan] + $0.parameterJacobian + [.nan] + $0.inputJacobian).map(\.bitPattern) }
}

/// Loads circuits and sets parameters over `connection`, expecting both to be acknowledged.
func install(
    _ circuits: [SubVQC],
    parameters: [[Double]],
    version: UInt64,
    on connection: PeerConnection,
    firstID: UInt64 = 1
) async throws {
    let loaded = try await connection.request(.loadCircuits(circuits), id: firstID)
    guard loaded == .acknowledged else { throw TestFailure("loadCircuits answered \(loaded)") }
    let set = try await connection.request(.setParameters(version: version, parameters: parameters), id: firstID + 1)
    guard set == .acknowledged else { throw TestFailure("setParameters answered \(set)") }
}

/// A batch that keeps the worker busy for roughly `seconds` on this machine and build: the size
/// is calibrated from a small batch, so the test means the same in debug and release builds.
func calibratedBatch(
    for circuits: [SubVQC],
    version: UInt64,
    on connection: PeerConnection,
    seconds: Double,
    id: UInt64
) async throws -> EvaluationBatch {
    let probeItems = 32
    let probe = testBatch(for: circuits, items: probeItems, version: version, seed: 99)
    let clock = ContinuousClock()
    var elapsed = Double.infinity
    // The first run also allocates workspaces; the fastest of three is the steady rate.
    for round in 0..<3 {
        let started = clock.now
        let reply = try await connection.request(.evaluate(probe), id: id + UInt64(round) * 1_000_000)
        guard case .result = reply else { throw TestFailure("the probe batch answered \(reply)") }
        elapsed = min(elapsed, max((clock.now - started).testSeconds, 0.0005))
    }
    let items = min(60_000, max(probeItems, Int(Double(probeItems) * seconds / elapsed)))
    return testBatch(for: circuits, items: items, version: version, seed: 100)
}

extension Duration {
    var testSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
