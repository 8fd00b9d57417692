import QuantumSimulator

/// A prepared circuit run on a noisy QPU: every gate followed by the channels of a
/// `NoiseModel`, the outputs read through its readout errors.
///
/// Small circuits run as an exact density matrix. Each fused run of 1-qubit gates, every gate
/// followed by its channels, is one superoperator; the gates before a wire's first CNOT act on
/// that wire's own 2 x 2 density matrix, and the matrices' product is built directly. Wider
/// circuits run as seeded trajectories of the state vector. Parameter shift stays exact (the
/// channels do not depend on the angles); the adjoint method does not apply to mixed states.
public struct NoisyCircuit: Sendable {
    public let prepared: PreparedCircuit
    public let noise: NoiseModel
    /// `.densityMatrix` or `.trajectories(count)`, never `.automatic`.
    public let simulation: NoiseSimulation
    let channels: NoiseChannels
    /// Per gate: the noisy superoperator of a 1-qubit gate that does not depend on the inputs.
    let fixedMaps: [Superoperator?]
    /// The gates whose matrix is an input rotation, with their slot.
    let inputGates: [(gate: Int, slot: Int)]
    /// Per step: the fused superoperator of a 1-qubit step that does not depend on the inputs.
    let stepMaps: [Superoperator?]
    /// Per wire: the state after its product-layer gates, when none depends on the inputs.
    let leadingStates: [Matrix2?]

    /// |0><0| as a 2 x 2 density matrix.
    static let ground = Matrix2(real: 1, 0, 0, 0)
    /// The first index of every trajectory's stream; shot streams use the run number instead.
    static let trajectoryStream: UInt64 = 0x7472_616A

    /// Compiles `prepared` for noisy evaluation.
    /// - Throws: `VariationalCircuitError.simulation` for an invalid noise model or a density
    ///   matrix that is too large, `.invalidTrajectoryCount` for fewer than one trajectory.
    public init(
        _ prepared: PreparedCircuit,
        noise: NoiseModel,
        simulation: NoiseSimulation = .automatic
    ) throws(VariationalCircuitError) {
        do { try noise.validate() } catch { throw .simulation(error) }
        self.prepared = prepared
        self.noise = noise
        self.simulation = try simulation.resolved(qubits: prepared.circuit.qubitCount)
        let channels = NoiseChannels(noise)
        self.channels = channels
        let fixedMaps = prepared.gateMatrices.map { matrix -> Superoperator? in
            guard case .fixed(let m) = matrix else { return nil }
            return .noisyGate(m, channels: channels)
        }
        self.fixedMaps = fixedMaps
        inputGates = prepared.gateMatrices.enumerated().compactMap { gate, matrix in
            guard case .input(let slot) = matrix else { return nil }
            return (gate, slot)
        }
        stepMaps = prepared.steps.map { step in
            guard case .single(_, let run, .some) = step else { return nil }
            return run.reduce(Superoperator.identity) { fixedMaps[$1]! * $0 }
        }
        leadingStates = prepared.leadingGates.map { run in
            guard run.allSatisfy({ fixedMaps[$0] != nil }) else { return nil }
            return run.reduce(Self.ground) { fixedMaps[$1]!.applied(to: $0) }
        }
    }

    /// Refuses shot counts below 1 and the adjoint method, which needs a pure state.
    public static func checkMethod(_ method: DifferentiationMethod?, shots: Int?) throws(VariationalCircuitError) {
        if method == .adjoint { throw .adjointWithNoise }
        try PreparedCircuit.checkShots(shots, method: method)
    }

    /// The outputs for one input vector and, with parameter shift, their Jacobians.
    ///
    /// - Parameters:
    ///   - shots: `nil` for exact noisy expectations; otherwise every circuit run is sampled
    ///     with this many shots, read through the readout errors.
    ///   - seed: the base of the shot and trajectory streams.
    /// - Throws: `VariationalCircuitError` for bad inputs, bad shot counts, or the adjoint method.
    public func evaluate(
        _ inputs: [Double],
        method: DifferentiationMethod?,
        shots: Int? = nil,
        seed: UInt64 = 0
    ) throws(VariationalCircuitError) -> CircuitEvaluation {
        try prepared.checkInputs(inputs)
        try Self.checkMethod(method, shots: shots)
        var workspace = Workspace(for: self)
        var results: [CircuitEvaluation] = []
        evaluate([inputs], method: method, shots: shots, seeds: [seed], into: &results, workspace: &workspace)
        return results[0]
    }

