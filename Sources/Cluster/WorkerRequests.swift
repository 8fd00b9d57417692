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
    /// Per loaded circuit: amplitude updates of one run (2^qubits x gates), and its
    /// differentiable gates (read per item by `isQuick`, so computed once at load).
    private var runWork: [Int] = []
    private var differentiableGates: [Int] = []
    /// The version last set since the circuits were loaded; `nil` before the first.
    private(set) var parameterVersion: UInt64?

    init(slots: Int, lanes: Int, maxQubits: Int, profile: QPUProfile = .ideal, timingScale: Double? = nil) {
        // The QPU's noise shapes every result; its shots apply when a batch asks for none.
        executor = LocalExecutor(threads: slots, lanes: lanes, noise: profile.noiseModel, defaultShots: profile.shots)
        self.maxQubits = maxQubits
        self.profile = profile
        self.timingScale = timingScale
    }

    /// Amplitude updates up to which a request counts as quick: about a millisecond on one core
    /// of the development machine. The paper's 3-qubit sub-circuit with parameter-shift
    /// Jacobians is 9,176 per item (31 gates, 37 runs, 8 amplitudes), so 108 items; a worker
    /// evaluated 40 of them in 0.37 - 0.57 ms (a training step's share of one worker).
    static let quickWorkLimit = 1_000_000

    /// Whether answering `message` takes at most about a millisecond, so that the connection's
    /// reader may answer it itself (a ping then waits at most that long) instead of waking the
    /// request queue: one thread wake-up less on every time step.
    func isQuick(_ message: Message) -> Bool {
        guard case .evaluate(let batch) = message else { return true }
        // An emulated QPU holds its reply: never on the reader, which must answer pings.
        if timingScale != nil { return false }
        var work = 0
        for item in batch.items {
            // A request that names an unknown circuit gets an error reply: quick.
            guard runWork.indices.contains(item.circuit) else { return true }
            // The adjoint sweep costs about three forward runs.
            let runs =
                SubVQC.circuitRuns(differentiableGates: differentiableGates[item.circuit], method: batch.method)
                * (batch.method == .adjoint ? 3 : 1)
            work += runWork[item.circuit] * runs + runs * (batch.shots ?? 0)
            if work > Self.quickWorkLimit { return false }
        }
        return true
    }

    /// The reply to a request (`loadCircuits`, `setParameters` or `evaluate`).
    mutating func reply(to message: Message) -> Message {
        switch message {
        case .loadCircuits(let list): load(list)
        case .setParameters(let version, let parameters): setParameters(parameters, version: version)
        case .evaluate(let batch): evaluate(batch)
        default: .error(code: .unexpectedMessage, message: "\(message.type) is not a request")
        }
    }

    private mutating func load(_ list: [SubVQC]) -> Message {
        if let index = list.firstIndex(where: { $0.qubitCount > maxQubits }) {
            return .error(
                code: .capacityExceeded,
                message:
                    "circuit \(index) (\"\(PeerConnection.clipped(list[index].id))\") has \(list[index].qubitCount) qubits but this worker holds at most \(maxQubits); nothing was loaded: place it on a wider worker"
            )
        }
        executor.loadNow(list)
        circuits = list
        // A density matrix (a noisy profile) holds 4^n numbers where a state holds 2^n: a
        // request the reader would answer at once must be judged by that, or it starves pings.
        let noisy = !profile.isNoiseless
        runWork = list.map { (1 << ($0.qubitCount * (noisy ? 2 : 1))) * $0.gates.count }
        circuitSeconds = list.map { profile.circuitSeconds($0) }
        differentiableGates = list.map(\.differentiableGateCount)
        parameterVersion = nil
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
                        "circuit \(index) (\"\(PeerConnection.clipped(circuit.id))\") has \(circuit.parameterCount) parameters but its vector has \(vector.count)"
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
        return .acknowledged
    }

    private func evaluate(_ batch: EvaluationBatch) -> Message {
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
                        "item \(index): circuit \(item.circuit) (\"\(PeerConnection.clipped(circuit.id))\") takes \(circuit.inputCount) inputs but was given \(item.inputs.count)"
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
        let modelled = profile.requestSeconds(batch, circuits: circuits, circuitSeconds: circuitSeconds) * scale
        let end = start + UInt64(modelled * 1e9)
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
