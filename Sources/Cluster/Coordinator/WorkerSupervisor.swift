import ClusterProtocol
import QPUProfiles
import Synchronization
import VariationalCircuits

/// Keeps the workers of cluster.json connected and holding the run's circuits and parameters:
/// connects each one, pings it, reconnects it with doubling backoff and jitter when it is lost,
/// installs the circuits and parameters on every (re)connection, and quarantines one that
/// lied. It is the only way to the workers: requests go out through it, on connections it
/// knows are still up.
///
/// Apart from batch scheduling (`BatchScheduler`) so that a worker's lifecycle has one owner:
/// the scheduler sees workers only as `ReadyWorkers` snapshots, and whatever waits for a worker
/// (a ready one, every one, one holding a circuit, a reconnect loop) suspends here until a
/// link changes state, or its deadline, instead of polling.
actor WorkerSupervisor {
    let configuration: ClusterConfiguration
    /// How workers are reached: TCP (and TLS) from cluster.json, or in process for tests.
    private let transport: any WorkerTransport
    private var links: [WorkerLink]
    /// What every ready worker must hold, installed on each (re)connection.
    private var circuits: [SubVQC] = []
    private var parameters: [[Double]]?
    private var version: UInt64 = 0
    /// Requests in flight; replies go from the connections' readers straight to their waiters.
    private let replies = ReplyRegistry()
    /// When each worker was last heard from (written by its reader, read by its heartbeat).
    private let lastHeard: Mutex<[ContinuousClock.Instant]>
    private var nextRequestID: UInt64 = 1

    /// What one worker's connections did, for `ClusterAccounting`.
    private struct History {
        /// The QPU profile it announced.
        var profile: String?
        var reconnects: UInt64 = 0
        var connectionsLost: UInt64 = 0
        var quarantined: String?
    }
    private var histories: [History]
    private var quarantinedWorkers = 0

    private var tasks: [Task<Void, Never>] = []
    /// Tasks waiting for a worker's state to change (`stateChanged()` resumes them all).
    private var changeWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0
    /// State changes so far (`ReadyWorkers.changes`).
    private var changes = 0
    /// Changes of the circuits the workers hold (`ReadyWorkers.layout`).
    private var layout = 0
    private var isShutDown = false
    private let clock = ContinuousClock()
    /// Where the supervisor says what happened to a worker (quarantined), one line each.
    private let log: @Sendable (String) -> Void

    init(
        configuration: ClusterConfiguration,
        transport: any WorkerTransport,
        log: @escaping @Sendable (String) -> Void
    ) {
        self.configuration = configuration
        self.transport = transport
        self.log = log
        links = configuration.workers.map { WorkerLink(name: $0.name, endpoint: $0.endpoint) }
        histories = Array(repeating: History(), count: configuration.workers.count)
        lastHeard = Mutex(Array(repeating: ContinuousClock.now, count: configuration.workers.count))
    }

    /// Connects to every worker; returns once at least one is ready (the others keep trying in
    /// the background).
    /// - Throws: `ClusterError.noCapableWorker` when none answers within `giveUpAfter`.
    func start() async throws {
        for worker in links.indices { launch { await $0.keepConnected(worker) } }
        try await waitForReadyWorker(capableOf: nil)
    }

    /// Says goodbye to every worker and stops reconnecting.
    func shutdown() async {
        isShutDown = true
        for task in tasks { task.cancel() }
        for index in links.indices {
            if case .ready(let ready) = links[index].state {
                let connection = ready.connection
                try? await connection.send(.goodbye(reason: "coordinator finished"), requestID: 0)
                connection.close()
            }
            links[index].state = .idle
        }
        for entry in replies.takeAll(where: { _ in true }) { entry.fulfil(.failure(ClusterError.shutDown)) }
        stateChanged()
    }

    // MARK: - What the workers are

    /// One line per worker as it introduced itself (`ClusterExecutor.topology()`).
    func topology() -> [String] {
        links.map { link in
            guard case .ready(let ready) = link.state else {
                return "\(link.name) \(link.endpoint): not connected"
            }
            let (connection, hello) = (ready.connection, ready.hello)
            return
                "\(link.name) \(link.endpoint): \(hello.workerName), \(hello.qpuSlots) QPU slots of \(hello.qubitCapacity) qubits, profile \(hello.profile), qlstm \(hello.softwareVersion), "
                + connection.protection
        }
    }

    /// Every worker's state, in cluster.json order.
    func workerStates() -> [ClusterExecutor.WorkerState] {
        links.map { link in
            var reason: String?
            if case .quarantined(let why) = link.state { reason = why }
            return ClusterExecutor.WorkerState(
                name: link.name,
                isReady: link.isReady,
                lastError: link.isReady ? nil : link.lastError,
                quarantined: reason
            )
        }
    }

    /// Writes what the workers' connections did (profiles, losses, reconnections, quarantines)
    /// into `accounting`, whose other figures the scheduler keeps.
    func account(into accounting: inout ClusterAccounting) {
        for (worker, history) in histories.enumerated() {
            accounting.workers[worker].profile = history.profile
            accounting.workers[worker].reconnects = history.reconnects
            accounting.workers[worker].connectionsLost = history.connectionsLost
            accounting.workers[worker].quarantined = history.quarantined
        }
        accounting.quarantinedWorkers = quarantinedWorkers
    }

    /// What each worker announced on its current connection (`nil` while it is not ready).
    func hellos() -> [WorkerHello?] { links.map(\.hello) }

    /// The workers ready with the current parameters, now.
    func readyWorkers() -> ReadyWorkers {
        let ready = links.indices.compactMap { worker -> ReadyWorkers.Worker? in
            guard case .ready(let ready) = links[worker].state, ready.parameterVersion == version else { return nil }
            return .init(index: worker, generation: ready.generation, hello: ready.hello, localIndex: ready.localIndex)
        }
        return ReadyWorkers(workers: ready, changes: changes, layout: layout)
    }

    /// The ready workers, once every circuit in `needed` is held by one of them.
    /// - Throws: `ClusterError.noCapableWorker` after `giveUpAfter` without such workers.
    func readyWorkers(holdingAll needed: [Int]) async throws -> ReadyWorkers {
        try await waitForReadyWorker(capableOf: needed)
        return readyWorkers()
    }

    /// The error for a cluster where no worker could take the work: every worker with its last
    /// error, or `fallback` for one that has none.
    func noCapableWorker(otherwise fallback: String) -> ClusterError {
        .noCapableWorker(
            workers: links.map { "\($0.name) (\($0.endpoint)): \($0.lastError ?? fallback)" },
            waitedSeconds: configuration.giveUpAfter.seconds
        )
    }

    // MARK: - What the workers hold

    /// Makes `circuits` what every worker must hold (and no parameters yet); workers connecting
    /// from now on get them, the ready ones with `installCircuitsOnReadyWorkers()`.
    func hold(_ circuits: [SubVQC]) {
        self.circuits = circuits
        parameters = nil
    }

    /// Makes `parameters` what every worker must hold; workers connecting from now on get
    /// them, the ready ones with `installParametersOnReadyWorkers()`.
    func hold(_ parameters: [[Double]], version: UInt64) {
        self.parameters = parameters
        self.version = version
    }

    /// Loads the circuits (then the parameters) on every ready worker, all at once; a worker
    /// that fails is lost and gets them when it reconnects.
    func installCircuitsOnReadyWorkers() async {
        await onEveryReadyWorker { try await $0.installCircuits(on: $1) }
    }

    /// Loads the parameters on every ready worker, all at once.
    func installParametersOnReadyWorkers() async {
        await onEveryReadyWorker { try await $0.installParameters(on: $1) }
    }

    private func onEveryReadyWorker(_ install: @escaping @Sendable (WorkerSupervisor, Int) async throws -> Void) async {
        let installs = links.indices.filter { links[$0].isReady }.map { worker in
            Task { try? await install(self, worker) }
        }
        for install in installs { await install.value }
    }

    // MARK: - Requests

    /// Sends each request of a round on the connection its snapshot saw, all without waiting;
    /// answer `i` of `round` is the reply to request `i`. A worker lost or reconnected since is
    /// answered `workerUnavailable` at once.
    func send(_ requests: [(worker: ReadyWorkers.Worker, message: Message)], answering round: ReplyRound) {
        for (index, request) in requests.enumerated() {
            start(
                request.message,
                on: request.worker.index,
                generation: request.worker.generation,
                answering: index,
                of: round,
                timeout: configuration.requestTimeout
            )
        }
    }

    /// Sends one request and waits for its reply (an `error` reply throws).
    private func request(_ message: Message, on worker: Int, timeout: Duration) async throws -> Message {
        let round = ReplyRound(requests: 1)
        start(message, on: worker, answering: 0, of: round, timeout: timeout)
        let reply = try await round.answers()[0].get()
        if case .error(let code, let text) = reply {
            throw ClusterError.workerRefused(worker: links[worker].name, code: code, message: text)
        }
        return reply
    }

    /// Registers a request as answer `index` of `round` and sends it without waiting, so the
    /// requests to every worker go out at once. A request that cannot be sent (the worker is
    /// not ready, or not on connection `generation` when one is given) is answered with the
    /// error at once.
    private func start(
        _ message: Message,
        on worker: Int,
        generation: Int? = nil,
        answering index: Int,
        of round: ReplyRound,
        timeout: Duration
    ) {
        guard case .ready(let ready) = links[worker].state, (generation ?? ready.generation) == ready.generation else {
            round.fulfil(index, with: .failure(ClusterError.workerUnavailable(worker: links[worker].name)))
            return
        }
        let connection = ready.connection
        let id = nextRequestID
        nextRequestID += 1
        // Registered before sending: the reply may arrive before the write returns.
        let entry = ReplyRegistry.Entry(
            worker: worker,
            round: round,
            index: index,
            deadline: clock.now + timeout,
            timeout: timeout
        )
        replies.insert(entry, for: id)
        let replies = self.replies
        do {
            try connection.sendWithoutWaiting(message, requestID: id) { error in
                replies.take(id)?.fulfil(.failure(error))
            }
        } catch {
            replies.take(id)?.fulfil(.failure(error))
        }
    }

    // MARK: - Connections

    private func launch(_ body: @escaping @Sendable (WorkerSupervisor) async -> Void) {
        tasks.append(
            Task { [weak self] in
                guard let self else { return }
                await body(self)
            }
        )
    }

    /// Connects a worker, and reconnects it whenever it is lost, until shutdown.
    private func keepConnected(_ worker: Int) async {
        var backoff = configuration.backoffInitial
        var generator = SystemRandomNumberGenerator()
        while !isShutDown && !Task.isCancelled {
            if links[worker].isQuarantined { return }
            if links[worker].isReady || links[worker].isConnecting {
                // Until it is lost (or anything else changes): then at once, not a beat later.
                try? await stateChange(before: .now + .seconds(3600))
                continue
            }
            do {
                try await connect(worker)
                backoff = configuration.backoffInitial
            } catch {
                if links[worker].isQuarantined { return }
                if case .connecting = links[worker].state {
                    links[worker].state = .down(since: clock.now, error: "\(error)")
                }
                // Doubling backoff with up to 50 % jitter, so restarted workers are not stormed.
                let jitter = 1 + Double.random(in: 0..<0.5, using: &generator)
                try? await Task.sleep(for: backoff * jitter)
                backoff = min(backoff * 2, configuration.backoffMaximum)
            }
        }
    }

    private func connect(_ worker: Int) async throws {
        links[worker].state = .connecting(lastError: links[worker].lastError)
        let (connection, hello) = try await transport.connect(to: worker, timeout: configuration.connectTimeout)
        if let declared = configuration.workers[worker].profile, declared.name != hello.profile {
            connection.close()
            throw ClusterError.profileMismatch(
                worker: links[worker].name,
                announced: hello.profile,
                declared: declared.name
            )
        }
        histories[worker].profile = hello.profile
        links[worker].connections += 1
        let generation = links[worker].connections
        links[worker].state = .ready(WorkerLink.Ready(connection: connection, hello: hello, generation: generation))
        lastHeard.withLock { $0[worker] = clock.now }
        stateChanged()
        if links[worker].connections > 1 { histories[worker].reconnects += 1 }
        connection.handleFrames(with: inboundHandler(worker: worker, generation: generation))
        launch { await $0.heartbeat(worker: worker, generation: generation) }
        do {
            try await installCircuits(on: worker)
        } catch {
            lose(worker, generation: generation, error: error)
            throw error
        }
    }

    /// Loads the circuits this worker can hold, then the current parameters.
    private func installCircuits(on worker: Int) async throws {
        guard let hello = links[worker].hello else { return }
        let held = circuits.indices.filter { circuits[$0].qubitCount <= Int(hello.qubitCapacity) }
        layout += 1
        links[worker].localIndex = [:]
        links[worker].parameterVersion = nil
        guard !held.isEmpty else { return }
        _ = try await request(
            .loadCircuits(held.map { circuits[$0] }),
            on: worker,
            timeout: configuration.requestTimeout
        )
        for (local, global) in held.enumerated() { links[worker].localIndex[global] = local }
        stateChanged()
        try await installParameters(on: worker)
    }

    private func installParameters(on worker: Int) async throws {
        guard let parameters, !links[worker].localIndex.isEmpty else { return }
        let version = self.version
        let ordered = links[worker].localIndex.sorted { $0.value < $1.value }.map { parameters[$0.key] }
        _ = try await request(
            .setParameters(version: version, parameters: ordered),
            on: worker,
            timeout: configuration.requestTimeout
        )
        if self.version == version {
            links[worker].parameterVersion = version
            stateChanged()
        }
    }

    /// What the connection's reader thread does with each frame: a reply goes straight to its
    /// waiting request (no task, no actor hop: on a busy machine each is a thread wake-up);
    /// a goodbye or the end of the stream marks the worker lost.
    nonisolated private func inboundHandler(
        worker: Int,
        generation: Int
    ) -> @Sendable (PeerConnection.Inbound) -> Void {
        let name = configuration.workers[worker].name
        return { [weak self, replies] inbound in
            self?.lastHeard.withLock { $0[worker] = ContinuousClock.now }
            let lost: any Error
            switch inbound {
            case .frame(_, .pong), .frame(_, .ping):
                return
            case .frame(_, .goodbye(let reason)):
                lost = ClusterError.workerLeft(worker: name, reason: reason)
            case .frame(let id, let message):
                // Bound to the connection the request went out on: another worker's reply to
                // this id (forged, or confused) is dropped, and the rightful one still counts.
                replies.take(id, from: worker)?.fulfil(.success(message))
                return
            case .finished:
                lost = ClusterError.workerLost(worker: name, reason: "closed by the worker")
            case .failed(let error):
                lost = error
            }
            Task { await self?.lose(worker, generation: generation, error: lost) }
        }
    }

    /// Pings an idle connection; one silent for three intervals is dropped (and reconnected).
    private func heartbeat(worker: Int, generation: Int) async {
        var nonce: UInt64 = 0
        while !isShutDown && !Task.isCancelled {
            try? await Task.sleep(for: configuration.heartbeatInterval)
            guard case .ready(let ready) = links[worker].state, ready.generation == generation else { return }
            let connection = ready.connection
            if clock.now - lastHeard.withLock({ $0[worker] }) > configuration.heartbeatInterval * 3 {
                lose(
                    worker,
                    generation: generation,
                    error: ClusterError.workerLost(worker: links[worker].name, reason: "no answer to heartbeats")
                )
                return
            }
            // Requests past their deadline go to another worker; a late answer is ignored.
            let now = clock.now
            for expired in replies.takeAll(where: { $0.worker == worker && $0.deadline <= now }) {
                expired.fulfil(
                    .failure(ClusterError.requestTimedOut(worker: links[worker].name, seconds: expired.timeout.seconds))
                )
            }
            nonce += 1
            try? await connection.send(.ping(nonce: nonce), requestID: 0)
        }
    }

    /// Marks a worker lost: its connection closed, its pending requests failed (to be retried
    /// elsewhere); `keepConnected` brings it back.
    private func lose(_ worker: Int, generation: Int, error: any Error) {
        // Only the connection of that generation, still ready: a late callback of an older one,
        // or of one already lost or quarantined, changes nothing.
        guard case .ready(let ready) = links[worker].state, ready.generation == generation else { return }
        histories[worker].connectionsLost += 1
        ready.connection.close()
        layout += 1
        links[worker].state = .down(since: clock.now, error: "\(error)")
        for entry in replies.takeAll(where: { $0.worker == worker }) { entry.fulfil(.failure(error)) }
        stateChanged()
    }

    /// Stops using a worker for the rest of the run: its connection closed, its pending
    /// requests failed (to be retried elsewhere), no reconnection; logged and counted.
    func quarantine(_ worker: Int, because reason: String) {
        guard !links[worker].isQuarantined else { return }
        if case .ready(let ready) = links[worker].state { ready.connection.close() }
        layout += 1
        links[worker].state = .quarantined(reason: reason)
        histories[worker].quarantined = reason
        quarantinedWorkers += 1
        for entry in replies.takeAll(where: { $0.worker == worker }) {
            entry.fulfil(.failure(ClusterError.workerLost(worker: links[worker].name, reason: "quarantined")))
        }
        log("worker \(links[worker].name) quarantined for this run: \(reason); its work goes to the others")
        stateChanged()
    }

    // MARK: - Waiting for workers

    /// Waits until every worker of the cluster is connected (pinned placement maps circuits
    /// over all of them), for at most `giveUpAfter`.
    /// - Returns: what each worker announced, in cluster.json order.
    func waitForEveryWorker() async throws -> [WorkerHello] {
        let deadline = clock.now + configuration.giveUpAfter
        while true {
            let hellos = links.compactMap(\.hello)
            if hellos.count == links.count { return hellos }
            if isShutDown { throw ClusterError.shutDown }
            if clock.now >= deadline {
                throw ClusterError.pinnedWorkersMissing(
                    workers: links.filter { !$0.isReady }.map { "\($0.name) (\($0.lastError ?? "not connected"))" },
                    waitedSeconds: configuration.giveUpAfter.seconds
                )
            }
            try await stateChange(before: deadline)
        }
    }

    /// Waits until a worker holding every circuit in `needed` (any worker if `nil`) is ready
    /// with the current parameters, for at most `giveUpAfter`.
    private func waitForReadyWorker(capableOf needed: [Int]?) async throws {
        // The usual case, without building sets: a worker that holds every circuit is ready.
        if needed != nil,
            links.contains(where: {
                $0.isReady && $0.parameterVersion == version && $0.localIndex.count == circuits.count
            })
        {
            return
        }
        let deadline = clock.now + configuration.giveUpAfter
        while true {
            let ready = links.indices.filter {
                links[$0].isReady && (needed == nil || links[$0].parameterVersion == version || parameters == nil)
            }
            if let needed {
                if Set(needed).allSatisfy({ circuit in ready.contains { links[$0].localIndex[circuit] != nil } }) {
                    return
                }
            } else if !ready.isEmpty {
                return
            }
            if isShutDown { throw ClusterError.shutDown }
            if clock.now >= deadline { throw noCapableWorker(otherwise: "not ready") }
            try await stateChange(before: deadline)
        }
    }

    /// Suspends until a worker changes state (ready, circuits or parameters installed, lost,
    /// quarantined; or shutdown) or `deadline` passes, whichever comes first: waiting for a
    /// worker costs no wake-ups while nothing happens, and none of latency when it does.
    /// - Parameter seen: the `ReadyWorkers.changes` the caller decided on; when a change came
    ///   since, it returns at once.
    /// - Throws: `ClusterError.shutDown` once the supervisor is shut down.
    func stateChange(after seen: Int? = nil, before deadline: ContinuousClock.Instant) async throws {
        if isShutDown { throw ClusterError.shutDown }
        if let seen, seen != changes { return }
        let id = nextWaiter
        nextWaiter += 1
        let timer = Task { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            guard !Task.isCancelled else { return }
            await self?.resumeWaiter(id)
        }
        defer { timer.cancel() }
        // Stored before the actor can run anything else, so no change is missed.
        await withCheckedContinuation { changeWaiters[id] = $0 }
    }

    private func resumeWaiter(_ id: Int) { changeWaiters.removeValue(forKey: id)?.resume() }

    /// Wakes every task waiting in `stateChange(after:before:)`: they look again at the links.
    private func stateChanged() {
        changes += 1
        let waiters = changeWaiters.values
        changeWaiters = [:]
        for waiter in waiters { waiter.resume() }
    }
}
