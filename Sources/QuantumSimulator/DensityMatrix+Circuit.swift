extension DensityMatrix {
    /// Runs `circuit` from |0...0> under `noise`, each gate followed by its channels.
    ///
    /// The gates before a wire's first 2-qubit gate act on that wire alone: they run on its
    /// own 2 x 2 density matrix, and the matrices' product is built directly.
    /// - Throws: `SimulatorError` for an invalid noise model or too many qubits.
    public init(running circuit: Circuit, noise: NoiseModel) throws(SimulatorError) {
        try noise.validate()
        let channels = NoiseChannels(noise)
        let n = circuit.qubitCount
        var wires = Array(repeating: Matrix2(real: 1, 0, 0, 0), count: n)
        var entangled = Array(repeating: false, count: n)
        var rest: [Gate] = []
        for gate in circuit.gates {
            let touched = gate.wires
            if touched.count == 1 && !entangled[touched[0]] {
                wires[touched[0]] = Superoperator.noisyGate(gate.matrix!, channels: channels).applied(
                    to: wires[touched[0]]
                )
            } else {
                for w in touched { entangled[w] = true }
                rest.append(gate)
            }
        }
        try self.init(product: wires)
        for gate in rest { apply(gate, channels: channels) }
    }
}
