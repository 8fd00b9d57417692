/// Quantum trajectories: a noisy circuit as a random sequence of pure states whose average is
/// the density matrix. After each gate, one Kraus operator of each channel is drawn with its
/// probability and applied, and the state renormalised. Every draw comes from the generator the
/// caller seeds, one uniform number per channel whatever the state, so a trajectory is a
/// function of its seed.
extension StateVector {
    /// One trajectory of `circuit` under `channels`, from |0...0>.
    public init(
        trajectoryOf circuit: Circuit,
        channels: NoiseChannels,
        generator: inout SeededGenerator
    ) throws(SimulatorError) {
        try self.init(qubitCount: circuit.qubitCount)
        for gate in circuit.gates { apply(gate, channels: channels, generator: &generator) }
    }

    /// Applies `gate`, then a drawn Kraus operator of each channel that follows it.
    public mutating func apply(_ gate: Gate, channels: NoiseChannels, generator: inout SeededGenerator) {
        apply(gate)
        let wires = gate.wires
        if wires.count == 1 {
            depolarize(wires[0], p: channels.depolarizing1q, generator: &generator)
            relax(wires[0], channels.relaxation1q, generator: &generator)
            return
        }
        let p = channels.depolarizing2q
        if p > 0 {
            let u = generator.nextUnit()
            if u < p {
                // One of the 15 non-identity words, as (letter on the first wire, on the second).
                let word = 1 + min(14, Int(u / p * 15))
                applyPauli(word & 3, to: wires[0])
                applyPauli(word >> 2, to: wires[1])
            }
        }
        for w in wires { relax(w, channels.relaxation2q, generator: &generator) }
    }

    /// X, Y or Z, each with probability p/3.
    private mutating func depolarize(_ wire: Int, p: Double, generator: inout SeededGenerator) {
        guard p > 0 else { return }
        let u = generator.nextUnit()
        if u < p { applyPauli(1 + min(2, Int(u / p * 3)), to: wire) }
    }

    /// I, X, Y, Z for 0...3. Y is applied as i Y = [[0, 1], [-1, 0]]: a global phase, and it
    /// keeps a real state real.
    private mutating func applyPauli(_ letter: Int, to wire: Int) {
        switch letter {
        case 1: apply(.pauliX, to: wire)
        case 2: apply(Matrix2(real: 0, 1, -1, 0), to: wire)
        case 3: apply(.pauliZ, to: wire)
        default: break
        }
    }

    /// Amplitude damping (a decay |1> -> |0> with probability gamma p(1), else the no-jump
    /// operator), then phase damping as Z with probability `phaseFlip`.
    private mutating func relax(_ wire: Int, _ relaxation: NoiseChannels.Relaxation, generator: inout SeededGenerator) {
        let gamma = relaxation.gamma
        if gamma > 0 {
            let one = probabilityOfOne(wire)
            let u = generator.nextUnit()
            if u < gamma * one {
                apply(Matrix2(real: 0, 1 / one.squareRoot(), 0, 0), to: wire)
            } else {
                let norm = (1 - gamma * one).squareRoot()
                apply(Matrix2(real: 1 / norm, 0, 0, (1 - gamma).squareRoot() / norm), to: wire)
            }
        }
        let flip = relaxation.phaseFlip
        if flip > 0 && generator.nextUnit() < flip { apply(.pauliZ, to: wire) }
    }

    /// The probability that `wire` reads 1, summed in index order.
    func probabilityOfOne(_ wire: Int) -> Double {
        let bit = 1 << wire
        return reduceInBlocks { lo, hi in
            var sum = 0.0
            for i in lo..<hi where i & bit != 0 {
                sum += re[i] * re[i]
                if !im.isEmpty { sum += im[i] * im[i] }
            }
            return sum
        }
    }
}
