import QuantumSimulator
import TestSupport
import Testing
import VariationalCircuits

/// A batch over two circuits (the fixture's 3-qubit paper circuit and 4-qubit ring) under the
/// fixture's "all" noise, with distinct seeds.
struct NoisyBatch {
    let circuits: [SubVQC]
    let parameters: [[Double]]
    let model: NoiseModel
    let items: [EvaluationRequest]

    init() {
        let cases = noisyCases.filter { $0.noise_name == "all" && $0.qubits <= 4 }
        circuits = cases.map(\.circuit)
        parameters = cases.map(\.weights)
        model = cases[0].model
        var generator = SeededGenerator(seed: 31)
        items = (0..<7).map { k in
            let circuit = cases[k % cases.count].circuit
            let inputs = (0..<circuit.inputCount).map { _ in generator.nextUnit() * 2 - 1 }
            return EvaluationRequest(circuit: k % cases.count, inputs: inputs, seed: 1000 + UInt64(k))
        }
    }

    func run(
        on executor: LocalExecutor,
        method: DifferentiationMethod?,
        shots: Int?
    ) async throws -> [CircuitEvaluation] {
        try await executor.load(circuits)
        try await executor.setParameters(parameters, version: 1)
        return try await executor.evaluate(
            EvaluationBatch(items: items, method: method, shots: shots, parameterVersion: 1)
        )
    }

    /// What `NoisyCircuit` gives for item `k` on its own.
    func single(
        _ k: Int,
        simulation: NoiseSimulation,
        method: DifferentiationMethod?,
        shots: Int?
    ) throws
        -> CircuitEvaluation
    {
        let item = items[k]
        let prepared = try PreparedCircuit(circuits[item.circuit], parameters: parameters[item.circuit])
        return try NoisyCircuit(prepared, noise: model, simulation: simulation)
            .evaluate(item.inputs, method: method, shots: shots, seed: item.seed)
    }
}

@Suite("Noisy local executor")
struct NoisyExecutorTests {
    @Test(
        "results are bit-identical with 1 and 2 threads and to one-by-one evaluation",
        arguments: [NoiseSimulation.densityMatrix, .trajectories(3)],
        [nil, 200]
    )
    func threadsAndBatching(simulation: NoiseSimulation, shots: Int?) async throws {
        let batch = NoisyBatch()
        let one = LocalExecutor(threads: 1, lanes: 4, noise: batch.model, noiseSimulation: simulation)
        let two = LocalExecutor(threads: 2, lanes: 2, noise: batch.model, noiseSimulation: simulation)
        let first = try await batch.run(on: one, method: .parameterShift, shots: shots)
        let second = try await batch.run(on: two, method: .parameterShift, shots: shots)
        #expect(first == second)
        for k in batch.items.indices {
            #expect(first[k] == (try batch.single(k, simulation: simulation, method: .parameterShift, shots: shots)))
        }
        let counters = await one.executionCounters()
        #expect(counters.shots == (shots == nil ? 0 : counters.circuits * UInt64(shots!)))
    }

    @Test("default shots sample batches that ask for exact expectations")
    func defaultShots() async throws {
        let batch = NoisyBatch()
        let executor = LocalExecutor(threads: 1, noise: batch.model, defaultShots: 300)
        #expect(executor.noise == batch.model && executor.defaultShots == 300)
        let results = try await batch.run(on: executor, method: nil, shots: nil)
        for k in batch.items.indices {
            #expect(results[k] == (try batch.single(k, simulation: .densityMatrix, method: nil, shots: 300)))
        }
        // Without noise too: a QPU profile may have shots and no noise model.
        let ideal = LocalExecutor(threads: 1, defaultShots: 300)
        let sampled = try await batch.run(on: ideal, method: .parameterShift, shots: nil)
        let exact = try await batch.run(on: LocalExecutor(threads: 1), method: .parameterShift, shots: 300)
        #expect(sampled == exact)
    }

    @Test("the ideal model keeps the exact path, bit for bit")
    func idealUnchanged() async throws {
        let batch = NoisyBatch()
        for method in [nil, DifferentiationMethod.parameterShift, .adjoint] {
            let before = try await batch.run(on: LocalExecutor(threads: 2), method: method, shots: nil)
            let after = try await batch.run(on: LocalExecutor(threads: 2, noise: .ideal), method: method, shots: nil)
            #expect(before == after)
            for (k, item) in batch.items.enumerated() {
                let prepared = try PreparedCircuit(
                    batch.circuits[item.circuit],
                    parameters: batch.parameters[item.circuit]
                )
                #expect(after[k] == (try prepared.evaluate(item.inputs, method: method)))
            }
        }
    }

    @Test("the adjoint method with noise and an invalid noise model are refused")
    func refusals() async throws {
        let batch = NoisyBatch()
        await #expect(throws: VariationalCircuitError.adjointWithNoise) {
            try await batch.run(on: LocalExecutor(threads: 1, noise: batch.model), method: .adjoint, shots: nil)
        }
        await #expect(throws: SimulatorError.self) {
            try await batch.run(
                on: LocalExecutor(threads: 1, noise: NoiseModel(depolarizing2q: 1.2)),
                method: nil,
                shots: nil
            )
        }
    }
}
