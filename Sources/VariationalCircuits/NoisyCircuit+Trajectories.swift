import QuantumSimulator

extension NoisyCircuit {
    /// Loads one input vector: the concrete gates.
    func bindGates(_ inputs: [Double], workspace: inout Workspace) {
        workspace.gates.removeAll(keepingCapacity: true)
        for gate in prepared.gates {
            workspace.gates.append(gate.bound(inputs: inputs, parameters: prepared.parameters))
        }
    }

    /// Averages `count` trajectories of the bound gates, with `shift.gate`'s angle moved by
    /// `shift.angle` if given, into `workspace.expectations` (<Z_w>), or into
    /// `workspace.probabilities` when `sampling`.
    ///
    /// Trajectory `k` draws from the stream (the input's seed, `trajectoryStream`, k) in every
    /// run, shifted or not: the runs of one parameter-shift derivative share their random
    /// numbers, which makes their difference far less noisy than independent runs would.
    func runTrajectories(
        _ count: Int,
        shift: (gate: PreparedCircuit.DifferentiableGate, angle: Double)?,
        seed: UInt64,
        sampling: Bool,
        workspace: inout Workspace
    ) {
        let n = prepared.circuit.qubitCount
        var saved: Gate?
        if let shift {
            saved = workspace.gates[shift.gate.gate]
            workspace.gates[shift.gate.gate] = Self.rotation(saved!, shiftedBy: shift.angle)
        }
        for w in 0..<n { workspace.expectations[w] = 0 }
        if sampling { PreparedCircuit.reset(&workspace.probabilities, count: 1 << n) }
        var z = [Double](repeating: 0, count: n)
        for k in 0..<count {
            var generator = SeededGenerator(
                seed: SeededGenerator.derivedSeed(seed, [Self.trajectoryStream, UInt64(k)])
            )
            workspace.state.setProduct(workspace.identities)
            for gate in workspace.gates { workspace.state.apply(gate, channels: channels, generator: &generator) }
            if sampling {
                for (i, p) in workspace.state.probabilities().enumerated() { workspace.probabilities[i] += p }
            } else {
                workspace.state.expectationsZ(into: &z)
                for w in 0..<n { workspace.expectations[w] += z[w] }
            }
        }
        let scale = 1 / Double(count)
        for w in 0..<n { workspace.expectations[w] *= scale }
        for i in workspace.probabilities.indices { workspace.probabilities[i] *= scale }
        if let shift, let saved { workspace.gates[shift.gate.gate] = saved }
    }

    /// A bound rotation with its angle moved by `shift`.
    private static func rotation(_ gate: Gate, shiftedBy shift: Double) -> Gate {
        switch gate {
        case .rx(let w, let t): .rx(w, t + shift)
        case .ry(let w, let t): .ry(w, t + shift)
        case .rz(let w, let t): .rz(w, t + shift)
        default: preconditionFailure("only Pauli rotations have a parameter-shift rule")
        }
    }
}
