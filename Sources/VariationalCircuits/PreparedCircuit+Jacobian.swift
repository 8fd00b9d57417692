import QuantumSimulator

extension PreparedCircuit {
    /// The outputs for one input vector and, with `method`, their Jacobians with respect to
    /// every parameter and every input.
    ///
    /// - Parameters:
    ///   - shots: `nil` for exact expectations; otherwise every circuit run (the unshifted one
    ///     and each shifted one) is sampled with this many shots.
    ///   - seed: the base of the shot seeds; each circuit run draws from a stream derived from
    ///     it and the run's position, so results do not depend on who evaluates them.
    /// - Throws: `VariationalCircuitError` for bad inputs, bad shot counts, or the adjoint
    ///   method with shots.
    public func evaluate(
        _ inputs: [Double], method: DifferentiationMethod?, shots: Int? = nil, seed: UInt64 = 0
    ) throws(VariationalCircuitError) -> CircuitEvaluation {
        try checkInputs(inputs)
        try Self.checkShots(shots, method: method)
        var workspace = Workspace(for: self)
        var result = CircuitEvaluation(outputs: [])
        evaluate(inputs, method: method, shots: shots, seed: seed, into: &result, workspace: &workspace)
        return result
    }

    /// Refuses shot counts below 1 and the adjoint method with shots.
    public static func checkShots(_ shots: Int?, method: DifferentiationMethod?) throws(VariationalCircuitError) {
        guard let shots else { return }
        guard shots >= 1 else { throw .invalidShotCount(shots) }
        if method == .adjoint { throw .adjointWithShots }
    }

    /// The hot path of `evaluate(_:method:shots:seed:)`: inputs and shots already checked.
    public func evaluate(
        _ inputs: [Double], method: DifferentiationMethod?, shots: Int?, seed: UInt64,
        into result: inout CircuitEvaluation, workspace: inout Workspace
    ) {
        let outputs = circuit.outputCount
        Self.reset(&result.outputs, count: outputs)
        guard let method else {
            bindInputs(inputs, workspace: &workspace)
            run(workspace: &workspace)
            read(workspace.state, shots: shots, seed: seed, run: 0, into: &result.outputs, scratch: &workspace.allExpectations)
            result.parameterJacobian = []
            result.inputJacobian = []
            return
        }
        Self.reset(&result.parameterJacobian, count: outputs * circuit.parameterCount)
        Self.reset(&result.inputJacobian, count: outputs * circuit.inputCount)
        switch method {
        case .parameterShift:
            parameterShift(inputs, shots: shots, seed: seed, into: &result, workspace: &workspace)
        case .adjoint:
            adjoint(inputs, into: &result, workspace: &workspace)
        }
    }

    /// Zeroes `array` at length `count`, reusing its storage: the hot path must not allocate.
    @inline(__always)
    static func reset(_ array: inout [Double], count: Int) {
        if array.count == count {
            for i in array.indices { array[i] = 0 }
        } else {
            array = Array(repeating: 0, count: count)
        }
    }

    /// Reads the outputs of the state: exact <Z>, or a shot estimate with the stream of `run`.
    @inline(__always)
    func read(
        _ state: StateVector, shots: Int?, seed: UInt64, run: Int,
        into outputs: inout [Double], scratch: inout [Double]
    ) {
        guard let shots else {
            measure(state, into: &outputs, scratch: &scratch)
            return
        }
        // Shots were checked positive by the caller.
        let sample = try! state.sample(shots: shots, seed: SeededGenerator.derivedSeed(seed, [UInt64(run)]))
        let estimates = sample.expectationsZ
        for (j, wire) in circuit.measuredWires.enumerated() { outputs[j] = estimates[wire] }
    }

    /// Adds `scale * derivatives` to the column of the gate's parameter or input.
    @inline(__always)
    func accumulate(
        _ derivatives: (Int) -> Double, gate: DifferentiableGate, inputs: [Double], into result: inout CircuitEvaluation
    ) {
        switch gate.source {
        case .constant:
            break
        case .parameter(let p):
            let columns = circuit.parameterCount
            for j in 0..<circuit.outputCount { result.parameterJacobian[j * columns + p] += derivatives(j) }
        case .input(let i, let transform):
            let columns = circuit.inputCount
            let chain = transform.derivative(inputs[i])
            for j in 0..<circuit.outputCount { result.inputJacobian[j * columns + i] += derivatives(j) * chain }
        }
    }

