import ClusterProtocol
import Dispatch
import QPUProfiles
import VariationalCircuits

#if canImport(Glibc)
import Glibc
#endif

/// One connection's circuits, parameters and executor, and the reply to each request.
///
/// Every check that can name the culprit (which circuit, which item, which input) runs here
/// before the executor sees the request, so an error message says what to change. Request
/// errors are answered under the request's id and leave the state as it was: the connection
/// stays usable.
struct WorkerRequests {
    let executor: LocalExecutor
    let maxQubits: Int
    /// The emulated QPU and, with `timingScale`, how its modelled time is held.
    let profile: QPUProfile
    let timingScale: Double?
    private(set) var circuits: [SubVQC] = []
    /// Per loaded circuit, its modelled duration on `profile` (for emulated timing).
    private var circuitSeconds: [Double] = []
    /// Per loaded circuit: its work and memory figures (read per item by `cost(of:)`, so worked
    /// out once at load).
    private var footprints: [CircuitFootprint] = []
    /// The version last set since the circuits were loaded; `nil` before the first.
    private(set) var parameterVersion: UInt64?
    /// Bytes of the loaded circuits, and of their compiled forms once parameters are set.
    private var loadedBytes = 0
    private var compiledBytes = 0
    /// At most what the executor keeps in workspaces between batches: what batches since the
    /// last reset allocated, up to one workspace per thread and circuit (`workspaceCeiling`).
    private var retainedWorkspaceBytes = 0
    private var workspaceCeiling = 0

    init(slots: Int, lanes: Int, maxQubits: Int, profile: QPUProfile = .ideal, timingScale: Double? = nil) {
        // The QPU's noise shapes every result; its shots apply when a batch asks for none.
        executor = LocalExecutor(threads: slots, lanes: lanes, noise: profile.noiseModel, defaultShots: profile.shots)
        self.maxQubits = maxQubits
        self.profile = profile
        self.timingScale = timingScale
    }

    /// Whether the connection's reader may answer a cheap request itself. Not for an emulated
    /// QPU that holds its replies (the reader must answer pings), nor under noise, whose
    /// density matrices cost far more than the amplitude counts the quick check reads.
    var allowsQuickAnswers: Bool { timingScale == nil && profile.isNoiseless }

    /// Amplitude updates up to which a request counts as quick: about a millisecond on one core
    /// of the development machine. The paper's 3-qubit sub-circuit with parameter-shift
    /// Jacobians is 9,176 per item (31 gates, 37 runs, 8 amplitudes), so 108 items; a worker
    /// evaluated 40 of them in 0.37 - 0.57 ms (a training step's share of one worker).
    static let quickWorkLimit = 1_000_000

    /// Workspaces kept between requests, per connection. Training's small circuits reuse theirs
    /// from one time step to the next (a few MiB at most); larger ones are freed after each
    /// request, where allocating them again costs little beside their work, so that an idle
    /// connection does not sit on gigabytes other connections could use.
    static let workspaceAllowance = 64 << 20

    /// What the connection keeps between requests: circuits, compiled circuits, workspaces.
    var keptBytes: Int { loadedBytes + compiledBytes + retainedWorkspaceBytes }

    /// What answering `message` will cost, worked out from the loaded circuits before any work:
    /// O(items) for an `evaluate`, O(circuits) otherwise.
    func cost(of message: Message) -> RequestCost {
        let kept = keptBytes
        var cost = RequestCost(keptBytes: kept, peakBytes: kept)
        switch message {
        case .loadCircuits(let list):
            // The new list and its figures next to the old; each circuit's gate list (at most
            // a few hundred KiB) is built and dropped in turn while its figures are worked out.
            let loaded = list.reduce(0) { $0 + CircuitFootprint.loadedBytes($1) }
            cost.peakBytes = kept + loaded + list.count * MemoryLayout<CircuitFootprint>.stride + (1 << 20)
        case .setParameters(_, let parameters):
            // The new compiled circuits are built while the old ones are still held.
            let compiled = footprints.reduce(0) { $0 + $1.compiledBytes }
            cost.peakBytes = kept + compiled + parameters.reduce(0) { $0 + 64 + 8 * $1.count }
        case .evaluate(let batch):
            cost = evaluationCost(batch, kept: kept)
        default:
            break
        }
        return cost
    }

