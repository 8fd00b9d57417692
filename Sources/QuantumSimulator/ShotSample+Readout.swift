extension ShotSample {
    /// Measures every qubit `shots` times from a distribution over basis states, then misreads
    /// each bit as a real device does: a 0 reads as 1 with probability `readout0to1`, a 1 as 0
    /// with `readout1to0`.
    ///
    /// Draws come from one seeded stream: per shot, one for the basis state, then (when the
    /// model has readout errors) one per qubit in wire order.
    /// - Parameter probabilities: 2^n probabilities by basis-state index (a noisy state's
    ///   diagonal, or an average over trajectories).
    /// - Throws: `SimulatorError.invalidShotCount` unless `shots >= 1`.
    public init(
        drawingFrom probabilities: [Double],
        shots: Int,
        seed: UInt64,
        readout noise: NoiseModel
    ) throws(SimulatorError) {
        guard shots >= 1 else { throw .invalidShotCount(shots) }
        precondition(probabilities.count.nonzeroBitCount == 1, "one probability per basis state")
        let n = probabilities.count.trailingZeroBitCount
        var cumulative = [Double](repeating: 0, count: probabilities.count)
        var running = 0.0
        for (i, p) in probabilities.enumerated() {
            running += p
            cumulative[i] = running
        }
        let misreads = noise.readout0to1 > 0 || noise.readout1to0 > 0
        var generator = SeededGenerator(seed: seed)
        var tally = [Int](repeating: 0, count: probabilities.count)
        for _ in 0..<shots {
            var index = ShotSample.draw(from: cumulative, total: running, generator: &generator)
            if misreads {
                for w in 0..<n {
                    let error = index & (1 << w) == 0 ? noise.readout0to1 : noise.readout1to0
                    if generator.nextUnit() < error { index ^= 1 << w }
                }
            }
            tally[index] += 1
        }
        self.init(
            qubitCount: n,
            shots: shots,
            counts: tally.indices.filter { tally[$0] > 0 }.map { (index: $0, count: tally[$0]) }
        )
    }
}