    /// Two shifted circuits per differentiable gate, each restarted from the stored state just
    /// before the gate's fused step: nothing before the shifted gate is simulated again.
    func parameterShift(
        _ inputs: [Double], shots: Int?, seed: UInt64, into result: inout CircuitEvaluation, workspace: inout Workspace
    ) {
        bindInputs(inputs, workspace: &workspace)
        workspace.recordsCheckpoints = !workspace.checkpoints.isEmpty
        run(workspace: &workspace)
        workspace.recordsCheckpoints = false
        read(workspace.state, shots: shots, seed: seed, run: 0, into: &result.outputs, scratch: &workspace.allExpectations)

        for (gateNumber, gate) in differentiableGates.enumerated() {
            for sign in stride(from: 1.0, through: -1.0, by: -2.0) {
                let shift = Matrix2.rotation(gate.axis, sign * Double.pi / 2)
                runShifted(gate, by: shift, workspace: &workspace)
                let run = 1 + 2 * gateNumber + (sign > 0 ? 0 : 1)
                if sign > 0 {
                    read(workspace.shiftedState, shots: shots, seed: seed, run: run, into: &workspace.outputs, scratch: &workspace.allExpectations)
                } else {
                    read(workspace.shiftedState, shots: shots, seed: seed, run: run, into: &workspace.minusOutputs, scratch: &workspace.allExpectations)
                }
            }
            let plus = workspace.outputs, minus = workspace.minusOutputs
            accumulate({ (plus[$0] - minus[$0]) / 2 }, gate: gate, inputs: inputs, into: &result)
        }
    }

    /// Simulates the circuit with one gate followed by `shift`, into `workspace.shiftedState`.
    private func runShifted(_ gate: DifferentiableGate, by shift: Matrix2, workspace: inout Workspace) {
        switch gate.location {
        case .leading(let wire):
            let original = workspace.leading[wire]
            workspace.leading[wire] = product(of: leadingGates[wire], inputMatrices: workspace.inputMatrices, shifting: gate.gate, by: shift)
            workspace.shiftedState.setProduct(workspace.leading)
            workspace.leading[wire] = original
            workspace.shiftedState.apply(workspace.operations[...])
        case .step(let stepIndex):
            if let slot = workspace.checkpointSlot[stepIndex], !workspace.checkpoints.isEmpty {
                workspace.shiftedState.overwrite(with: workspace.checkpoints[slot])
            } else {
                workspace.shiftedState.setProduct(workspace.leading)
                workspace.shiftedState.apply(workspace.operations[..<stepIndex])
            }
            guard case .single(let wire, let run, _) = steps[stepIndex] else {
                preconditionFailure("a rotation sits in a single-qubit step")
            }
            let shifted = product(of: run, inputMatrices: workspace.inputMatrices, shifting: gate.gate, by: shift)
            workspace.shiftedState.apply(shifted, to: wire)
            workspace.shiftedState.apply(workspace.operations[(stepIndex + 1)...])
        }
    }

    /// One forward run, then one backward sweep carrying the state and one co-state per
    /// output (Jones and Gacon's adjoint method): d<Z_j>/dt = Im <lambda_j| P |psi> at each gate.
    func adjoint(_ inputs: [Double], into result: inout CircuitEvaluation, workspace: inout Workspace) {
        bindInputs(inputs, workspace: &workspace)
        run(workspace: &workspace)
        measure(workspace.state, into: &result.outputs, scratch: &workspace.allExpectations)
        guard let firstDifferentiable = differentiableGates.first?.gate else { return }

        let outputs = circuit.outputCount
        if workspace.costates.count != outputs {
            workspace.costates = Array(repeating: workspace.state, count: outputs)
        }
        for (j, wire) in circuit.measuredWires.enumerated() {
            workspace.costates[j].overwrite(with: workspace.state)
            workspace.costates[j].apply(.pauliZ, to: wire)
        }
        var next = differentiableGates.count - 1
        var derivatives = workspace.outputs
        for g in stride(from: gates.count - 1, through: firstDifferentiable, by: -1) {
            if next >= 0 && differentiableGates[next].gate == g {
                let gate = differentiableGates[next]
                for j in 0..<outputs {
                    derivatives[j] = workspace.costates[j].overlap(with: workspace.state, pauli: gate.axis, on: gate.wire).im
                }
                accumulate({ derivatives[$0] }, gate: gate, inputs: inputs, into: &result)
                next -= 1
                if g == firstDifferentiable { break }
            }
            undo(gate: g, on: &workspace.state, inputMatrices: workspace.inputMatrices)
            for j in 0..<outputs { undo(gate: g, on: &workspace.costates[j], inputMatrices: workspace.inputMatrices) }
        }
    }

    /// Applies the inverse of gate `g`.
    @inline(__always)
    private func undo(gate g: Int, on state: inout StateVector, inputMatrices: [Matrix2]) {
        switch gates[g] {
        case .fixed(.cnot(let c, let t)): state.applyCNOT(control: c, target: t)
        case .fixed(.cz(let a, let b)): state.applyCZ(a, b)
        case .fixed(.swap(let a, let b)): state.applySwap(a, b)
        default: state.apply(matrix(ofGate: g, inputMatrices: inputMatrices).adjoint, to: gates[g].wires[0])
        }
    }
}