    /// The cost of a batch as `LocalExecutor` runs it: items cut into units of up to `lanes` of
    /// one circuit, units dealt to at most `threadCount` threads, each thread with a workspace
    /// per circuit it meets.
    private func evaluationCost(_ batch: EvaluationBatch, kept: Int) -> RequestCost {
        var cost = RequestCost(keptBytes: kept, peakBytes: kept, items: batch.items.count)
        guard parameterVersion != nil else { return cost }
        var counts = [Int](repeating: 0, count: footprints.count)
        // An item naming no loaded circuit makes the request an error reply, computed at once.
        for item in batch.items where counts.indices.contains(item.circuit) { counts[item.circuit] += 1 }
        let lanes = executor.lanes
        let units = counts.reduce(0) { $0 + ($1 + lanes - 1) / lanes }
        let threads = max(1, min(executor.threadCount, units))
        var workspaces = 0
        var sampling = 0
        var results = 0
        var reply = 8 + 26 * threads
        var work = 0
        for (circuit, count) in counts.enumerated() where count > 0 {
            let footprint = footprints[circuit]
            let holders = min(threads, (count + lanes - 1) / lanes)
            workspaces = workspaces.addingClamped(
                holders.multipliedClamped(by: footprint.workspaceBytes(method: batch.method))
            )
            sampling = max(sampling, footprint.samplingBytes(shots: batch.shots))
            results = results.addingClamped(
                count.multipliedClamped(by: footprint.evaluationBytes(method: batch.method))
            )
            reply = reply.addingClamped(count.multipliedClamped(by: footprint.replyBytes(method: batch.method)))
            work = work.addingClamped(
                count.multipliedClamped(by: footprint.work(method: batch.method, shots: batch.shots))
            )
        }
        // The reply is encoded into one frame, beside the results it is encoded from; the
        // executor's unit lists take two words per item.
        cost.itemBytes = results.addingClamped(reply).addingClamped(16 * batch.items.count)
        cost.peakBytes = kept.addingClamped(workspaces).addingClamped(threads.multipliedClamped(by: sampling))
            .addingClamped(cost.itemBytes).addingClamped(FrameHeader.byteCount + 64 << 10)
        cost.workspaceBytes = workspaces
        cost.replyBytes = reply
        cost.work = work
        return cost
    }

    /// The reply to a request (`loadCircuits`, `setParameters` or `evaluate`).
    /// - Parameter cost: `cost(of: message)`, worked out on the same state.
    mutating func reply(to message: Message, cost: RequestCost) -> Message {
        switch message {
        case .loadCircuits(let list): load(list)
        case .setParameters(let version, let parameters): setParameters(parameters, version: version)
        case .evaluate(let batch): evaluate(batch, cost: cost)
        default: .error(code: .unexpectedMessage, message: "\(message.type) is not a request")
        }
    }

    private mutating func load(_ list: [SubVQC]) -> Message {
        if let index = list.firstIndex(where: { $0.qubitCount > maxQubits }) {
            return .error(
                code: .capacityExceeded,
                message:
                    "circuit \(index) (\"\(PeerText(list[index].id))\") has \(list[index].qubitCount) qubits but this worker holds at most \(maxQubits); nothing was loaded: place it on a wider worker"
            )
        }
        executor.loadNow(list)
        circuits = list
        footprints = list.map {
            CircuitFootprint($0, lanes: executor.lanes, densityMatrix: !profile.isNoiseless)
        }
        circuitSeconds = list.map { profile.circuitSeconds($0) }
        parameterVersion = nil
        loadedBytes = list.reduce(0) { $0 + CircuitFootprint.loadedBytes($1) }
        compiledBytes = 0
        retainedWorkspaceBytes = 0
        workspaceCeiling = footprints.reduce(0) { total, footprint in
            total.addingClamped(
                executor.threadCount.multipliedClamped(
                    by: footprint.workspaceBytes(method: .parameterShift) + footprint.outputs * footprint.stateBytes
                )
            )
        }
        return .acknowledged
    }

    private mutating func setParameters(_ parameters: [[Double]], version: UInt64) -> Message {
        guard !circuits.isEmpty else {
            return .error(
                code: .notLoaded,
                message: "no circuits are loaded on this connection: send loadCircuits first"
            )
        }
        guard parameters.count == circuits.count else {
            return .error(
                code: .badRequest,
                message:
                    "\(parameters.count) parameter vectors for \(circuits.count) loaded circuits: send one vector per circuit"
            )
        }
        for (index, (circuit, vector)) in zip(circuits, parameters).enumerated() {
            guard vector.count == circuit.parameterCount else {
                return .error(
                    code: .badRequest,
                    message:
                        "circuit \(index) (\"\(PeerText(circuit.id))\") has \(circuit.parameterCount) parameters but its vector has \(vector.count)"
                )
            }
            if let bad = vector.firstIndex(where: { !$0.isFinite }) {
                return .error(
                    code: .badRequest,
                    message:
                        "parameter \(bad) of circuit \(index) is not finite (NaN or infinity): check the learning rate"
                )
            }
        }
        do {
            try executor.setParametersNow(parameters, version: version)
        } catch {
            return Self.refusal(error)
        }
        parameterVersion = version
        compiledBytes = footprints.reduce(0) { $0 + $1.compiledBytes }
        // New parameters compile new circuits, and their workspaces start afresh.
        retainedWorkspaceBytes = 0
        return .acknowledged
    }

