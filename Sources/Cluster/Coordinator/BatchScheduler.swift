import ClusterProtocol
import QPUProfiles
import VariationalCircuits

/// Evaluates batches on the workers `WorkerSupervisor` keeps ready: splits each batch into one
/// sub-batch per worker, checks every reply, sends the items of a failed or impossible reply
/// to another worker and, with `--verify-fraction`, evaluates a seeded share of items again.
///
/// Apart from supervision so that what runs where has one owner: the scheduler never touches a
/// connection, it places a round on a `ReadyWorkers` snapshot and has the supervisor send it.
/// It runs on the supervisor's executor, so asking the supervisor costs no thread switch.
actor BatchScheduler {
    let configuration: ClusterConfiguration
    private let workers: WorkerSupervisor
    private var circuits: [SubVQC] = []
    /// Per circuit, the counts its replies are checked against and placement weighs items by.
    private var shapes: [ReplyCheck.Shape] = []
    private var version: UInt64 = 0
    /// Whether `setParameters` was called since the last `load`: workers can evaluate nothing
    /// before, and a batch must not wait for them for ever.
    private var hasParameters = false
    /// The last placement of a whole batch, reused while the batch has the same circuits in the
    /// same order and the same workers are ready with the same circuits: a training run asks
    /// for the same shape at every time step, and placing it again would cost as much as
    /// sending it.
    private var lastPlacement: PlacementCache?
    /// Each circuit's home QPU when placement is pinned; `nil` for free placement.
    private var pinned: PinnedPlacement?
    /// Per worker with a timed profile, each circuit's modelled duration (for accounting).
    private var modelledCircuitSeconds: [Int: [Double]] = [:]
    /// What ran where; the supervisor adds what the connections did.
    private(set) var accounting: ClusterAccounting
    /// The coordinator's own simulation, with `--verify-fraction`: the judge when two results of
    /// an item disagree, and the second QPU when no other worker holds the circuit.
    private let reference: LocalExecutor?
    private let clock = ContinuousClock()

    private struct PlacementCache {
        let method: DifferentiationMethod?
        let circuits: [Int]
        let workers: [Int]
        /// `ReadyWorkers.layout` when it was placed.
        let layout: Int
        let assignment: [Int: [Int]]
        let unplaceable: [Int]
    }

    nonisolated var unownedExecutor: UnownedSerialExecutor { workers.unownedExecutor }

    init(configuration: ClusterConfiguration, workers: WorkerSupervisor) {
        self.configuration = configuration
        self.workers = workers
        reference = configuration.verification.map { _ in LocalExecutor() }
        accounting = ClusterAccounting(
            workers: configuration.workers.map { .init(name: $0.name, address: "\($0.endpoint)") }
        )
    }

    // MARK: - Circuits and parameters

    /// Makes `circuits` the run's circuits: pins them to QPUs when profiles call for it, and has
    /// the supervisor install them on every worker.
    /// - Throws: what `PinnedPlacement` throws; `ClusterError.verificationNeedsExactResults`
    ///   with verification on a noisy profile.
    func load(_ circuits: [SubVQC]) async throws {
        self.circuits = circuits
        shapes = circuits.map(ReplyCheck.Shape.init)
        hasParameters = false
        lastPlacement = nil
        pinned = nil
        await workers.hold(circuits)
        var hellos = await workers.hellos()
        let noisy = hellos.contains { hello in
            guard let hello else { return false }
            return !PinnedPlacement.idealProfiles.contains(hello.profile)
        }
        if configuration.declaresPinning || noisy {
            let every = try await workers.waitForEveryWorker()
            hellos = every
            let qpus = zip(configuration.workers, every).map { worker, hello in
                PinnedPlacement.QPU(name: worker.name, capacity: Int(hello.qubitCapacity), profile: hello.profile)
            }
            let placement = try PinnedPlacement(circuits: circuits, qpus: qpus, placement: configuration.placement)
            pinned = placement
            accounting.placement = placement.describe(circuits)
        }
        modelledCircuitSeconds = [:]
        if configuration.verification != nil {
            let profiles = configuration.workers.map { $0.profile?.name } + hellos.map { $0?.profile }
            if let noisy = profiles.compactMap({ $0 }).first(where: { !Verification.canVerify(profile: $0) }) {
                throw ClusterError.verificationNeedsExactResults(
                    reason: "a worker emulates the noisy profile \(noisy)"
                )
            }
            try await reference?.load(circuits)
        }
        await workers.installCircuitsOnReadyWorkers()
    }

    func setParameters(_ parameters: [[Double]], version: UInt64) async throws {
        guard parameters.count == circuits.count else {
            throw ExecutorError.parameterSetCount(expected: circuits.count, got: parameters.count)
        }
        self.version = version
        hasParameters = true
        await workers.hold(parameters, version: version)
        try await reference?.setParameters(parameters, version: version)
        await workers.installParametersOnReadyWorkers()
    }

    /// Each sub-VQC's QPU when placement is pinned (`forget/0 -> qpu-a (profile)`).
    func pinnedPlacement() -> [String]? { pinned?.describe(circuits) }

    // MARK: - Evaluation

    /// Evaluates `batch` on the ready workers, one frame per worker per round, until every item
    /// has an accepted result.
    /// - Throws: `ClusterError.noCapableWorker` or `.pinnedQPULost` after `giveUpAfter` without
    ///   progress; `.workerRefused` for a refusal no other worker can cure.
    func evaluate(_ batch: EvaluationBatch) async throws -> [CircuitEvaluation] {
        guard batch.parameterVersion == version else {
            throw ExecutorError.parameterVersion(expected: version, got: batch.parameterVersion)
        }
        if configuration.verification != nil, let shots = batch.shots {
            throw ClusterError.verificationNeedsExactResults(reason: "this run samples \(shots) shots per circuit")
        }
        for item in batch.items where !circuits.indices.contains(item.circuit) {
            throw ExecutorError.unknownCircuit(item.circuit, loaded: circuits.count)
        }
        guard hasParameters || batch.items.isEmpty else { throw ExecutorError.parametersNotSet }
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
            let ready =
                pinned == nil
                ? try await workers.readyWorkers(holdingAll: remaining.map { batch.items[$0].circuit })
                : await workers.readyWorkers()
            // Workers that failed during this call are used again only when nobody else can.
            let preferred = ready.indices.filter { !failedThisCall.contains($0) }
            let (assignment, unplaceable) =
                pinned != nil
                ? pinnedAssignment(remaining, of: batch, on: ready)
                : place(remaining, of: batch, on: preferred.isEmpty ? ready.indices : preferred, of: ready)
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
                try await workers.stateChange(
                    after: ready.changes,
                    before: (homelessSince ?? clock.now) + configuration.giveUpAfter
                )
                continue
            }
            // One frame per worker, all in flight at once.
            let plan = assignment.keys.sorted().map { index in
                let (worker, items) = (ready[index]!, assignment[index]!)
                return (worker: worker, items: items, message: subBatch(items, of: batch, for: worker))
            }
            let round = ReplyRound(requests: plan.count)
            let sent = clock.now
            for request in plan {
                framesPerWorker[request.worker.index, default: 0] += 1
                accounting.roundTrips += 1
            }
            await workers.send(plan.map { ($0.worker, $0.message) }, answering: round)
            let answers = await round.answers()
            let arrivals = round.arrivals()
            remaining = unplaceable
            var acceptedThisRound: [(item: Int, worker: Int)] = []
            let waiting = remaining.count + plan.reduce(0) { $0 + $1.items.count }
            for ((request, outcome), arrival) in zip(zip(plan, answers), arrivals) {
                let (worker, items) = (request.worker.index, request.items)
                accounting.workers[worker].roundTripSeconds += ((arrival ?? clock.now) - sent).seconds
                if case .success(.result(let evaluations, let usage)) = outcome,
                    let problem = ReplyCheck.problem(
                        evaluations,
                        usage: usage,
                        items: items.map { batch.items[$0] },
                        shapes: shapes,
                        method: batch.method,
                        shots: batch.shots,
                        slots: Int(request.worker.hello.qpuSlots)
                    )
                {
                    // Never used: the items go to another worker, this one to quarantine.
                    await workers.quarantine(worker, because: "its reply was impossible: \(problem)")
                    failedThisCall.insert(worker)
                    remaining += items
                    continue
                }
                switch outcome {
                case .success(.result(let evaluations, let usage)):
                    for (item, evaluation) in zip(items, evaluations) { results[item] = evaluation }
                    answered[worker, default: []] += items
                    acceptedThisRound += items.map { (item: $0, worker: worker) }
                    account(usage, of: worker)
                    if case .evaluate(let sub) = request.message { accountModelledTime(of: sub, on: request.worker) }
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
                    throw await workers.noCapableWorker(otherwise: "failed its requests")
                }
                // A pause before the same workers are asked again, cut short by any change.
                try await workers.stateChange(before: clock.now + .milliseconds(20))
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
        let ready = await workers.readyWorkers()
        var checks: [Int: [(item: Int, worker: Int)]] = [:]
        /// Items to settle in process, with the second worker's result when there was one.
        var disputed: [(item: Int, worker: Int, second: (worker: Int, evaluation: CircuitEvaluation)?)] = []
        for entry in selected {
            let circuit = batch.items[entry.item].circuit
            let others = ready.workers.filter { $0.index != entry.worker && $0.localIndex[circuit] != nil }
            // The next worker after the one that answered: checks spread over the cluster.
            if let verifier = others.first(where: { $0.index > entry.worker }) ?? others.first {
                checks[verifier.index, default: []].append(entry)
            } else {
                disputed.append((entry.item, entry.worker, nil))
            }
        }
        let plan = checks.keys.sorted().map { (verifier: ready[$0]!, entries: checks[$0]!) }
        let round = ReplyRound(requests: plan.count)
        let sent = clock.now
        accounting.roundTrips += UInt64(plan.count)
        await workers.send(
            plan.map { ($0.verifier, subBatch($0.entries.map(\.item), of: batch, for: $0.verifier)) },
            answering: round
        )
        let answers = await round.answers()
        var quarantined: [Int] = []
        for (((verifier, entries), outcome), arrival) in zip(zip(plan, answers), round.arrivals()) {
            accounting.workers[verifier.index].roundTripSeconds += ((arrival ?? clock.now) - sent).seconds
            guard case .success(.result(let evaluations, let usage)) = outcome else {
                // Lost, timed out or refused: the coordinator checks these items itself.
                disputed += entries.map { ($0.item, $0.worker, nil) }
                continue
            }
            if let problem = ReplyCheck.problem(
                evaluations,
                usage: usage,
                items: entries.map { batch.items[$0.item] },
                shapes: shapes,
                method: batch.method,
                shots: batch.shots,
                slots: Int(verifier.hello.qpuSlots)
            ) {
                await workers.quarantine(verifier.index, because: "its reply was impossible: \(problem)")
                quarantined.append(verifier.index)
                disputed += entries.map { ($0.item, $0.worker, nil) }
                continue
            }
            account(usage, of: verifier.index)
            for (entry, evaluation) in zip(entries, evaluations)
            where Verification.difference(results[entry.item]!, from: evaluation) != nil {
                disputed.append((entry.item, entry.worker, (verifier.index, evaluation)))
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
            await workers.quarantine(worker, because: reason)
            quarantined.append(worker)
        }
        return quarantined
    }

    // MARK: - Placement and requests

    /// Free placement of `items` on `candidates` (indices of `ready`), reusing the last
    /// placement of the whole batch while nothing it depends on changed.
    private func place(
        _ items: [Int],
        of batch: EvaluationBatch,
        on candidates: [Int],
        of ready: ReadyWorkers
    ) -> (assignment: [Int: [Int]], unplaceable: [Int]) {
        let isWholeBatch = items.count == batch.items.count
        if isWholeBatch, let cached = lastPlacement, cached.method == batch.method, cached.workers == candidates,
            cached.layout == ready.layout, cached.circuits.elementsEqual(batch.items.lazy.map(\.circuit))
        {
            return (cached.assignment, cached.unplaceable)
        }
        let placement = computePlacement(items, of: batch, on: candidates.map { ready[$0]! })
        if isWholeBatch {
            lastPlacement = PlacementCache(
                method: batch.method,
                circuits: batch.items.map(\.circuit),
                workers: candidates,
                layout: ready.layout,
                assignment: placement.assignment,
                unplaceable: placement.unplaceable
            )
        }
        return placement
    }

    private func computePlacement(
        _ items: [Int],
        of batch: EvaluationBatch,
        on workers: [ReadyWorkers.Worker]
    ) -> (assignment: [Int: [Int]], unplaceable: [Int]) {
        let candidates = workers.map { worker in
            let held = worker.localIndex
            return Placement.Candidate(
                worker: worker.index,
                slots: max(1, Int(worker.hello.qpuSlots)),
                holds: { held[$0] != nil }
            )
        }
        let method = batch.method
        let qubits = circuits.map(\.qubitCount)
        let shapes = self.shapes
        return Placement.assign(
            items,
            circuitOf: { batch.items[$0].circuit },
            cost: { circuit in
                let runs = SubVQC.circuitRuns(differentiableGates: shapes[circuit].differentiableGates, method: method)
                return Double(1 << qubits[circuit]) * Double(runs)
            },
            to: candidates
        )
    }

    /// Pinned placement: every item goes to its circuit's home, or to a stand-in of the same
    /// profile; items whose home and stand-ins are all down come back apart.
    private func pinnedAssignment(
        _ items: [Int],
        of batch: EvaluationBatch,
        on ready: ReadyWorkers
    ) -> (assignment: [Int: [Int]], unplaceable: [Int]) {
        guard let pinned else { return ([:], items) }
        var assignment: [Int: [Int]] = [:]
        var unplaceable: [Int] = []
        for item in items {
            let circuit = batch.items[item].circuit
            let target = pinned.target(for: circuit, qubits: circuits[circuit].qubitCount) { worker in
                ready[worker]?.localIndex[circuit] != nil
            }
            if let target { assignment[target, default: []].append(item) } else { unplaceable.append(item) }
        }
        return (assignment, unplaceable)
    }

    /// The part of `batch` for one worker, in its own circuit numbering.
    private func subBatch(_ items: [Int], of batch: EvaluationBatch, for worker: ReadyWorkers.Worker) -> Message {
        let requests = items.map { item in
            var request = batch.items[item]
            request.circuit = worker.localIndex[request.circuit]!
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
            throw ClusterError.workerRefused(worker: configuration.workers[worker].name, code: code, message: message)
        }
    }

    private func throwIfNotRetryable(_ message: Message, worker: Int) throws {
        if case .error(let code, let text) = message, !code.isRetryableElsewhere {
            throw ClusterError.workerRefused(worker: configuration.workers[worker].name, code: code, message: text)
        }
    }

    // MARK: - Accounting

    /// Counts an accepted reply: one request, and what each QPU slot did for it.
    private func account(_ usage: [SlotUsage], of worker: Int) {
        accounting.workers[worker].requests += 1
        for slot in usage {
            accounting.workers[worker].add(
                slot: Int(slot.slot),
                circuits: slot.circuits,
                shots: slot.shots,
                busySeconds: slot.busySeconds
            )
        }
    }

    /// Adds a request's modelled QPU time to its worker's account (nothing to add for an
    /// untimed profile such as `ideal`, so free clusters pay nothing for it).
    private func accountModelledTime(of request: EvaluationBatch, on worker: ReadyWorkers.Worker) {
        guard let profile = profile(of: worker) else { return }
        guard
            profile.jobSeconds > 0 || profile.shotSeconds > 0 || profile.gateSeconds1q > 0 || profile.gateSeconds2q > 0
        else {
            accounting.workers[worker.index].modelledQPUSeconds = 0
            return
        }
        let seconds = modelledCircuitSeconds[worker.index] ?? circuits.map { profile.circuitSeconds($0) }
        modelledCircuitSeconds[worker.index] = seconds
        // The request is in the worker's numbering: its circuits are a subset of ours.
        let global = worker.localIndex.sorted { $0.value < $1.value }.map(\.key)
        accounting.workers[worker.index].modelledQPUSeconds =
            (accounting.workers[worker.index].modelledQPUSeconds ?? 0)
            + profile.requestSeconds(
                request,
                differentiableGates: global.map { shapes[$0].differentiableGates },
                circuitSeconds: global.map { seconds[$0] }
            )
    }

    /// The figures of a worker's profile: as cluster.json declares it, or the built-in of the
    /// name it announced; `nil` for a profile file the coordinator was not given.
    private func profile(of worker: ReadyWorkers.Worker) -> QPUProfile? {
        if let declared = configuration.workers[worker.index].profile { return declared }
        if worker.hello.profile == "statevector" { return .ideal }
        return QPUProfile.builtIns.first { $0.name == worker.hello.profile }
    }
}
