import QuantumSimulator
import TestSupport
import Testing

@Suite("Trajectories and noisy shots")
struct TrajectoryTests {
    @Test("trajectory averages of <Z_w> fall within 5 standard errors of the density matrix", arguments: [2, 3])
    func trajectoriesMatchDensityMatrix(qubits: Int) throws {
        var generator = SeededGenerator(seed: 900 + UInt64(qubits))
        let circuit = randomCircuit(qubits: qubits, gateCount: 16, generator: &generator)
        let exact = try DensityMatrix(running: circuit, noise: strongNoise).expectationsZ()
        let channels = NoiseChannels(strongNoise)
        let count = 2000
        var sums = [Double](repeating: 0, count: qubits)
        var squares = sums
        for k in 0..<count {
            var stream = SeededGenerator(seed: SeededGenerator.derivedSeed(11, [UInt64(k)]))
            let z = try StateVector(trajectoryOf: circuit, channels: channels, generator: &stream).expectationsZ()
            for w in 0..<qubits {
                sums[w] += z[w]
                squares[w] += z[w] * z[w]
            }
        }
        for w in 0..<qubits {
            let mean = sums[w] / Double(count)
            let variance = max(squares[w] / Double(count) - mean * mean, 0)
            let standardError = (variance / Double(count - 1)).squareRoot()
            #expect(abs(mean - exact[w]) <= 5 * standardError + 1e-12, "wire \(w): \(mean) vs \(exact[w])")
        }
    }

    @Test("a trajectory is a function of its seed")
    func seededTrajectories() throws {
        var generator = SeededGenerator(seed: 5)
        let circuit = randomCircuit(qubits: 3, gateCount: 20, generator: &generator)
        let channels = NoiseChannels(strongNoise)
        var a = SeededGenerator(seed: 1)
        var b = SeededGenerator(seed: 1)
        let first = try StateVector(trajectoryOf: circuit, channels: channels, generator: &a)
        let second = try StateVector(trajectoryOf: circuit, channels: channels, generator: &b)
        #expect(first.amplitudes == second.amplitudes)
        #expect(isClose(first.normSquared, 1, absolute: 1e-12))
    }

    @Test("shots read through readout errors estimate (1 - e0 - e1) <Z> + (e1 - e0)")
    func readoutShots() throws {
        let circuit = try Circuit(qubitCount: 3, gates: [.ry(0, 0.4), .h(1), .x(2), .cnot(control: 0, target: 1)])
        let rho = try DensityMatrix(running: circuit, noise: strongNoise)
        var probabilities: [Double] = []
        rho.probabilities(into: &probabilities)
        let shots = 20_000
        let sample = try ShotSample(drawingFrom: probabilities, shots: shots, seed: 3, readout: strongNoise)
        #expect(sample.counts.map(\.count).reduce(0, +) == shots)
        for (estimate, z) in zip(sample.expectationsZ, rho.expectationsZ()) {
            let read = strongNoise.readout(z)
            let standardError = ((1 - read * read) / Double(shots)).squareRoot()
            #expect(abs(estimate - read) <= 5 * standardError)
            // Wire 2 is |1> up to relaxation: misreads must show.
            #expect(abs(read - z) > 1e-3)
        }
        #expect(
            try ShotSample(drawingFrom: probabilities, shots: 500, seed: 3, readout: strongNoise)
                == ShotSample(drawingFrom: probabilities, shots: 500, seed: 3, readout: strongNoise)
        )
    }
}