    private mutating func evaluate(_ batch: EvaluationBatch, cost: RequestCost) -> Message {
        guard !circuits.isEmpty else {
            return .error(
                code: .notLoaded,
                message: "no circuits are loaded on this connection: send loadCircuits and setParameters first"
            )
        }
        guard let current = parameterVersion else {
            return .error(
                code: .notLoaded,
                message: "no parameters are set for the loaded circuits: send setParameters first"
            )
        }
        guard batch.parameterVersion == current else {
            return .error(
                code: .parameterVersionMismatch,
                message:
                    "the batch needs parameter version \(batch.parameterVersion) but version \(current) is set: send setParameters with version \(batch.parameterVersion) first"
            )
        }
        do {
            try PreparedCircuit.checkShots(batch.shots, method: batch.method)
        } catch {
            return .error(code: .badRequest, message: error.description)
        }
        for (index, item) in batch.items.enumerated() {
            guard circuits.indices.contains(item.circuit) else {
                return .error(
                    code: .notLoaded,
                    message:
                        "item \(index) names circuit \(item.circuit) but \(circuits.count) circuits are loaded: send loadCircuits first"
                )
            }
            let circuit = circuits[item.circuit]
            guard item.inputs.count == circuit.inputCount else {
                return .error(
                    code: .badRequest,
                    message:
                        "item \(index): circuit \(item.circuit) (\"\(PeerText(circuit.id))\") takes \(circuit.inputCount) inputs but was given \(item.inputs.count)"
                )
            }
            if let bad = item.inputs.firstIndex(where: { !$0.isFinite }) {
                return .error(
                    code: .badRequest,
                    message:
                        "input \(bad) of item \(index) is not finite (NaN or infinity): check the data and the learning rate"
                )
            }
        }
        do {
            let start = DispatchTime.now().uptimeNanoseconds
            let (results, usage) = try executor.evaluateNow(batch)
            keepOrDiscardWorkspaces(adding: cost.workspaceBytes)
            if let timingScale {
                return .result(
                    evaluations: results,
                    usage: [hold(batch, usage: usage, since: start, scale: timingScale)]
                )
            }
            let slots = usage.filter { $0.counters.evaluations > 0 }.map { thread in
                SlotUsage(
                    slot: UInt16(clamping: thread.thread),
                    circuits: thread.counters.circuits,
                    shots: thread.counters.shots,
                    busySeconds: thread.busySeconds
                )
            }
            return .result(evaluations: results, usage: slots)
        } catch {
            return Self.refusal(error)
        }
    }

    /// Emulated timing: sleeps until the request's modelled QPU time, times `scale`, has passed
    /// since `start` (sleeping, so a machine emulates more QPUs than it has cores), and
    /// reports the QPU as one slot busy for the whole hold.
    private func hold(_ batch: EvaluationBatch, usage: [ThreadUsage], since start: UInt64, scale: Double) -> SlotUsage {
        let modelled = profile.requestSeconds(
            batch,
            differentiableGates: footprints.map(\.differentiableGates),
            circuitSeconds: circuitSeconds
        ) * scale
        // The item count is the peer's and the profile's times the operator's: a product past
        // what UInt64 nanoseconds hold means "for ever", never a trap.
        let nanoseconds = modelled * 1e9
        let end = nanoseconds < Double(UInt64.max - start) ? start + UInt64(nanoseconds) : UInt64.max
        var now = DispatchTime.now().uptimeNanoseconds
        while now < end {
            let remaining = end - now
            var pause = timespec(tv_sec: Int(remaining / 1_000_000_000), tv_nsec: Int(remaining % 1_000_000_000))
            nanosleep(&pause, nil)
            now = DispatchTime.now().uptimeNanoseconds
        }
        return SlotUsage(
            slot: 0,
            circuits: usage.reduce(0) { $0 + $1.counters.circuits },
            shots: usage.reduce(0) { $0 + $1.counters.shots },
            busySeconds: Double(now - start) / 1e9
        )
    }

    /// Counts the workspaces a batch may have added, and frees them all once they could be more
    /// than `workspaceAllowance`.
    private mutating func keepOrDiscardWorkspaces(adding workspaces: Int) {
        retainedWorkspaceBytes = min(retainedWorkspaceBytes.addingClamped(workspaces), workspaceCeiling)
        if retainedWorkspaceBytes > Self.workspaceAllowance {
            executor.discardWorkspaces()
            retainedWorkspaceBytes = 0
        }
    }

    /// The error reply for what the executor threw: the request's fault (`badRequest`), a state
    /// the coordinator can fix (`notLoaded`, `parameterVersionMismatch`), or ours.
    private static func refusal(_ error: any Error) -> Message {
        switch error {
        case let error as VariationalCircuitError:
            return .error(code: .badRequest, message: error.description)
        case ExecutorError.parameterVersion(let expected, let got):
            return .error(
                code: .parameterVersionMismatch,
                message:
                    "the batch needs parameter version \(got) but version \(expected) is set: send setParameters first"
            )
        case let error as ExecutorError:
            if case .parameterSetCount = error { return .error(code: .badRequest, message: error.description) }
            return .error(code: .notLoaded, message: error.description)
        default:
            return .error(code: .internalError, message: "the worker failed: \(error)")
        }
    }
}
