import QLSTM
import QuantumSimulator
import Testing
import VariationalCircuits

/// A model with its executor loaded, for gradient checks.
struct QuantumSession {
    var model: TrainableModel
    let executor = LocalExecutor(threads: 2)
    /// The pass settings every call of the session uses; `sync` moves its parameter version.
    var context: EvaluationContext

    init(_ configuration: ModelConfiguration, seed: UInt64 = 3, method: DifferentiationMethod = .adjoint) async throws {
        context = EvaluationContext(method: method, seed: seed)
        model = try TrainableModel.make(configuration, seed: seed, executor: executor)
        try await executor.load(model.circuits.map(\.circuit))
        try await sync()
    }

    mutating func sync() async throws {
        context.parameterVersion += 1
        try await executor.setParameters(model.circuits.map(\.parameters), version: context.parameterVersion)
    }

    mutating func loss(
        _ parameters: [Double],
        sequences: [Double],
        targets: [Double],
        loss: Loss = .mse
    ) async throws -> Double {
        model.setParameters(parameters)
        try await sync()
        let predictions = try await model.predict(sequences, batch: targets.count, context: context)
        return loss.value(predictions: predictions, targets: targets)
    }
}

@Suite("Quantum and ablation models")
struct QuantumModelTests {
    static let configurations: [(String, ModelConfiguration)] = [
        ("centric", ModelConfiguration(inputWidth: 1, hiddenSize: 2, ansatz: Ansatz(depth: 2))),
        (
            "distributed 2 parts",
            ModelConfiguration(inputWidth: 1, hiddenSize: 3, qubits: 2, partitions: 2, ansatz: Ansatz(depth: 1))
        ),
        (
            "bidirectional inversward",
            ModelConfiguration(
                inputWidth: 2,
                hiddenSize: 2,
                ansatz: Ansatz(depth: 1),
                bidirectional: true,
                inversward: true
            )
        ),
        (
            "projection arctan ring xyz",
            ModelConfiguration(
                inputWidth: 1,
                hiddenSize: 2,
                qubits: 3,
                ansatz: Ansatz(encoding: .arctan, entangler: .ring, rotations: .xyz, depth: 1),
                projection: true
            )
        ),
        (
            "ablation distributed",
            ModelConfiguration(kind: .ablation, inputWidth: 1, hiddenSize: 3, partitions: 2, ansatz: Ansatz(depth: 1))
        ),
        (
            "ablation projection",
            ModelConfiguration(kind: .ablation, inputWidth: 1, hiddenSize: 2, qubits: 3, projection: true)
        ),
        (
            "chen2020 iqp hardware-efficient",
            ModelConfiguration(
                inputWidth: 1,
                hiddenSize: 2,
                ansatz: Ansatz(
                    encoding: .iqp,
                    entangler: .hardwareEfficient,
                    rotations: .ryrz,
                    depth: 1,
                    encodingRepetitions: 2
                ),
                architecture: .chen2020
            )
        ),
        (
            "chen2020 distributed bidirectional",
            ModelConfiguration(
                inputWidth: 1,
                hiddenSize: 3,
                qubits: 2,
                partitions: 2,
                ansatz: Ansatz(depth: 1),
                bidirectional: true,
                architecture: .chen2020
            )
        ),
        (
            "chen2020 ablation projection",
            ModelConfiguration(
                kind: .ablation,
                inputWidth: 1,
                hiddenSize: 2,
                qubits: 3,
                projection: true,
                architecture: .chen2020
            )
        ),
    ]

    @Test("whole-model gradients match central finite differences", arguments: 0..<configurations.count)
    func gradientCheck(_ index: Int) async throws {
        let (name, configuration) = Self.configurations[index]
        for method in [DifferentiationMethod.parameterShift, .adjoint] {
            var session = try await QuantumSession(configuration, method: method)
            var generator = SeededGenerator(seed: 11)
            let batch = 2
            let steps = 3
            let sequences = (0..<(batch * steps * configuration.inputWidth)).map { _ in generator.nextUnit() * 2 - 1 }
            let targets = (0..<batch).map { _ in generator.nextUnit() - 0.5 }
            let parameters = session.model.parameters
            let (_, gradient) = try await session.model.lossAndGradient(.mse, sequences: sequences, targets: targets, context: session.context)
            let h = 1e-5
            var worst = 0.0
            for p in parameters.indices {
                var up = parameters
                var down = parameters
                up[p] += h
                down[p] -= h
                let plus = try await session.loss(up, sequences: sequences, targets: targets)
                let minus = try await session.loss(down, sequences: sequences, targets: targets)
                worst = max(worst, abs((plus - minus) / (2 * h) - gradient[p]))
            }
            #expect(worst < 1e-8, "\(name) \(method): largest gradient error \(worst)")
        }
    }

    @Test("the paper's models have the paper's parameter counts")
    func parameterCounts() throws {
        let executor = LocalExecutor(threads: 1)
        // 4 gates x depth 5 x (d_x + d_h) RY angles + head (d_h + 1): 126 at d_h = 5.
        let centric = try TrainableModel.make(ModelConfiguration(), seed: 0, executor: executor)
        #expect(centric.parameterCount == 126)
        // Distributed 2 x 3 qubits: 4 gates x 2 parts x 5 x 3 + 6.
        let distributed = try TrainableModel.make(
            ModelConfiguration(qubits: 3, partitions: 2),
            seed: 0,
            executor: executor
        )
        #expect(distributed.parameterCount == 126)
        let plan = try ModelConfiguration(qubits: 3, partitions: 2).partitionPlan()
        #expect(
            plan.parts.map(\.inputs) == [3, 3] && plan.parts.map(\.outputs) == [3, 2]
                && plan.parts.map(\.qubits) == [3, 3]
        )
    }

    @Test("sizes that do not fit are refused with the reason")
    func badSizes() {
        #expect(throws: QLSTMError.self) { try ModelConfiguration(qubits: 2, partitions: 2).partitionPlan() }
        #expect(throws: QLSTMError.self) { try ModelConfiguration(partitions: 7).partitionPlan() }
        #expect(throws: QLSTMError.self) { try ModelConfiguration(hiddenSize: 0).partitionPlan() }
    }

    @Test("passes with different shot settings run at once: each equals the same pass run alone")
    func concurrentPassesKeepTheirOwnContext() async throws {
        let session = try await QuantumSession(Self.configurations[1].1)
        var generator = SeededGenerator(seed: 21)
        let sequences = (0..<(2 * 3)).map { _ in generator.nextUnit() * 2 - 1 }
        let contexts = [
            EvaluationContext(method: nil, shots: 50, seed: 1, step: 7, parameterVersion: session.context.parameterVersion),
            EvaluationContext(method: nil, shots: 80, seed: 2, step: 9, parameterVersion: session.context.parameterVersion),
            EvaluationContext(method: nil, seed: 3, parameterVersion: session.context.parameterVersion),
        ]
        var alone: [[Double]] = []
        for context in contexts {
            alone.append(try await session.model.predict(sequences, batch: 2, context: context))
        }
        let model = session.model
        let together = try await withThrowingTaskGroup(of: (Int, [Double]).self) { group in
            for (index, context) in contexts.enumerated() {
                group.addTask { (index, try await model.predict(sequences, batch: 2, context: context)) }
            }
            var results = [[Double]](repeating: [], count: contexts.count)
            for try await (index, predictions) in group { results[index] = predictions }
            return results
        }
        #expect(together == alone)
        // The shot settings matter, so the check above could fail.
        #expect(alone[0] != alone[1] && alone[1] != alone[2])
    }
}