    /// The hot path: evaluates every input vector of `batch` into `results` (resized to the
    /// batch, storage reused), one at a time. Inputs, shots and method must have been checked
    /// (`checkInputs`, `checkMethod`); `seeds` holds one seed per input.
    public func evaluate(
        _ batch: [[Double]],
        method: DifferentiationMethod?,
        shots: Int?,
        seeds: [UInt64],
        into results: inout [CircuitEvaluation],
        workspace: inout Workspace
    ) {
        precondition(seeds.count == batch.count, "one seed per input")
        precondition(method != .adjoint, "the adjoint method needs a pure state")
        if results.count != batch.count {
            results = Array(repeating: CircuitEvaluation(outputs: []), count: batch.count)
        }
        let circuit = prepared.circuit
        let outputs = circuit.outputCount
        for (k, inputs) in batch.enumerated() {
            PreparedCircuit.reset(&results[k].outputs, count: outputs)
            PreparedCircuit.reset(
                &results[k].parameterJacobian,
                count: method == nil ? 0 : outputs * circuit.parameterCount
            )
            PreparedCircuit.reset(&results[k].inputJacobian, count: method == nil ? 0 : outputs * circuit.inputCount)
            bind(inputs, workspace: &workspace)
            simulate(nil, run: 0, shots: shots, seed: seeds[k], recordCheckpoints: method != nil, workspace: &workspace)
            for j in 0..<outputs { results[k].outputs[j] = workspace.reading[j] }
            guard method != nil else { continue }
            // Parameter shift: two more runs per differentiable gate, each from its own stream.
            for (number, gate) in prepared.differentiableGates.enumerated() {
                simulate(
                    (gate, Double.pi / 2),
                    run: 1 + 2 * number,
                    shots: shots,
                    seed: seeds[k],
                    workspace: &workspace
                )
                swap(&workspace.plus, &workspace.reading)
                simulate(
                    (gate, -Double.pi / 2),
                    run: 2 + 2 * number,
                    shots: shots,
                    seed: seeds[k],
                    workspace: &workspace
                )
                let plus = workspace.plus
                let minus = workspace.reading
                prepared.accumulate({ (plus[$0] - minus[$0]) / 2 }, gate: gate, inputs: inputs, into: &results[k])
            }
        }
    }

    /// Loads one input vector into the workspace.
    private func bind(_ inputs: [Double], workspace: inout Workspace) {
        switch simulation {
        case .trajectories: bindGates(inputs, workspace: &workspace)
        default: bindMaps(inputs, workspace: &workspace)
        }
    }

    /// Runs the bound circuit once, with `shift.gate`'s angle moved by `shift.angle` if given,
    /// and reads its outputs into `workspace.reading`: exact noisy <Z>, or shot estimates drawn
    /// from the stream of (the input's seed, `run`).
    private func simulate(
        _ shift: (gate: PreparedCircuit.DifferentiableGate, angle: Double)?,
        run: Int,
        shots: Int?,
        seed: UInt64,
        recordCheckpoints: Bool = false,
        workspace: inout Workspace
    ) {
        switch simulation {
        case .trajectories(let count):
            runTrajectories(count, shift: shift, seed: seed, sampling: shots != nil, workspace: &workspace)
        default:
            if let shift {
                runShifted(shift.gate, by: .rotation(shift.gate.axis, shift.angle), workspace: &workspace)
            } else {
                self.run(workspace: &workspace, recordCheckpoints: recordCheckpoints)
            }
            let state = shift == nil ? workspace.density : workspace.shifted
            if shots == nil {
                state.expectationsZ(into: &workspace.expectations)
            } else {
                state.probabilities(into: &workspace.probabilities)
            }
        }
        let measured = prepared.circuit.measuredWires
        guard let shots else {
            for (j, wire) in measured.enumerated() {
                workspace.reading[j] = noise.readout(workspace.expectations[wire])
            }
            return
        }
        let stream = SeededGenerator.derivedSeed(seed, [UInt64(run)])
        // Shots were checked positive by the caller.
        let estimates = try! ShotSample(
            drawingFrom: workspace.probabilities,
            shots: shots,
            seed: stream,
            readout: noise
        ).expectationsZ
        for (j, wire) in measured.enumerated() { workspace.reading[j] = estimates[wire] }
    }
}
