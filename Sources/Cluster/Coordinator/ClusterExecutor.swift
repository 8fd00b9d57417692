import ClusterProtocol
import Foundation
import QPUProfiles
import Synchronization
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
    /// How workers are reached: TCP (and TLS) from cluster.json, or in process for tests.
    private let transport: any WorkerTransport

    private var links: [WorkerLink]
    private var circuits: [SubVQC] = []
    /// Per circuit, its `differentiableGateCount` (placement weighs items by their runs).
    private var differentiableGates: [Int] = []
    private var parameters: [[Double]]?
    private var version: UInt64 = 0
    /// Requests in flight; replies go from the connections' readers straight to their waiters.
    private let replies = ReplyRegistry()
    /// When each worker was last heard from (written by its reader, read by its heartbeat).
    private let lastHeard: Mutex<[ContinuousClock.Instant]>
    private var nextRequestID: UInt64 = 1
    /// The last placement of a whole batch, reused while the batch has the same circuits in the
    /// same order and the same workers are ready: a training run asks for the same shape at
    /// every time step, and placing it again would cost as much as sending it.
    private var lastPlacement: PlacementCache?
    /// Each circuit's home QPU when placement is pinned; `nil` for free placement.
    private var pinned: PinnedPlacement?
    /// Per worker with a timed profile, each circuit's modelled duration (for accounting).
    private var modelledCircuitSeconds: [Int: [Double]] = [:]

    /// Valid until a worker is lost or its circuits change (both clear it).
    private struct PlacementCache {
        let method: DifferentiationMethod?
        let circuits: [Int]
        let workers: [Int]
        let assignment: [Int: [Int]]
        let unplaceable: [Int]
    }
    private var accounting: ClusterAccounting
    private var tasks: [Task<Void, Never>] = []
    /// Tasks waiting for a worker's state to change (`stateChanged()` resumes them all).
    private var changeWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0
    private var isShutDown = false
    private let clock = ContinuousClock()
    /// Where the executor says what happened to a worker (quarantined), one line each.
    private let log: @Sendable (String) -> Void
    /// The coordinator's own simulation, with `--verify-fraction`: the judge when two results of
    /// an item disagree, and the second QPU when no other worker holds the circuit.
    private let reference: LocalExecutor?

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
        self.log = log
        self.transport =
            try transport
            ?? TCPWorkerTransport(
                endpoints: configuration.workers.map(\.endpoint),
                secret: configuration.secretFile.map { try SharedSecret(contentsOfFile: $0) },
                tls: configuration.tlsContexts()
            )
        reference = configuration.verification.map { _ in LocalExecutor() }
        links = configuration.workers.map { WorkerLink(name: $0.name, endpoint: $0.endpoint) }
        lastHeard = Mutex(Array(repeating: ContinuousClock.now, count: configuration.workers.count))
        accounting = ClusterAccounting(
            workers: configuration.workers.map { .init(name: $0.name, address: "\($0.endpoint)") }
        )
    }

    /// Connects to every worker; returns once at least one is ready (the others keep trying in
    /// the background).
    /// - Throws: `ClusterError.noCapableWorker` when none answers within `giveUpAfter`.
    public func start() async throws {
        for worker in links.indices { launch { await $0.keepConnected(worker) } }
        try await waitForReadyWorker(capableOf: nil)
    }

    /// Says goodbye to every worker and stops reconnecting.
    public func shutdown() async {
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

    /// One line per worker as it introduced itself: name, address, slots, qubit capacity,
    /// profile, version and TLS (or why it is not connected).
    public func topology() -> [String] {
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

    /// Per worker and slot: what ran where.
    public func statistics() -> ClusterAccounting { accounting }

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
    public func workerStates() -> [WorkerState] {
        links.map { link in
            var reason: String?
            if case .quarantined(let why) = link.state { reason = why }
            return WorkerState(
                name: link.name,
                isReady: link.isReady,
                lastError: link.isReady ? nil : link.lastError,
                quarantined: reason
            )
        }
    }

    public func executionCounters() async -> ExecutionCounters {
        var counters = ExecutionCounters()
        counters.circuits = accounting.circuits
        counters.shots = accounting.shots
        return counters
    }

    // MARK: - CircuitExecutor

    public func load(_ circuits: [SubVQC]) async throws {
        self.circuits = circuits
        differentiableGates = circuits.map(\.differentiableGateCount)
        parameters = nil
        lastPlacement = nil
        pinned = nil
        let noisy = links.contains { link in
            guard let hello = link.hello else { return false }
            return !PinnedPlacement.idealProfiles.contains(hello.profile)
        }
        if configuration.declaresPinning || noisy {
            try await waitForEveryWorker()
            let qpus = links.map { link -> PinnedPlacement.QPU in
                guard let hello = link.hello else {
                    return .init(name: link.name, capacity: 0, profile: "?")
                }
                return .init(name: link.name, capacity: Int(hello.qubitCapacity), profile: hello.profile)
            }
            let placement = try PinnedPlacement(circuits: circuits, qpus: qpus, placement: configuration.placement)
            pinned = placement
            accounting.placement = placement.describe(circuits)
        }
        modelledCircuitSeconds = [:]
        if configuration.verification != nil {
            let profiles =
                configuration.workers.map { $0.profile?.name }
                + links.map { link -> String? in
                    guard let hello = link.hello else { return nil }
                    return hello.profile
                }
            if let noisy = profiles.compactMap({ $0 }).first(where: { !Verification.canVerify(profile: $0) }) {
                throw ClusterError.verificationNeedsExactResults(
                    reason: "a worker emulates the noisy profile \(noisy)"
                )
            }
            try await reference?.load(circuits)
        }
        let installs = links.indices.filter { links[$0].isReady }.map { worker in
            Task { try? await self.installCircuits(on: worker) }
        }
        for install in installs { await install.value }
    }

    /// The figures of a worker's profile: as cluster.json declares it, or the built-in of the
    /// name it announced; `nil` for a profile file the coordinator was not given.
    private func profile(of worker: Int) -> QPUProfile? {
        if let declared = configuration.workers[worker].profile { return declared }
        guard let hello = links[worker].hello else { return nil }
        if hello.profile == "statevector" { return .ideal }
        return QPUProfile.builtIns.first { $0.name == hello.profile }
    }

    /// Each sub-VQC's QPU when placement is pinned (`forget/0 -> qpu-a (profile)`).
    public func pinnedPlacement() -> [String]? { pinned?.describe(circuits) }

    public func setParameters(_ parameters: [[Double]], version: UInt64) async throws {
        guard parameters.count == circuits.count else {
            throw ExecutorError.parameterSetCount(expected: circuits.count, got: parameters.count)
        }
        self.parameters = parameters
        self.version = version
        try await reference?.setParameters(parameters, version: version)
        let installs = links.indices.filter { links[$0].isReady }.map { worker in
            Task { try? await self.installParameters(on: worker) }
        }
        for install in installs { await install.value }
    }

    public func evaluate(_ batch: EvaluationBatch) async throws -> [CircuitEvaluation] {
        guard batch.parameterVersion == version else {
            throw ExecutorError.parameterVersion(expected: version, got: batch.parameterVersion)
        }
        if configuration.verification != nil, let shots = batch.shots {
            throw ClusterError.verificationNeedsExactResults(reason: "this run samples \(shots) shots per circuit")
        }
        for item in batch.items where !circuits.indices.contains(item.circuit) {
            throw ExecutorError.unknownCircuit(item.circuit, loaded: circuits.count)
        }
        accounting.evaluateCalls += 1
        var results = [CircuitEvaluation?](repeating: nil, count: batch.items.count)
        var remaining = Array(batch.items.indices)
        var failedThisCall = Set<Int>()
        var framesPerWorker = [Int: UInt64]()
        /// Per worker, the items whose results it gave in this call (verification may void them).
        var answered = [Int: [Int]]()
        var lastProgress = clock.now
        var homelessSince: ContinuousClock.Instant?
        while !remaining.isEmpty {
            if pinned == nil { try await waitForReadyWorker(capableOf: remaining.map { batch.items[$0].circuit }) }
            // Workers that failed during this call are used again only when nobody else can.
            let ready = links.indices.filter { links[$0].isReady && links[$0].parameterVersion == version }
            let preferred = ready.filter { !failedThisCall.contains($0) }
            let (assignment, unplaceable) =
                pinned != nil
                ? pinnedAssignment(remaining, of: batch, ready: ready)
                : place(remaining, of: batch, on: preferred.isEmpty ? ready : preferred)
            if let pinned, let first = unplaceable.first {
                // A home QPU is down and no QPU of its profile can stand in: wait for it to
                // come back, within the same bound as for a cluster with no worker.
                let since = homelessSince ?? clock.now
                homelessSince = since
                if clock.now - since > configuration.giveUpAfter {
                    let home = pinned.homes[batch.items[first].circuit]
                    throw ClusterError.pinnedQPULost(
                        worker: pinned.qpus[home].name,
                        profile: pinned.qpus[home].profile,
                        circuits: circuits.indices.filter { pinned.homes[$0] == home }.map { circuits[$0].id },
                        waitedSeconds: configuration.giveUpAfter.seconds
                    )
                }
            } else {
                homelessSince = nil
            }
            if assignment.isEmpty {
                // Nobody ready holds these circuits: wait for a worker to change state.
                try await stateChange(before: (homelessSince ?? clock.now) + configuration.giveUpAfter)
                continue
            }
            // One frame per worker, all in flight at once.
            let plan = assignment.keys.sorted().map { worker in
                (worker, assignment[worker]!, subBatch(assignment[worker]!, of: batch, for: worker))
            }
            let round = ReplyRound(requests: plan.count)
            let sent = clock.now
            for (index, (worker, _, message)) in plan.enumerated() {
                framesPerWorker[worker, default: 0] += 1
                accounting.roundTrips += 1
                start(message, on: worker, answering: index, of: round, timeout: configuration.requestTimeout)
            }
            let answers = await round.answers()
            let arrivals = round.arrivals()
            remaining = unplaceable
            var acceptedThisRound: [(item: Int, worker: Int)] = []
            let waiting = remaining.count + plan.reduce(0) { $0 + $1.1.count }
            for (((worker, items, message), outcome), arrival) in zip(zip(plan, answers), arrivals) {
                accounting.workers[worker].roundTripSeconds += ((arrival ?? clock.now) - sent).seconds
                if case .success(.result(let evaluations, let usage)) = outcome,
                    let problem = ReplyCheck.problem(
                        evaluations,
                        usage: usage,
                        items: items.map { batch.items[$0] },
                        circuits: circuits,
                        method: batch.method,
                        shots: batch.shots,
                        slots: slots(of: worker)
                    )
                {
                    // Never used: the items go to another worker, this one to quarantine.
                    quarantine(worker, because: "its reply was impossible: \(problem)")
                    failedThisCall.insert(worker)
                    remaining += items
                    continue
                }
                switch outcome {
                case .success(.result(let evaluations, let usage)):
                    for (item, evaluation) in zip(items, evaluations) { results[item] = evaluation }
                    answered[worker, default: []] += items
                    acceptedThisRound += items.map { (item: $0, worker: worker) }
                    accounting.workers[worker].requests += 1
                    if case .evaluate(let sub) = message { accountModelledTime(of: sub, on: worker) }
                    for slot in usage {
                        accounting.workers[worker].add(
                            slot: Int(slot.slot),
                            circuits: slot.circuits,
                            shots: slot.shots,
                            busySeconds: slot.busySeconds
                        )
                    }
                case .success(let other):
                    try throwIfNotRetryable(other, worker: worker)
                    fallthrough
                default:
                    if case .failure(let error) = outcome { try throwIfNotRetryable(error, worker: worker) }
                    accounting.workers[worker].requestsRetried += 1
                    failedThisCall.insert(worker)
                    remaining += items
                }
            }
            if let verification = configuration.verification {
                let selected = acceptedThisRound.filter { verification.selects(batch.items[$0.item]) }
                for liar in try await verify(selected, of: batch, results: results) {
                    // Everything it answered in this call is evaluated again: one lie taints
                    // all its replies.
                    let items = answered.removeValue(forKey: liar) ?? []
                    for item in items { results[item] = nil }
                    remaining += items
                    failedThisCall.insert(liar)
                }
            }
            remaining.sort()
            if remaining.count < waiting {
                lastProgress = clock.now
            } else if !remaining.isEmpty {
                // Every worker refused or failed: do not spin; give up after the same bound as
                // for a cluster with no worker at all.
                if clock.now - lastProgress > configuration.giveUpAfter {
                    throw ClusterError.noCapableWorker(
                        workers: links.map { "\($0.name) (\($0.endpoint)): \($0.lastError ?? "failed its requests")" },
                        waitedSeconds: configuration.giveUpAfter.seconds
                    )
                }
                // A pause before the same workers are asked again, cut short by any change.
                try await stateChange(before: clock.now + .milliseconds(20))
            }
        }
        accounting.maximumRoundTripsPerWorkerPerCall = max(
            accounting.maximumRoundTripsPerWorkerPerCall,
            framesPerWorker.values.max() ?? 0
        )
        return results.map { $0! }
    }

    // MARK: - Verification

    /// Evaluates `selected` (items and the workers that answered them) a second time, each on
    /// another ready worker that holds its circuit (in process when none does), and compares.
    /// Two results that disagree are settled by the coordinator's own simulation: whoever
    /// disagrees with it is quarantined.
    /// - Returns: the workers quarantined, whose answers in this call must be voided.
    private func verify(
        _ selected: [(item: Int, worker: Int)],
        of batch: EvaluationBatch,
        results: [CircuitEvaluation?]
    ) async throws -> [Int] {
        guard !selected.isEmpty else { return [] }
        accounting.verifiedItems += UInt64(selected.count)
        let ready = links.indices.filter { links[$0].isReady && links[$0].parameterVersion == version }
        var checks: [Int: [(item: Int, worker: Int)]] = [:]
        /// Items to settle in process, with the second worker's result when there was one.
        var disputed: [(item: Int, worker: Int, second: (worker: Int, evaluation: CircuitEvaluation)?)] = []
        for entry in selected {
            let circuit = batch.items[entry.item].circuit
            let others = ready.filter { $0 != entry.worker && links[$0].localIndex[circuit] != nil }
            // The next worker after the one that answered: checks spread over the cluster.
            if let verifier = others.first(where: { $0 > entry.worker }) ?? others.first {
                checks[verifier, default: []].append(entry)
            } else {
                disputed.append((entry.item, entry.worker, nil))
            }
        }
        let plan = checks.keys.sorted().map { ($0, checks[$0]!) }
        let round = ReplyRound(requests: plan.count)
        let sent = clock.now
        for (index, (verifier, entries)) in plan.enumerated() {
            accounting.roundTrips += 1
            let message = subBatch(entries.map(\.item), of: batch, for: verifier)
            start(message, on: verifier, answering: index, of: round, timeout: configuration.requestTimeout)
        }
        let answers = await round.answers()
        var quarantined: [Int] = []
        for (((verifier, entries), outcome), arrival) in zip(zip(plan, answers), round.arrivals()) {
            accounting.workers[verifier].roundTripSeconds += ((arrival ?? clock.now) - sent).seconds
            guard case .success(.result(let evaluations, let usage)) = outcome else {
                // Lost, timed out or refused: the coordinator checks these items itself.
                disputed += entries.map { ($0.item, $0.worker, nil) }
                continue
            }
            if let problem = ReplyCheck.problem(
                evaluations,
                usage: usage,
                items: entries.map { batch.items[$0.item] },
                circuits: circuits,
                method: batch.method,
                shots: batch.shots,
                slots: slots(of: verifier)
            ) {
                quarantine(verifier, because: "its reply was impossible: \(problem)")
                quarantined.append(verifier)
                disputed += entries.map { ($0.item, $0.worker, nil) }
                continue
            }
            accounting.workers[verifier].requests += 1
            for slot in usage {
                accounting.workers[verifier].add(
                    slot: Int(slot.slot),
                    circuits: slot.circuits,
                    shots: slot.shots,
                    busySeconds: slot.busySeconds
                )
            }
            for (entry, evaluation) in zip(entries, evaluations)
            where Verification.difference(results[entry.item]!, from: evaluation) != nil {
                disputed.append((entry.item, entry.worker, (verifier, evaluation)))
            }
        }
        guard !disputed.isEmpty, let reference else { return quarantined }
        accounting.verifiedInProcess += UInt64(disputed.count)
        let truths = try await reference.evaluate(
            EvaluationBatch(
                items: disputed.map { batch.items[$0.item] },
                method: batch.method,
                shots: nil,
                parameterVersion: version
            )
        )
        var reasons: [Int: String] = [:]
        for (entry, truth) in zip(disputed, truths) {
            let circuit = circuits[batch.items[entry.item].circuit].id
            var answers = [(entry.worker, results[entry.item]!)]
            if let second = entry.second { answers.append(second) }
            for (worker, evaluation) in answers where reasons[worker] == nil {
                if let difference = Verification.difference(evaluation, from: truth) {
                    reasons[worker] =
                        "its result for \(circuit) disagreed with the coordinator's own simulation (--verify-fraction): \(difference)"
                }
            }
        }
        for (worker, reason) in reasons.sorted(by: { $0.key < $1.key }) {
            quarantine(worker, because: reason)
            quarantined.append(worker)
        }
        return quarantined
    }

    // MARK: - Placement and requests

    private func place(
        _ items: [Int],
        of batch: EvaluationBatch,
        on workers: [Int]
    ) -> (assignment: [Int: [Int]], unplaceable: [Int]) {
        let isWholeBatch = items.count == batch.items.count
        if isWholeBatch, let cached = lastPlacement, cached.method == batch.method, cached.workers == workers,
            cached.circuits.elementsEqual(batch.items.lazy.map(\.circuit))
        {
            return (cached.assignment, cached.unplaceable)
        }
        let placement = computePlacement(items, of: batch, on: workers)
        if isWholeBatch {
            lastPlacement = PlacementCache(
                method: batch.method,
                circuits: batch.items.map(\.circuit),
                workers: workers,
                assignment: placement.assignment,
                unplaceable: placement.unplaceable
            )
        }
        return placement
    }

    private func computePlacement(
        _ items: [Int],
        of batch: EvaluationBatch,
        on workers: [Int]
    ) -> (assignment: [Int: [Int]], unplaceable: [Int]) {
        let candidates = workers.compactMap { worker -> Placement.Candidate? in
            guard let hello = links[worker].hello else { return nil }
            let held = links[worker].localIndex
            return Placement.Candidate(worker: worker, slots: max(1, Int(hello.qpuSlots)), holds: { held[$0] != nil })
        }
        let method = batch.method
        let qubits = circuits.map(\.qubitCount)
        let differentiableGates = self.differentiableGates
        return Placement.assign(
            items,
            circuitOf: { batch.items[$0].circuit },
            cost: { circuit in
                let runs = SubVQC.circuitRuns(differentiableGates: differentiableGates[circuit], method: method)
                return Double(1 << qubits[circuit]) * Double(runs)
            },
            to: candidates
        )
    }

    /// Adds a request's modelled QPU time to its worker's account (nothing to add for an
    /// untimed profile such as `ideal`, so free clusters pay nothing for it).
    private func accountModelledTime(of request: EvaluationBatch, on worker: Int) {
        guard let profile = profile(of: worker) else { return }
        guard
            profile.jobSeconds > 0 || profile.shotSeconds > 0 || profile.gateSeconds1q > 0 || profile.gateSeconds2q > 0
        else {
            accounting.workers[worker].modelledQPUSeconds = 0
            return
        }
        let seconds = modelledCircuitSeconds[worker] ?? circuits.map { profile.circuitSeconds($0) }
        modelledCircuitSeconds[worker] = seconds
        // The request is in the worker's numbering: its circuits are a subset of ours.
        let global = links[worker].localIndex.sorted { $0.value < $1.value }.map(\.key)
        accounting.workers[worker].modelledQPUSeconds =
            (accounting.workers[worker].modelledQPUSeconds ?? 0)
            + profile.requestSeconds(
                request,
                circuits: global.map { circuits[$0] },
                circuitSeconds: global.map { seconds[$0] }
            )
    }

    /// The QPU slots a worker announced (its usage reports name slots below this).
    private func slots(of worker: Int) -> Int {
        guard let hello = links[worker].hello else { return 1 }
        return Int(hello.qpuSlots)
    }

    /// Stops using a worker for the rest of the run: its connection closed, its pending
    /// requests failed (to be retried elsewhere), no reconnection; logged and counted.
    private func quarantine(_ worker: Int, because reason: String) {
        guard !links[worker].isQuarantined else { return }
        if case .ready(let ready) = links[worker].state { ready.connection.close() }
        lastPlacement = nil
        links[worker].state = .quarantined(reason: reason)
        accounting.workers[worker].quarantined = reason
        accounting.quarantinedWorkers += 1
        for entry in replies.takeAll(where: { $0.worker == worker }) {
            entry.fulfil(.failure(ClusterError.workerLost(worker: links[worker].name, reason: "quarantined")))
        }
        log("worker \(links[worker].name) quarantined for this run: \(reason); its work goes to the others")
        stateChanged()
    }

    /// Pinned placement: every item goes to its circuit's home, or to a stand-in of the same
    /// profile; items whose home and stand-ins are all down come back apart.
    private func pinnedAssignment(
        _ items: [Int],
        of batch: EvaluationBatch,
        ready: [Int]
    ) -> (assignment: [Int: [Int]], unplaceable: [Int]) {
        guard let pinned else { return ([:], items) }
        var assignment: [Int: [Int]] = [:]
        var unplaceable: [Int] = []
        for item in items {
            let circuit = batch.items[item].circuit
            let target = pinned.target(for: circuit, qubits: circuits[circuit].qubitCount) { worker in
                ready.contains(worker) && links[worker].localIndex[circuit] != nil
            }
            if let target { assignment[target, default: []].append(item) } else { unplaceable.append(item) }
        }
        return (assignment, unplaceable)
    }

    /// The part of `batch` for one worker, in its own circuit numbering.
    private func subBatch(_ items: [Int], of batch: EvaluationBatch, for worker: Int) -> Message {
        let local = links[worker].localIndex
        let requests = items.map { item in
            var request = batch.items[item]
            request.circuit = local[request.circuit]!
            return request
        }
        return .evaluate(
            EvaluationBatch(items: requests, method: batch.method, shots: batch.shots, parameterVersion: version)
        )
    }

    /// Errors a retry on another worker cannot cure end the evaluation at once.
    private func throwIfNotRetryable(_ error: any Error, worker: Int) throws {
        if let error = error as? ClusterError, case .workerRefused(_, let code, let message) = error,
            !code.isRetryableElsewhere
        {
            throw ClusterError.workerRefused(worker: links[worker].name, code: code, message: message)
        }
    }

    private func throwIfNotRetryable(_ message: Message, worker: Int) throws {
        if case .error(let code, let text) = message, !code.isRetryableElsewhere {
            throw ClusterError.workerRefused(worker: links[worker].name, code: code, message: text)
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
    /// requests to every worker go out at once. A request that cannot be sent is answered
    /// with the error at once.
    private func start(
        _ message: Message,
        on worker: Int,
        answering index: Int,
        of round: ReplyRound,
        timeout: Duration
    ) {
        guard case .ready(let ready) = links[worker].state else {
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

    private func launch(_ body: @escaping @Sendable (ClusterExecutor) async -> Void) {
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
        accounting.workers[worker].profile = hello.profile
        links[worker].connections += 1
        let generation = links[worker].connections
        links[worker].state = .ready(WorkerLink.Ready(connection: connection, hello: hello, generation: generation))
        lastHeard.withLock { $0[worker] = clock.now }
        stateChanged()
        if links[worker].connections > 1 { accounting.workers[worker].reconnects += 1 }
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
        lastPlacement = nil
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
        accounting.workers[worker].connectionsLost += 1
        ready.connection.close()
        lastPlacement = nil
        links[worker].state = .down(since: clock.now, error: "\(error)")
        for entry in replies.takeAll(where: { $0.worker == worker }) { entry.fulfil(.failure(error)) }
        stateChanged()
    }

    /// Waits until every worker of the cluster is connected (pinned placement maps circuits
    /// over all of them), for at most `giveUpAfter`.
    private func waitForEveryWorker() async throws {
        let deadline = clock.now + configuration.giveUpAfter
        while !links.allSatisfy(\.isReady) {
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
            if clock.now >= deadline {
                throw ClusterError.noCapableWorker(
                    workers: links.map { "\($0.name) (\($0.endpoint)): \($0.lastError ?? "not ready")" },
                    waitedSeconds: configuration.giveUpAfter.seconds
                )
            }
            try await stateChange(before: deadline)
        }
    }

    /// Suspends until a worker changes state (ready, circuits or parameters installed, lost,
    /// quarantined; or shutdown) or `deadline` passes, whichever comes first: waiting for a
    /// worker costs no wake-ups while nothing happens, and none of latency when it does.
    /// - Throws: `ClusterError.shutDown` once the executor is shut down.
    private func stateChange(before deadline: ContinuousClock.Instant) async throws {
        if isShutDown { throw ClusterError.shutDown }
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

    /// Wakes every task waiting in `stateChange(before:)`: they look again at the links.
    private func stateChanged() {
        let waiters = changeWaiters.values
        changeWaiters = [:]
        for waiter in waiters { waiter.resume() }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
