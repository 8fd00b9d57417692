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
