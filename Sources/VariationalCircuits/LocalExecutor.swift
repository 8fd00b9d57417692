import Dispatch
import QuantumSimulator
import Synchronization

/// Runs circuit batches in this process on every core: the executor of in-process training,
/// and the engine behind each QPU worker's slots.
///
/// A batch is cut into units of up to `lanes` items of the same circuit (single items under
/// noise); threads take units in turn, each with its own workspaces. Every item's result
/// depends only on its circuit, parameters, inputs and seed, never on the unit or thread that
/// computed it.
///
/// With a noise model other than `.ideal`, circuits run as `NoisyCircuit`s (a density matrix or
/// trajectories, one input at a time); the ideal model keeps the exact state-vector path.
public final class LocalExecutor: CircuitExecutor {
    /// The number of threads that evaluate a batch.
    public let threadCount: Int
    /// Inputs evaluated together in one state buffer (see `PreparedCircuit.Workspace`).
    public let lanes: Int
    /// The emulated QPU's noise.
    public let noise: NoiseModel
    /// How noisy circuits are simulated.
    public let noiseSimulation: NoiseSimulation
    /// Shots for batches that ask for exact expectations (`shots == nil`): a real QPU only
    /// ever returns samples. `nil` keeps exact expectations.
    public let defaultShots: Int?

    private struct State: Sendable {
        var circuits: [SubVQC] = []
        var prepared: [Compiled?] = []
        var version: UInt64 = 0
        /// Per thread: scratch kept between batches.
        var workspaces: [Workspaces] = []
        var counters = ExecutionCounters()
    }

    /// One thread's scratch, per circuit.
    private struct Workspaces: Sendable {
        var exact: [Int: PreparedCircuit.Workspace] = [:]
        var noisy: [Int: NoisyCircuit.Workspace] = [:]
    }

    private let state: Mutex<State>
    /// Runs the CPU-bound work off the cooperative thread pool.
    private let queue = DispatchQueue(label: "qlstm.local-executor")

    /// - Parameters:
    ///   - noise: the QPU's noise; checked (`NoiseModel.validate()`) when parameters are set.
    ///   - defaultShots: shots for batches that ask for none; checked when a batch runs.
    public init(
        threads: Int = Parallel.threadCount,
        lanes: Int = 16,
        noise: NoiseModel = .ideal,
        noiseSimulation: NoiseSimulation = .automatic,
        defaultShots: Int? = nil
    ) {
        threadCount = max(1, threads)
        self.lanes = lanes
        self.noise = noise
        self.noiseSimulation = noiseSimulation
        self.defaultShots = defaultShots
        state = Mutex(State(workspaces: Array(repeating: Workspaces(), count: max(1, threads))))
    }

    public func executionCounters() async -> ExecutionCounters { state.withLock { $0.counters } }

    public func load(_ circuits: [SubVQC]) async throws { loadNow(circuits) }

    /// `load(_:)` on the calling thread, for callers outside Swift concurrency (a worker's
    /// request queue).
    public func loadNow(_ circuits: [SubVQC]) {
        state.withLock {
            $0.circuits = circuits
            $0.prepared = Array(repeating: nil, count: circuits.count)
            $0.workspaces = Array(repeating: Workspaces(), count: threadCount)
        }
    }

    /// Frees the scratch kept between batches (the next batch allocates it again): for a worker
    /// that must not keep large workspaces while its connection is idle.
    public func discardWorkspaces() {
        state.withLock { $0.workspaces = Array(repeating: Workspaces(), count: threadCount) }
    }

    public func setParameters(_ parameters: [[Double]], version: UInt64) async throws {
        try setParametersNow(parameters, version: version)
    }

    /// `setParameters(_:version:)` on the calling thread.
    public func setParametersNow(_ parameters: [[Double]], version: UInt64) throws {
        try noise.validate()
        let circuits = state.withLock { $0.circuits }
        guard parameters.count == circuits.count else {
            throw ExecutorError.parameterSetCount(expected: circuits.count, got: parameters.count)
        }
        var prepared: [Compiled?] = []
        for (circuit, values) in zip(circuits, parameters) {
            let exact = try PreparedCircuit(circuit, parameters: values)
            let noisy = noise.isIdeal ? nil : try NoisyCircuit(exact, noise: noise, simulation: noiseSimulation)
            prepared.append(Compiled(exact, noisy: noisy))
        }
        state.withLock { state in
            state.prepared = prepared
            state.version = version
            // Workspaces belong to a compiled circuit; new parameters compile new ones.
            state.workspaces = Array(repeating: Workspaces(), count: threadCount)
        }
    }

