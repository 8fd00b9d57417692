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
        _ inputs: [Double],
        method: DifferentiationMethod?,
        shots: Int? = nil,
        seed: UInt64 = 0
    ) throws(VariationalCircuitError) -> CircuitEvaluation {
        try checkInputs(inputs)
        try Self.checkShots(shots, method: method)
        var workspace = Workspace(for: self)
        var results: [CircuitEvaluation] = []
        evaluate([inputs], method: method, shots: shots, seeds: [seed], into: &results, workspace: &workspace)
        return results[0]
    }

    /// Refuses shot counts below 1 and the adjoint method with shots.
    public static func checkShots(_ shots: Int?, method: DifferentiationMethod?) throws(VariationalCircuitError) {
        guard let shots else { return }
        guard shots >= 1 else { throw .invalidShotCount(shots) }
        if method == .adjoint { throw .adjointWithShots }
    }

    /// The hot path: evaluates every input vector of `batch`, `workspace.lanes` at a time,
    /// into `results` (resized to the batch, storage reused).
    ///
    /// Inputs and shots must have been checked (`checkInputs`, `checkShots`); with shots,
    /// `seeds` holds one seed per input.
    public func evaluate(
        _ batch: [[Double]],
        method: DifferentiationMethod?,
        shots: Int?,
        seeds: [UInt64],
        into results: inout [CircuitEvaluation],
        workspace: inout Workspace
    ) {
        precondition(shots == nil || seeds.count == batch.count, "one shot seed per input")
        if results.count != batch.count {
            results = Array(repeating: CircuitEvaluation(outputs: []), count: batch.count)
        }
        let outputs = circuit.outputCount
        var start = 0
        while start < batch.count {
            let end = min(start + workspace.lanes, batch.count)
            for k in start..<end {
                Self.reset(&results[k].outputs, count: outputs)
                Self.reset(&results[k].parameterJacobian, count: method == nil ? 0 : outputs * circuit.parameterCount)
                Self.reset(&results[k].inputJacobian, count: method == nil ? 0 : outputs * circuit.inputCount)
            }
            let chunk = batch[start..<end]
            bind(chunk, workspace: &workspace)
            switch method {
            case nil:
                run(workspace: &workspace)
                read(
                    workspace.state,
                    shots: shots,
                    seeds: seeds,
                    run: 0,
                    chunk: start..<end,
                    into: &workspace.outputs,
                    scratch: &workspace.expectations
                )
            case .parameterShift:
                parameterShift(chunk, shots: shots, seeds: seeds, into: &results, workspace: &workspace)
            case .adjoint:
                adjoint(chunk, into: &results, workspace: &workspace)
            }
            for k in start..<end {
                let lane = k - start
                for j in 0..<outputs { results[k].outputs[j] = workspace.outputs[lane * outputs + j] }
            }
            start = end
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

    /// Reads the outputs of every lane, lane-major: exact <Z>, or shot estimates drawn from the
    /// stream of (the input's seed, `run`).
    @inline(__always)
    func read(
        _ state: StateVector,
        shots: Int?,
        seeds: [UInt64],
        run: Int,
        chunk: Range<Int>,
        into outputs: inout [Double],
        scratch: inout [Double]
    ) {
        let n = circuit.qubitCount
        let measured = circuit.measuredWires
        let count = measured.count
        let laneBits = state.qubitCount - n
        guard let shots else {
            state.laneExpectationsZ(wires: n, laneBits: laneBits, into: &scratch)
            for lane in 0..<(1 << laneBits) {
                for j in 0..<count { outputs[lane * count + j] = scratch[lane * n + measured[j]] }
            }
            return
        }
        for (lane, item) in chunk.enumerated() {
            let seed = SeededGenerator.derivedSeed(seeds[item], [UInt64(run)])
            // Shots were checked positive by the caller.
            let estimates = try! state.sample(shots: shots, seed: seed, lane: lane, laneBits: laneBits).expectationsZ
            for j in 0..<count { outputs[lane * count + j] = estimates[measured[j]] }
        }
    }

    /// Adds the derivatives of every output to the column of the gate's parameter or input.
    @inline(__always)
    func accumulate(
        _ derivatives: (Int) -> Double,
        gate: DifferentiableGate,
        inputs: [Double],
        into result: inout CircuitEvaluation
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
        case .inputProduct(let a, let b):
            // d(x_a x_b)/dx_a = x_b and d(x_a x_b)/dx_b = x_a.
            let columns = circuit.inputCount
            for j in 0..<circuit.outputCount {
                let d = derivatives(j)
                result.inputJacobian[j * columns + a] += d * inputs[b]
                result.inputJacobian[j * columns + b] += d * inputs[a]
            }
        }
    }

    /// Two shifted circuits per differentiable gate, each restarted from the stored state just
    /// before the gate's fused step: nothing before the shifted gate is simulated again.
    func parameterShift(
        _ chunk: ArraySlice<[Double]>,
        shots: Int?,
        seeds: [UInt64],
        into results: inout [CircuitEvaluation],
        workspace: inout Workspace
    ) {
        let items = chunk.indices
        run(workspace: &workspace, recordCheckpoints: true)
        read(
            workspace.state,
            shots: shots,
            seeds: seeds,
            run: 0,
            chunk: items,
            into: &workspace.outputs,
            scratch: &workspace.expectations
        )
        let outputs = circuit.outputCount
        for (number, gate) in differentiableGates.enumerated() {
            runShifted(gate, by: .rotation(gate.axis, Double.pi / 2), workspace: &workspace)
            read(
                workspace.shiftedState,
                shots: shots,
                seeds: seeds,
                run: 1 + 2 * number,
                chunk: items,
                into: &workspace.plus,
                scratch: &workspace.expectations
            )
            runShifted(gate, by: .rotation(gate.axis, -Double.pi / 2), workspace: &workspace)
            read(
                workspace.shiftedState,
                shots: shots,
                seeds: seeds,
                run: 2 + 2 * number,
                chunk: items,
                into: &workspace.minus,
                scratch: &workspace.expectations
            )
            for (lane, item) in items.enumerated() {
                let base = lane * outputs
                let plus = workspace.plus
                let minus = workspace.minus
                accumulate(
                    { (plus[base + $0] - minus[base + $0]) / 2 },
                    gate: gate,
                    inputs: chunk[item],
                    into: &results[item]
                )
            }
        }
    }

    /// Simulates the bound lanes with one gate followed by `shift`, into `workspace.shiftedState`.
    private func runShifted(_ gate: DifferentiableGate, by shift: Matrix2, workspace: inout Workspace) {
        let n = circuit.qubitCount
        let laneBits = workspace.laneBits
        switch gate.location {
        case .leading(let wire):
            for lane in 0..<workspace.lanes {
                workspace.savedLeading[lane] = workspace.leading[lane * n + wire]
                workspace.leading[lane * n + wire] = product(
                    of: leadingGates[wire],
                    lane: lane,
                    inputMatrices: workspace.inputMatrices,
                    shifting: gate.gate,
                    by: shift
                )
            }
            workspace.shiftedState.setLaneProducts(workspace.leading, wires: n, laneBits: laneBits)
            for lane in 0..<workspace.lanes { workspace.leading[lane * n + wire] = workspace.savedLeading[lane] }
            workspace.shiftedState.apply(workspace.operations[...])
        case .step(let stepIndex):
            if let slot = workspace.checkpointSlot[stepIndex], !workspace.checkpoints.isEmpty {
                workspace.shiftedState.overwrite(with: workspace.checkpoints[slot])
            } else {
                workspace.shiftedState.setLaneProducts(workspace.leading, wires: n, laneBits: laneBits)
                workspace.shiftedState.apply(workspace.operations[..<stepIndex])
            }
            guard case .single(let wire, let run, _) = steps[stepIndex] else {
                preconditionFailure("a rotation sits in a single-qubit step")
            }
            // Steps with shared matrices only: input-dependent steps force a single lane.
            let shifted = product(
                of: run,
                lane: 0,
                inputMatrices: workspace.inputMatrices,
                shifting: gate.gate,
                by: shift
            )
            workspace.shiftedState.apply(shifted, to: wire + laneBits)
            workspace.shiftedState.apply(workspace.operations[(stepIndex + 1)...])
        }
    }

    /// One forward run, then one backward sweep carrying the state and one co-state per
    /// output (Jones and Gacon's adjoint method): d<Z_j>/dt = Im <lambda_j| P |psi> at each gate.
    func adjoint(_ chunk: ArraySlice<[Double]>, into results: inout [CircuitEvaluation], workspace: inout Workspace) {
        let items = chunk.indices
        run(workspace: &workspace)
        read(
            workspace.state,
            shots: nil,
            seeds: [],
            run: 0,
            chunk: items,
            into: &workspace.outputs,
            scratch: &workspace.expectations
        )
        guard let firstDifferentiable = differentiableGates.first?.gate else { return }

        let outputs = circuit.outputCount
        let laneBits = workspace.laneBits
        if workspace.costates.count != outputs {
            workspace.costates = Array(repeating: workspace.state, count: outputs)
        }
        for (j, wire) in circuit.measuredWires.enumerated() {
            workspace.costates[j].overwrite(with: workspace.state)
            workspace.costates[j].apply(.pauliZ, to: wire + laneBits)
        }
        var next = differentiableGates.count - 1
        for g in stride(from: gates.count - 1, through: firstDifferentiable, by: -1) {
            if next >= 0 && differentiableGates[next].gate == g {
                let gate = differentiableGates[next]
                // workspace.plus holds the derivatives, lane-major.
                for j in 0..<outputs {
                    workspace.costates[j].laneOverlaps(
                        with: workspace.state,
                        pauli: gate.axis,
                        on: gate.wire,
                        laneBits: laneBits,
                        into: &workspace.overlaps
                    )
                    for lane in 0..<workspace.lanes { workspace.plus[lane * outputs + j] = workspace.overlaps[lane].im }
                }
                for (lane, item) in items.enumerated() {
                    let base = lane * outputs
                    let derivatives = workspace.plus
                    accumulate({ derivatives[base + $0] }, gate: gate, inputs: chunk[item], into: &results[item])
                }
                next -= 1
                if g == firstDifferentiable { break }
            }
            undo(gate: g, on: &workspace.state, laneBits: laneBits, inputMatrices: workspace.inputMatrices)
            for j in 0..<outputs {
                undo(gate: g, on: &workspace.costates[j], laneBits: laneBits, inputMatrices: workspace.inputMatrices)
            }
        }
    }

    /// Applies the inverse of gate `g` to every lane.
    @inline(__always)
    private func undo(gate g: Int, on state: inout StateVector, laneBits: Int, inputMatrices: [Matrix2]) {
        switch (gates[g], gateMatrices[g]) {
        case (.fixed(.cnot(let c, let t)), _): state.applyCNOT(control: c + laneBits, target: t + laneBits)
        case (.fixed(.cz(let a, let b)), _): state.applyCZ(a + laneBits, b + laneBits)
        case (.fixed(.swap(let a, let b)), _): state.applySwap(a + laneBits, b + laneBits)
        case (_, .fixed(let m)): state.apply(m.adjoint, to: gates[g].wires[0] + laneBits)
        case (_, .input(let slot)):
            for lane in 0..<(1 << laneBits) {
                let m = inputMatrices[lane * inputRotations.count + slot]
                state.apply(m.adjoint, to: gates[g].wires[0], lane: lane, laneBits: laneBits)
            }
        case (_, .twoQubit): preconditionFailure("two-qubit gate \(gates[g]) has no kernel")
        }
    }
}
