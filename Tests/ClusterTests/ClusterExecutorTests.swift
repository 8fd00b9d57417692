import ClusterProtocol
import Synchronization
import Testing
import VariationalCircuits

@testable import Cluster

/// The coordinator's placement, retries, quarantine and verification, on in-process workers:
/// no sockets, no processes, a few milliseconds each.
@Suite("The coordinator on in-process workers", .timeLimit(.minutes(1)))
struct ClusterExecutorTests {
    static let circuits = (0..<4).map { try! SubVQC(id: "forget/\($0)", qubitCount: 3, inputCount: 3) }
    static let parameters = circuits.enumerated().map { index, circuit in
        (0..<circuit.parameterCount).map { 0.1 * Double($0 + index) - 0.4 }
    }
    static let batch = EvaluationBatch(
        items: (0..<40).map { EvaluationRequest(circuit: $0 % 4, inputs: [0.1 * Double($0 % 7), -0.2, 0.3]) },
        method: .parameterShift,
        parameterVersion: 1
    )

    /// The batch evaluated in this process: what every cluster must give, bit for bit.
    static func inProcess() async throws -> [CircuitEvaluation] {
        let executor = LocalExecutor(threads: 1)
        try await executor.load(circuits)
        try await executor.setParameters(parameters, version: 1)
        return try await executor.evaluate(batch)
    }

    /// Evaluates the batch on `workers` in-process workers reached through `transport`, once
    /// every worker is ready.
    static func onCluster(
        _ transport: any WorkerTransport,
        workers: Int,
        verification: Verification? = nil
    ) async throws -> ([CircuitEvaluation], ClusterAccounting) {
        var configuration = ClusterConfiguration(
            workers: (0..<workers).map {
                .init(name: "w\($0)", endpoint: Endpoint(host: "in-process", port: UInt16(7300 + $0)))
            }
        )
        // In-process workers go silent only when a test makes them: no heartbeat loss under load.
        configuration.heartbeatInterval = .seconds(5)
        configuration.giveUpAfter = .seconds(10)
        configuration.backoffInitial = .milliseconds(5)
        configuration.backoffMaximum = .milliseconds(50)
        configuration.verification = verification
        let executor = try ClusterExecutor(configuration: configuration, transport: transport)
        try await executor.start()
        while await !executor.workerStates().allSatisfy(\.isReady) { try await Task.sleep(for: .milliseconds(5)) }
        try await executor.load(circuits)
        try await executor.setParameters(parameters, version: 1)
        let results = try await executor.evaluate(batch)
        let accounting = await executor.statistics()
        await executor.shutdown()
        return (results, accounting)
    }

    @Test("results are the in-process results, bit for bit, through 1 and 3 workers")
    func identical() async throws {
        let expected = try await Self.inProcess()
        for workers in [1, 3] {
            let transport = InProcessWorkerTransport(workers: (0..<workers).map { .init(name: "w\($0)", slots: 2) })
            let (results, accounting) = try await Self.onCluster(transport, workers: workers)
            #expect(results == expected, "\(workers) workers")
            #expect(accounting.workers.filter { $0.requests > 0 }.count == workers)
        }
    }

    @Test("evaluate before setParameters: the same clear error at once, in process and on workers")
    func evaluateBeforeParameters() async throws {
        var batch = Self.batch
        batch.parameterVersion = 0
        let local = LocalExecutor(threads: 1)
        try await local.load(Self.circuits)
        await #expect(throws: ExecutorError.parametersNotSet) { try await local.evaluate(batch) }
        var configuration = ClusterConfiguration(
            workers: [.init(name: "w0", endpoint: Endpoint(host: "in-process", port: 7300))]
        )
        configuration.giveUpAfter = .seconds(30)
        let cluster = try ClusterExecutor(
            configuration: configuration,
            transport: InProcessWorkerTransport(workers: [.init(name: "w0", slots: 1)])
        )
        try await cluster.start()
        try await cluster.load(Self.circuits)
        // It used to wait for a worker holding parameters, past giveUpAfter, for ever.
        await #expect(throws: ExecutorError.parametersNotSet) { try await cluster.evaluate(batch) }
        try await cluster.setParameters(Self.parameters, version: 1)
        #expect(try await cluster.evaluate(Self.batch) == (try await Self.inProcess()))
        await cluster.shutdown()
    }

