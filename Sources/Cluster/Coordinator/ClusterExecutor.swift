import ClusterProtocol
import VariationalCircuits

/// The coordinator's executor: sends each batch to QPU workers over TCP, one frame per worker
/// per `evaluate`, and survives workers that die, stall or come back.
///
/// - Placement: each worker holds the circuits its qubit capacity allows (its own numbering,
///   mapped here); items are dealt in lane-sized chunks of one circuit to the capable worker that
///   would finish them soonest (`Placement`). With QPU profiles (declared in cluster.json, or a
///   noisy profile announced by a worker) each circuit instead runs on one home QPU for the
///   whole run (`PinnedPlacement`), failing over only to a QPU of the same profile.
/// - Faults: a request that fails (connection lost, timeout, refusal a retry can cure) is sent
///   again to another capable worker; a lost worker is reconnected in the background with
///   doubling backoff and jitter and, once it holds the circuits and current parameters again,
///   takes work. With no capable worker for `giveUpAfter`, `evaluate` throws
///   `ClusterError.noCapableWorker` naming every worker and its last error.
/// - Determinism: a result depends only on its item (circuit, parameters, inputs, seed), so the
///   same run gives the same bits whatever the worker count, the placement or the failures.
public actor ClusterExecutor: CircuitExecutor {
    public let configuration: ClusterConfiguration
    /// The workers' connections: keeps them up and holding the circuits and parameters.
    private let supervisor: WorkerSupervisor
    /// The batches: which worker evaluates which items, retries, checks and verification.
    private let scheduler: BatchScheduler

    /// The executor, its supervisor and its scheduler share one serial executor: calls between
    /// them never switch threads, and the accessors below read both synchronously
    /// (`assumeIsolated` checks that they run on it).
    public nonisolated var unownedExecutor: UnownedSerialExecutor { supervisor.unownedExecutor }

    /// - Parameters:
    ///   - transport: how to reach the workers; `nil` for TCP to the configuration's endpoints,
    ///     with its secret and TLS settings.
    ///   - log: receives one line per event a user should see (a worker quarantined).
    /// - Throws: `ClusterError` when the secret file or a TLS file cannot be used.
    public init(
        configuration: ClusterConfiguration,
        transport: (any WorkerTransport)? = nil,
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) throws {
        self.configuration = configuration
        supervisor = WorkerSupervisor(
            configuration: configuration,
            transport: try transport
                ?? TCPWorkerTransport(
                    endpoints: configuration.workers.map(\.endpoint),
                    secret: configuration.secretFile.map { try SharedSecret(contentsOfFile: $0) },
                    tls: configuration.tlsContexts()
                ),
            log: log
        )
        scheduler = BatchScheduler(configuration: configuration, workers: supervisor)
    }

    /// Connects to every worker; returns once at least one is ready (the others keep trying in
    /// the background).
    /// - Throws: `ClusterError.noCapableWorker` when none answers within `giveUpAfter`.
    public func start() async throws { try await supervisor.start() }

    /// Says goodbye to every worker and stops reconnecting.
    public func shutdown() async { await supervisor.shutdown() }

    /// One line per worker as it introduced itself: name, address, slots, qubit capacity,
    /// profile, version and TLS (or why it is not connected).
    public func topology() -> [String] { supervisor.assumeIsolated { $0.topology() } }

    /// Per worker and slot: what ran where.
    public func statistics() -> ClusterAccounting {
        var accounting = scheduler.assumeIsolated { $0.accounting }
        supervisor.assumeIsolated { $0.account(into: &accounting) }
        return accounting
    }

    /// One worker as the coordinator sees it now, for progress lines.
    public struct WorkerState: Sendable, Equatable {
        public let name: String
        public let isReady: Bool
        /// Why it was last lost or refused, while it is not ready.
        public let lastError: String?
        /// Why it was quarantined for the rest of the run, if it was.
        public let quarantined: String?
    }

    /// Every worker's state, in cluster.json order.
    public func workerStates() -> [WorkerState] { supervisor.assumeIsolated { $0.workerStates() } }

    public func executionCounters() async -> ExecutionCounters {
        let accounting = await scheduler.accounting
        var counters = ExecutionCounters()
        counters.circuits = accounting.circuits
        counters.shots = accounting.shots
        return counters
    }

    /// Each sub-VQC's QPU when placement is pinned (`forget/0 -> qpu-a (profile)`).
    public func pinnedPlacement() -> [String]? { scheduler.assumeIsolated { $0.pinnedPlacement() } }

    // MARK: - CircuitExecutor

    public func load(_ circuits: [SubVQC]) async throws { try await scheduler.load(circuits) }

    public func setParameters(_ parameters: [[Double]], version: UInt64) async throws {
        try await scheduler.setParameters(parameters, version: version)
    }

    public func evaluate(_ batch: EvaluationBatch) async throws -> [CircuitEvaluation] {
        try await scheduler.evaluate(batch)
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
