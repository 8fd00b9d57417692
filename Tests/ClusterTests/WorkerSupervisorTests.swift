import ClusterProtocol
import Testing
import VariationalCircuits

@testable import Cluster

/// The coordinator's two halves on their own, on in-process workers: what the supervisor
/// shows the scheduler, and what the scheduler does with a worker too narrow for a circuit.
@Suite("Worker supervision and batch scheduling, apart", .timeLimit(.minutes(1)))
struct WorkerSupervisorTests {
    static let circuits = [3, 2, 3].enumerated().map { index, qubits in
        try! SubVQC(id: "forget/\(index)", qubitCount: qubits, inputCount: qubits)
    }
    static let parameters = circuits.map { circuit in (0..<circuit.parameterCount).map { 0.1 * Double($0) } }

    /// A supervisor of a narrow worker (2 qubits) and a wide one, every one ready with the
    /// circuits and parameters.
    static func supervisor() async throws -> WorkerSupervisor {
        let supervisor = WorkerSupervisor(
            configuration: configuration,
            transport: InProcessWorkerTransport(workers: [.init(name: "w0", maxQubits: 2), .init(name: "w1")]),
            log: { _ in }
        )
        try await supervisor.start()
        _ = try await supervisor.waitForEveryWorker()
        await supervisor.hold(circuits)
        await supervisor.installCircuitsOnReadyWorkers()
        await supervisor.hold(parameters, version: 1)
        await supervisor.installParametersOnReadyWorkers()
        return supervisor
    }

    static var configuration: ClusterConfiguration {
        var configuration = ClusterConfiguration(
            workers: (0..<2).map {
                .init(name: "w\($0)", endpoint: Endpoint(host: "in-process", port: UInt16(7400 + $0)))
            }
        )
        configuration.heartbeatInterval = .seconds(5)
        configuration.giveUpAfter = .seconds(10)
        return configuration
    }

    @Test("a snapshot maps each worker's circuits to its own numbering, the narrow one holding only what fits")
    func snapshot() async throws {
        let supervisor = try await Self.supervisor()
        let ready = await supervisor.readyWorkers()
        #expect(ready.indices == [0, 1])
        #expect(ready[0]?.localIndex == [1: 0])
        #expect(ready[1]?.localIndex == [0: 0, 1: 1, 2: 2])
        await supervisor.shutdown()
    }

    @Test("a quarantined worker leaves the snapshot, a request for it fails at once, and waiters wake")
    func quarantine() async throws {
        let supervisor = try await Self.supervisor()
        let before = await supervisor.readyWorkers()
        await supervisor.quarantine(1, because: "a test")
        // A change since the snapshot: no wait at all.
        try await supervisor.stateChange(after: before.changes, before: .now + .seconds(30))
        let after = await supervisor.readyWorkers()
        #expect(after.indices == [0])
        #expect(after.layout != before.layout)
        let round = ReplyRound(requests: 1)
        await supervisor.send([(before[1]!, .ping(nonce: 1))], answering: round)
        let answer = await round.answers()[0]
        #expect(throws: ClusterError.workerUnavailable(worker: "w1")) { try answer.get() }
        #expect(await supervisor.workerStates().map(\.quarantined) == [nil, "a test"])
        var accounting = ClusterAccounting(workers: [.init(name: "w0", address: ""), .init(name: "w1", address: "")])
        await supervisor.account(into: &accounting)
        #expect(accounting.quarantinedWorkers == 1)
        #expect(accounting.workers[1].quarantined == "a test")
        await supervisor.shutdown()
    }

    @Test("the scheduler sends a circuit's items only to workers wide enough for it, results as in process")
    func narrowWorker() async throws {
        let supervisor = try await Self.supervisor()
        let scheduler = BatchScheduler(configuration: Self.configuration, workers: supervisor)
        try await scheduler.load(Self.circuits)
        try await scheduler.setParameters(Self.parameters, version: 1)
        let batch = EvaluationBatch(
            items: (0..<12).map {
                EvaluationRequest(circuit: $0 % 3, inputs: Array(repeating: 0.2, count: $0 % 3 == 1 ? 2 : 3))
            },
            method: .parameterShift,
            parameterVersion: 1
        )
        let results = try await scheduler.evaluate(batch)
        let local = LocalExecutor(threads: 1)
        try await local.load(Self.circuits)
        try await local.setParameters(Self.parameters, version: 1)
        #expect(results == (try await local.evaluate(batch)))
        // Circuit 1 (2 qubits) goes to the idle narrow worker, the others to the wide one.
        #expect(await scheduler.accounting.workers.map(\.requests) == [1, 1])
        await supervisor.shutdown()
    }
}
