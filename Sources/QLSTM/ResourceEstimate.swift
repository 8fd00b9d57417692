import VariationalCircuits

/// The paper's resource estimate (eqs. 10-12) for a configuration, with the circuit counts a
/// run of it executes, derived from the model's shape alone.
///
/// Counts follow how this project runs a model: every time step of every window evaluates all
/// 4 x M gate sub-VQCs (twice when bidirectional), and for Chen et al. 2020's architecture the M
/// parts of VQC5 (or, at the last step, of VQC6, of the same shapes); in training each
/// evaluation is a Jacobian, which
/// under parameter shift is 1 + 2 g circuit runs for a sub-VQC with g differentiable rotations
/// (one per trainable angle and one per encoding rotation of an input), and one simulation
/// under the adjoint method; after each epoch the validation and test windows are evaluated
/// once, without Jacobians. `summary.json`'s `circuits_executed` counts exactly these runs.
public struct ResourceEstimate: Sendable, Hashable, Codable {
    /// Trainable angles of each sub-VQC of one reading, gate-major, then VQC5's and VQC6's
    /// parts (the paper's P_VQC, per part).
    public var parametersPerSubVQC: [Int]
    /// Gates of each sub-VQC by kind, in the order of `parametersPerSubVQC`.
    public var gatesPerSubVQC: [GateCounts]
    /// Eq. (11): P_gates = 4 M P_VQC (summed over the parts when they differ).
    public var gateParameters: Int
    /// N_extra of eq. (12): circuits per part besides the four gates' (2 for Chen et al. 2020).
    public var extraCircuits: Int
    /// N_extra M P_VQC: the parameters of those circuits, one reading.
    public var extraCircuitParameters: Int
    /// Eq. (12): (4 + N_extra) M P_VQC, the circuits' parameters of the whole model (both
    /// readings).
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
            throw QLSTMError.noCircuits(model: model.kind.rawValue)
        }
        let readings = model.bidirectional ? 2 : 1
        let circuits = try model.circuits(direction: 0)
        let plan = try model.partitionPlan()
        parametersPerSubVQC = circuits.map(\.parameterCount)
        gatesPerSubVQC = circuits.map(\.gateCounts)
        gateParameters = parametersPerSubVQC.prefix(4 * plan.count).reduce(0, +)
        extraCircuits = model.architecture.extraCircuits
        extraCircuitParameters = parametersPerSubVQC.dropFirst(4 * plan.count).reduce(0, +)
        totalCircuitParameters = (gateParameters + extraCircuitParameters) * readings
        classicalParameters =
            try TrainableModel.make(model, seed: 0, executor: LocalExecutor(threads: 1)).parameterCount - totalCircuitParameters
        qubitsPerQPU = plan.parts.map(\.qubits)
        qpus = plan.count
        totalQubits = plan.totalQubits
        // Per window, then per step: exact, since every step evaluates the gates and one of
        // VQC5 and VQC6, whose parts have the same shapes.
        let evaluations = try model.evaluationsPerWindow(timeSteps: timeSteps)
        var runs = 0
        for (circuit, count) in zip(circuits, evaluations) {
            runs +=
                count
                * SubVQC.circuitRuns(
                    differentiableGates: circuit.differentiableGateCount,
                    method: training.differentiation
                )
        }
        evaluationsPerTimeStep = evaluations.reduce(0, +) / timeSteps * readings
        circuitsPerTimeStep = runs / timeSteps * readings
        circuitsPerTrainingStep = circuitsPerTimeStep * timeSteps * min(training.batchSize, trainWindows)
        circuitsPerEpoch =
            circuitsPerTimeStep * timeSteps * trainWindows + evaluationsPerTimeStep * timeSteps * evaluatedWindows
        shotsPerEpoch = circuitsPerEpoch * (training.shots ?? 0)
    }
}
