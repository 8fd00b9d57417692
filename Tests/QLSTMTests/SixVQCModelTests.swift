import QLSTM
import QuantumSimulator
import Testing
import VariationalCircuits

/// Chen, Yoo and Fang's 2020 QLSTM: four gate circuits, then h_t = VQC5(o_t * tanh C_t) and
/// y_t = VQC6(o_t * tanh C_t), the head reading y_T.
@Suite("Six-VQC QLSTM (Chen et al. 2020)")
struct SixVQCModelTests {
    static let configuration = ModelConfiguration(
        inputWidth: 1,
        hiddenSize: 2,
        ansatz: Ansatz(encoding: .iqp, entangler: .hardwareEfficient, rotations: .ryrz, depth: 2),
        architecture: .chen2020
    )

    @Test("circuits, parameter layout and counts: (4 + N_extra) M P_VQC plus the head")
    func layout() throws {
        let executor = LocalExecutor(threads: 1)
        // The paper's sizes: d_h = 5 on 6 qubits, depth 5 of RY. VQC5 and VQC6 sit on the gates'
        // 6 qubits and read the 5 values of o_t * tanh C_t.
        let six = ModelConfiguration(architecture: .chen2020)
        let model = try TrainableModel.make(six, seed: 0, executor: executor)
        #expect(
            model.circuits.map(\.circuit.id) == ["forget/0", "input/0", "candidate/0", "output/0", "hidden/0", "y/0"]
        )
        #expect(model.circuits.map(\.circuit.qubitCount) == Array(repeating: 6, count: 6))
        #expect(model.circuits.suffix(2).map(\.circuit.inputCount) == [5, 5])
        #expect(model.parameterCount == 6 * 5 * 6 + 6)
        let distributed = try ModelConfiguration(qubits: 3, partitions: 2, architecture: .chen2020).circuits(
            direction: 1
        )
        #expect(
            distributed.map(\.id).suffix(4) == ["reverse/hidden/0", "reverse/hidden/1", "reverse/y/0", "reverse/y/1"]
        )
        #expect(distributed.suffix(4).map(\.inputCount) == [3, 2, 3, 2])
        #expect(try six.evaluationsPerWindow(timeSteps: 4) == [4, 4, 4, 4, 3, 1])
        #expect(throws: QLSTMError.self) {
            try TrainableModel.make(ModelConfiguration(kind: .lstm, architecture: .chen2020), seed: 0, executor: nil)
        }
    }

    /// The equations by hand, each circuit evaluated on its own: an independent check that the
    /// model wires VQC5 into the recurrence and VQC6 into the head.
    @Test("predictions are the paper's equations, circuit by circuit")
    func equations() async throws {
        let session = try await QuantumSession(Self.configuration)
        let circuits = session.model.circuits
        func evaluate(_ index: Int, _ inputs: [Double]) throws -> [Double] {
            try PreparedCircuit(circuits[index].circuit, parameters: circuits[index].parameters).evaluate(inputs)
        }
        let window = [0.3, -0.7, 0.5]
        let head = Array(session.model.parameters.suffix(3))
        var h = [0.0, 0.0]
        var c = [0.0, 0.0]
        var y: [Double] = []
        for (t, x) in window.enumerated() {
            let v = [x] + h
            let z = try (0..<4).map { try evaluate($0, v) }
            var s = [0.0, 0.0]
            for j in 0..<2 {
                let f = Activation.sigmoid(z[0][j])
                let i = Activation.sigmoid(z[1][j])
                let candidate = Activation.tanh(z[2][j])
                let o = Activation.sigmoid(z[3][j])
                c[j] = f * c[j] + i * candidate
                s[j] = o * Activation.tanh(c[j])
            }
            if t < window.count - 1 { h = try evaluate(4, s) } else { y = try evaluate(5, s) }
        }
        let expected = head[0] * y[0] + head[1] * y[1] + head[2]
        let predicted = try await session.model.predict(window, batch: 1, context: session.context)
        #expect(abs(predicted[0] - expected) < 1e-12)
    }

    @Test("a window of T steps runs T gate rounds, T - 1 of VQC5 and one of VQC6, as the estimate counts")
    func evaluationCounts() async throws {
        let session = try await QuantumSession(Self.configuration, method: .parameterShift)
        let before = await session.executor.executionCounters()
        let windows = 3
        let steps = 4
        let sequences = (0..<(windows * steps)).map { Double($0) / 10 - 0.5 }
        _ = try await session.model.lossAndGradient(.mse, sequences: sequences, targets: [0.1, 0.2, 0.3], context: session.context)
        let after = await session.executor.executionCounters()
        let estimate = try ResourceEstimate(
            model: Self.configuration,
            training: TrainingSettings(batchSize: windows, differentiation: .parameterShift),
            trainWindows: windows,
            evaluatedWindows: 0,
            timeSteps: steps
        )
        #expect(Int(after.evaluations - before.evaluations) == windows * steps * 5)
        #expect(estimate.evaluationsPerTimeStep == 5)
        #expect(Int(after.circuits - before.circuits) == estimate.circuitsPerTrainingStep)
        #expect(estimate.extraCircuits == 2)
        #expect(estimate.totalCircuitParameters == estimate.gateParameters * 6 / 4)
    }
}
