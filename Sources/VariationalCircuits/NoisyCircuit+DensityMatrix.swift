import QuantumSimulator

extension NoisyCircuit {
    /// Loads one input vector: the input rotations' noisy maps, each wire's product-layer
    /// state, and the steps that depend on inputs.
    func bindMaps(_ inputs: [Double], workspace: inout Workspace) {
        for (gate, slot) in inputGates {
            let rotation = prepared.inputRotations[slot]
            let m = Matrix2.rotation(rotation.axis, rotation.source.angle(inputs: inputs, parameters: []))
            workspace.unitaries[gate] = m
            workspace.maps[gate] = .noisyGate(m, channels: channels)
        }
        for (wire, state) in leadingStates.enumerated() {
            workspace.leading[wire] = state ?? leadingState(wire, workspace: workspace)
        }
        for index in prepared.inputDependentSteps {
            guard case .single(let wire, let run, _) = prepared.steps[index] else { continue }
            workspace.operations[index] = .superoperator(wire: wire, map(of: run, workspace: workspace))
        }
    }

    /// The density matrix of `wire` after its product-layer gates, gate `shifted` followed by
    /// the rotation `shift` when given.
    func leadingState(
        _ wire: Int,
        workspace: Workspace,
        shifting shifted: Int = -1,
        by shift: Matrix2 = .identity
    )
        -> Matrix2
    {
        var rho = Self.ground
        for g in prepared.leadingGates[wire] {
            let map = g == shifted ? .noisyGate(shift * workspace.unitaries[g], channels: channels) : workspace.maps[g]
            rho = map.applied(to: rho)
        }
        return rho
    }

    /// The fused map of a run of 1-qubit gates, gate `shifted` followed by `shift` when given.
    func map(
        of run: [Int],
        workspace: Workspace,
        shifting shifted: Int = -1,
        by shift: Matrix2 = .identity
    )
        -> Superoperator
    {
        var product = Superoperator.identity
        for (position, g) in run.enumerated() {
            let map = g == shifted ? .noisyGate(shift * workspace.unitaries[g], channels: channels) : workspace.maps[g]
            product = position == 0 ? map : map * product
        }
        return product
    }

    /// Runs the bound input from its product layer through every step into `workspace.density`,
    /// storing checkpoints before differentiable steps when `recordCheckpoints` is set.
    func run(workspace: inout Workspace, recordCheckpoints: Bool) {
        workspace.density.setProduct(workspace.leading)
        guard recordCheckpoints, !workspace.checkpoints.isEmpty else {
            workspace.density.apply(workspace.operations[...], channels: channels)
            return
        }
        var done = 0
        for index in prepared.steps.indices {
            guard let slot = workspace.checkpointSlot[index] else { continue }
            workspace.density.apply(workspace.operations[done..<index], channels: channels)
            workspace.checkpoints[slot].overwrite(with: workspace.density)
            done = index
        }
        workspace.density.apply(workspace.operations[done...], channels: channels)
    }

    /// Runs the bound input with one gate followed by `shift` (before its channels, which act
    /// after the whole shifted gate), into `workspace.shifted`, restarting from the checkpoint
    /// before the gate's step.
    func runShifted(_ gate: PreparedCircuit.DifferentiableGate, by shift: Matrix2, workspace: inout Workspace) {
        switch gate.location {
        case .leading(let wire):
            let saved = workspace.leading[wire]
            workspace.leading[wire] = leadingState(wire, workspace: workspace, shifting: gate.gate, by: shift)
            workspace.shifted.setProduct(workspace.leading)
            workspace.leading[wire] = saved
            workspace.shifted.apply(workspace.operations[...], channels: channels)
        case .step(let index):
            if let slot = workspace.checkpointSlot[index], !workspace.checkpoints.isEmpty {
                workspace.shifted.overwrite(with: workspace.checkpoints[slot])
            } else {
                workspace.shifted.setProduct(workspace.leading)
                workspace.shifted.apply(workspace.operations[..<index], channels: channels)
            }
            guard case .single(let wire, let run, _) = prepared.steps[index] else {
                preconditionFailure("a rotation sits in a single-qubit step")
            }
            workspace.shifted.apply(map(of: run, workspace: workspace, shifting: gate.gate, by: shift), to: wire)
            workspace.shifted.apply(workspace.operations[(index + 1)...], channels: channels)
        }
    }
}