    @Test("a worker that dies mid-batch: its items are retried elsewhere, the results unchanged")
    func diesMidBatch() async throws {
        let transport = FaultyTransport(workers: 2, fault: .diesOnFirstEvaluate, on: 0)
        let (results, accounting) = try await Self.onCluster(transport, workers: 2)
        #expect(results == (try await Self.inProcess()))
        #expect(accounting.workers[0].connectionsLost == 1)
        #expect(accounting.workers[0].requestsRetried == 1)
        #expect(accounting.quarantinedWorkers == 0)
    }

    @Test("a worker with an impossible reply is quarantined, its items re-sent, the results unchanged")
    func impossibleReply() async throws {
        let transport = FaultyTransport(workers: 2, fault: .impossibleOutput, on: 0)
        let (results, accounting) = try await Self.onCluster(transport, workers: 2)
        #expect(results == (try await Self.inProcess()))
        #expect(accounting.quarantinedWorkers == 1)
        #expect(accounting.workers[0].quarantined?.contains("impossible") == true)
        #expect(accounting.workers[1].quarantined == nil)
    }

    @Test("a plausible lie: caught and quarantined by verification, unnoticed without it")
    func plausibleLie() async throws {
        let expected = try await Self.inProcess()
        let (checked, accounting) = try await Self.onCluster(
            FaultyTransport(workers: 2, fault: .plausibleLie, on: 0),
            workers: 2,
            verification: Verification(fraction: 0.2, seed: 1)
        )
        #expect(checked == expected)
        #expect(accounting.quarantinedWorkers == 1)
        #expect(accounting.workers[0].quarantined?.contains("own simulation") == true)
        #expect(accounting.verifiedItems > 0)
        let (trusted, unchecked) = try await Self.onCluster(
            FaultyTransport(workers: 2, fault: .plausibleLie, on: 0),
            workers: 2
        )
        #expect(trusted != expected)
        #expect(unchecked.quarantinedWorkers == 0)
    }
}

/// In-process workers, one of which misbehaves on purpose.
final class FaultyTransport: WorkerTransport {
    enum Fault {
        /// Closes its connection instead of answering its first evaluate (once per transport).
        case diesOnFirstEvaluate
        /// Answers with an expectation of 3.
        case impossibleOutput
        /// Moves every first output by 1e-3: passes every check of a single reply.
        case plausibleLie
    }

    let inner: InProcessWorkerTransport
    let fault: Fault
    let faulty: Int
    let hasDied = Atomic(false)

    init(workers: Int, fault: Fault, on faulty: Int) {
        inner = InProcessWorkerTransport(workers: (0..<workers).map { .init(name: "w\($0)", slots: 2) })
        self.fault = fault
        self.faulty = faulty
    }

    func connect(to index: Int, timeout: Duration) async throws -> (channel: any WorkerChannel, hello: WorkerHello) {
        let (channel, hello) = try await inner.connect(to: index, timeout: timeout)
        guard index == faulty else { return (channel, hello) }
        return (FaultyChannel(inner: channel, transport: self), hello)
    }
}

/// A channel to an in-process worker that applies its transport's fault.
final class FaultyChannel: WorkerChannel {
    let inner: any WorkerChannel
    let transport: FaultyTransport

    init(inner: any WorkerChannel, transport: FaultyTransport) {
        self.inner = inner
        self.transport = transport
    }

    var protection: String { inner.protection }

    @discardableResult
    func sendWithoutWaiting(
        _ message: Message,
        requestID: UInt64,
        onFailure: @escaping @Sendable (any Error) -> Void
    ) throws -> Bool {
        if case .evaluate = message, case .diesOnFirstEvaluate = transport.fault,
            !transport.hasDied.exchange(true, ordering: .relaxed)
        {
            inner.close()
            return true
        }
        return try inner.sendWithoutWaiting(message, requestID: requestID, onFailure: onFailure)
    }

    func send(_ message: Message, requestID: UInt64) async throws {
        try sendWithoutWaiting(message, requestID: requestID) { _ in }
    }

    func handleFrames(with handler: @escaping @Sendable (PeerConnection.Inbound) -> Void) {
        let fault = transport.fault
        inner.handleFrames { inbound in
            guard case .frame(let id, .result(var evaluations, let usage)) = inbound else { return handler(inbound) }
            for index in evaluations.indices {
                switch fault {
                case .impossibleOutput: evaluations[index].outputs[0] = 3
                case .plausibleLie: evaluations[index].outputs[0] += evaluations[index].outputs[0] < 0 ? 1e-3 : -1e-3
                case .diesOnFirstEvaluate: break
                }
            }
            handler(.frame(requestID: id, message: .result(evaluations: evaluations, usage: usage)))
        }
    }

    func close() { inner.close() }
}
