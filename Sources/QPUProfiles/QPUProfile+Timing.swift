import VariationalCircuits

extension QPUProfile {
    /// Modelled seconds of one run of `circuit`: gates scheduled as soon as their wires are
    /// free, each layer as long as its slowest gate (gates on different wires run together).
    public func circuitSeconds(_ circuit: SubVQC) -> Double {
        var free = Array(repeating: 0.0, count: circuit.qubitCount)
        for gate in circuit.gates {
            let wires = gate.wires
            let start = wires.map { free[$0] }.max() ?? 0
            let end = start + (wires.count > 1 ? gateSeconds2q : gateSeconds1q)
            for wire in wires { free[wire] = end }
        }
        return free.max() ?? 0
    }
}

extension QPUProfile {
    /// Modelled seconds of one `evaluate` request on this QPU: `requestSeconds` over its items'
    /// circuit runs (every shifted circuit of a parameter-shift Jacobian is a run), with the
    /// batch's shots or, when it asks for none, the profile's.
    /// - Parameters:
    ///   - differentiableGates: `differentiableGateCount` of each loaded circuit, by index
    ///     (worked out once: a circuit builds its gate list to count them).
    ///   - circuitSeconds: `circuitSeconds(_:)` of each loaded circuit, by index.
    public func requestSeconds(
        _ batch: EvaluationBatch,
        differentiableGates: [Int],
        circuitSeconds: [Double]
    ) -> Double {
        var runs: [Int: Int] = [:]
        for item in batch.items where differentiableGates.indices.contains(item.circuit) {
            runs[item.circuit, default: 0] += SubVQC.circuitRuns(
                differentiableGates: differentiableGates[item.circuit],
                method: batch.method
            )
        }
        return requestSeconds(
            runs: runs.sorted { $0.key < $1.key }.map { (count: $0.value, circuitSeconds: circuitSeconds[$0.key]) },
            shots: batch.shots ?? shots
        )
    }
}
