import VariationalCircuits

/// The paper's resource estimate (eqs. 10-12) for a configuration, with the circuit counts a
/// run of it executes, derived from the model's shape alone.
///
/// Counts follow how this project runs a model: every time step of every window evaluates all
/// 4 x M sub-VQCs (twice when bidirectional); in training each evaluation is a Jacobian, which
/// under parameter shift is 1 + 2 g circuit runs for a sub-VQC with g differentiable rotations
/// (one per trainable angle and one per encoding rotation of an input), and one simulation
/// under the adjoint method; after each epoch the validation and test windows are evaluated
/// once, without Jacobians. `summary.json`'s `circuits_executed` counts exactly these runs.
public struct ResourceEstimate: Sendable, Hashable, Codable {
    /// Trainable angles of each sub-VQC, gate-major (the paper's P_VQC, per part).
    public var parametersPerSubVQC: [Int]
    /// Eq. (11): P_gates = 4 M P_VQC (summed over the parts when they differ).
    public var gateParameters: Int
    /// Eq. (12) with N_extra = 0: the circuits' parameters of the whole model (both readings).
    public var totalCircuitParameters: Int
    /// Classical parameters: head, projection, readout (and the LSTM's or ablation's maps).
    public var classicalParameters: Int
    public var qubitsPerQPU: [Int]
    /// M: sub-VQCs per gate, one QPU each in the paper's picture.
    public var qpus: Int
    /// M x q: qubits over all QPUs of one gate.
    public var totalQubits: Int
    /// Sub-VQC evaluations per window and time step.
    public var evaluationsPerTimeStep: Int
    /// Circuit runs per window and time step in training (Jacobians included).
    public var circuitsPerTimeStep: Int
    /// Circuit runs for one optimiser step on a full mini-batch.
    public var circuitsPerTrainingStep: Int
    /// Circuit runs per epoch: training plus the validation and test passes.
    public var circuitsPerEpoch: Int
    /// Shots per epoch (0 in exact mode).
    public var shotsPerEpoch: Int

    /// - Parameters:
    ///   - trainWindows: the windows the model is fitted on.
    ///   - evaluatedWindows: the validation and test windows, evaluated after every epoch.
    ///   - timeSteps: the window length.
    public init(
        model: ModelConfiguration,
        training: TrainingSettings,
        trainWindows: Int,
        evaluatedWindows: Int,
        timeSteps: Int
    ) throws {
        guard model.kind == .qlstm else {
            throw QLSTMError.invalidParameter(
                name: "model",
                value: 0,
                expected: "a QLSTM: a classical model runs no circuits"
            )
        }
        let readings = model.bidirectional ? 2 : 1
        let circuits = try model.circuits(direction: 0)
        let plan = try model.partitionPlan()
        parametersPerSubVQC = circuits.map(\.parameterCount)
        gateParameters = parametersPerSubVQC.reduce(0, +)
        totalCircuitParameters = gateParameters * readings
        let runtime = QuantumRuntime(executor: LocalExecutor(threads: 1), mode: .init(method: nil, shots: nil, seed: 0))
        classicalParameters =
            try TrainableModel.make(model, seed: 0, runtime: runtime).parameterCount - totalCircuitParameters
        qubitsPerQPU = plan.parts.map(\.qubits)
        qpus = plan.count
        totalQubits = plan.totalQubits
        evaluationsPerTimeStep = circuits.count * readings
        var runs = 0
        for circuit in circuits {
            runs += SubVQC.circuitRuns(
                differentiableGates: circuit.differentiableGateCount,
                method: training.differentiation
            )
        }
        circuitsPerTimeStep = runs * readings
        circuitsPerTrainingStep = circuitsPerTimeStep * timeSteps * min(training.batchSize, trainWindows)
        circuitsPerEpoch =
            circuitsPerTimeStep * timeSteps * trainWindows + evaluationsPerTimeStep * timeSteps * evaluatedWindows
        shotsPerEpoch = circuitsPerEpoch * (training.shots ?? 0)
    }
}