    public func evaluate(_ batch: EvaluationBatch) async throws -> [CircuitEvaluation] {
        try await evaluateMeasuringUsage(batch).results
    }

    /// Evaluates a batch and says what each thread did (a worker reports it per QPU slot).
    ///
    /// One thread's worth of work runs on the caller's thread (two thread hops would cost more
    /// than a small batch); more runs off the cooperative pool, on `threadCount` threads.
    public func evaluateMeasuringUsage(
        _ batch: EvaluationBatch
    ) async throws -> (results: [CircuitEvaluation], usage: [ThreadUsage]) {
        let work = try plan(batch)
        if work.threads == 1 { return finish(work, run(work)) }
        let outcome = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.run(work)) }
        }
        return finish(work, outcome)
    }

    /// `evaluateMeasuringUsage(_:)` on the calling thread, which it blocks while `threadCount`
    /// threads work: for callers outside Swift concurrency (a worker's request queue).
    public func evaluateNow(_ batch: EvaluationBatch) throws -> (results: [CircuitEvaluation], usage: [ThreadUsage]) {
        let work = try plan(batch)
        return finish(work, run(work))
    }

    /// A checked batch cut into units, with the compiled circuits and workspaces it needs.
    private struct Work: Sendable {
        /// The batch, with `defaultShots` in place of no shots.
        let batch: EvaluationBatch
        let prepared: [Compiled?]
        let units: [(circuit: Int, items: [Int])]
        let workspaces: [Workspaces]
        /// 1 when a single thread has enough to do, else every thread.
        let threads: Int
    }

    private typealias Outcome = (results: [CircuitEvaluation], workspaces: [Workspaces], usage: [ThreadUsage])

    private func plan(_ requested: EvaluationBatch) throws -> Work {
        let (prepared, version) = state.withLock { ($0.prepared, $0.version) }
        guard requested.parameterVersion == version else {
            throw ExecutorError.parameterVersion(expected: version, got: requested.parameterVersion)
        }
        var batch = requested
        if batch.shots == nil { batch.shots = defaultShots }
        if noise.isIdeal {
            try PreparedCircuit.checkShots(batch.shots, method: batch.method)
        } else {
            try NoisyCircuit.checkMethod(batch.method, shots: batch.shots)
        }
        // Noisy items run one at a time (a density matrix has no lanes): one item per unit
        // spreads a small batch over every thread.
        let unitSize = noise.isIdeal ? lanes : 1
        var grouped: [(circuit: Int, items: [Int])] = []
        var open: [Int: Int] = [:]
        for (index, item) in batch.items.enumerated() {
            guard prepared.indices.contains(item.circuit) else {
                throw ExecutorError.unknownCircuit(item.circuit, loaded: prepared.count)
            }
            guard let compiled = prepared[item.circuit] else { throw ExecutorError.parametersNotSet }
            try PreparedCircuit.checkInputs(item.inputs, count: compiled.inputCount)
            if let unit = open[item.circuit], grouped[unit].items.count < unitSize {
                grouped[unit].items.append(index)
            } else {
                open[item.circuit] = grouped.count
                grouped.append((item.circuit, [index]))
            }
        }
        let workspaces = state.withLock { state in
            let taken = state.workspaces
            state.workspaces = Array(repeating: Workspaces(), count: threadCount)
            return taken
        }
        let threads = min(threadCount, grouped.count) <= 1 ? 1 : threadCount
        return Work(batch: batch, prepared: prepared, units: grouped, workspaces: workspaces, threads: threads)
    }

    private func run(_ work: Work) -> Outcome {
        Self.run(
            work.units,
            of: work.batch,
            on: work.prepared,
            threads: work.threads,
            lanes: lanes,
            workspaces: work.workspaces
        )
    }

    /// Keeps the workspaces for the next batch and counts the circuits run.
    private func finish(_ work: Work, _ outcome: Outcome) -> (results: [CircuitEvaluation], usage: [ThreadUsage]) {
        state.withLock { state in
            state.workspaces = outcome.workspaces
            for item in work.batch.items {
                state.counters.record(
                    differentiableGates: work.prepared[item.circuit]!.differentiableGateCount,
                    method: work.batch.method,
                    shots: work.batch.shots
                )
            }
        }
        return (outcome.results, outcome.usage)
    }

    /// Evaluates every unit on `threads` threads; each thread takes the next unit in turn.
    private static func run(
        _ units: [(circuit: Int, items: [Int])],
        of batch: EvaluationBatch,
        on prepared: [Compiled?],
        threads: Int,
        lanes: Int,
        workspaces: [Workspaces]
    ) -> Outcome {
        let results = Mutex([CircuitEvaluation](repeating: CircuitEvaluation(outputs: []), count: batch.items.count))
        let next = Atomic<Int>(0)
        let shared = Mutex(workspaces)
        let usage = Mutex((0..<threads).map { ThreadUsage(thread: $0) })
        let active = min(threads, units.count)
        let work: @Sendable (Int) -> Void = { thread in
            var mine = shared.withLock { $0[thread] }
            var unitResults: [CircuitEvaluation] = []
            var counters = ExecutionCounters()
            let start = DispatchTime.now().uptimeNanoseconds
            defer {
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                usage.withLock { $0[thread].add(counters, busySeconds: seconds) }
            }
            while true {
                let u = next.add(1, ordering: .relaxed).oldValue
                guard u < units.count else { break }
                let (circuitIndex, items) = units[u]
                let compiled = prepared[circuitIndex]!
                let inputs = items.map { batch.items[$0].inputs }
                if let noisy = compiled.noisy {
                    // Taken out of the dictionary, so that its buffers are not shared while written.
                    var workspace = mine.noisy.removeValue(forKey: circuitIndex) ?? NoisyCircuit.Workspace(for: noisy)
                    noisy.evaluate(
                        inputs,
                        method: batch.method,
                        shots: batch.shots,
                        seeds: items.map { batch.items[$0].seed },
                        into: &unitResults,
                        workspace: &workspace
                    )
                    mine.noisy[circuitIndex] = workspace
                } else {
                    let circuit = compiled.circuit
                    var workspace = mine.exact[circuitIndex] ?? PreparedCircuit.Workspace(for: circuit, lanes: lanes)
                    let seeds = batch.shots == nil ? [] : items.map { batch.items[$0].seed }
                    circuit.evaluate(
                        inputs,
                        method: batch.method,
                        shots: batch.shots,
                        seeds: seeds,
                        into: &unitResults,
                        workspace: &workspace
                    )
                    mine.exact[circuitIndex] = workspace
                }
                for _ in items {
                    counters.record(
                        differentiableGates: compiled.differentiableGateCount,
                        method: batch.method,
                        shots: batch.shots
                    )
                }
                results.withLock { all in
                    for (k, item) in items.enumerated() { all[item] = unitResults[k] }
                }
            }
            shared.withLock { $0[thread] = mine }
        }
        // One thread's work runs right here: even with one iteration, `concurrentPerform` on a
        // thread Dispatch does not own goes through its thread pool.
        if active <= 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: active, execute: work)
        }
        return (results.withLock { $0 }, shared.withLock { $0 }, usage.withLock { $0 })
    }
}

/// A compiled circuit shared by reference: batches copy a pointer, not the dozen arrays of a
/// `PreparedCircuit`.
final class Compiled: Sendable {
    let circuit: PreparedCircuit
    /// The circuit under the executor's noise model; `nil` for the ideal model.
    let noisy: NoisyCircuit?
    /// Read for every item; kept apart because reading them through `circuit` copies the whole
    /// struct (a dozen retains and releases per item).
    let inputCount: Int
    let differentiableGateCount: Int

    init(_ circuit: PreparedCircuit, noisy: NoisyCircuit?) {
        self.circuit = circuit
        self.noisy = noisy
        inputCount = circuit.circuit.inputCount
        differentiableGateCount = circuit.differentiableGates.count
    }
}
