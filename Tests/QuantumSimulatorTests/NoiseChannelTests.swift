import QuantumSimulator
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The device figures of the fixture's "all" case, scaled up so that every channel shows.
let strongNoise = NoiseModel(
    depolarizing1q: 0.02,
    depolarizing2q: 0.08,
    t1Seconds: 20e-6,
    t2Seconds: 15e-6,
    gateSeconds1q: 0.5e-6,
    gateSeconds2q: 2e-6,
    readout0to1: 0.03,
    readout1to0: 0.06
)

/// The Bloch vector (x, y, z) of a 1-qubit density matrix.
func blochVector(_ rho: DensityMatrix) -> [Double] {
    [2 * rho[0, 1].re, -2 * rho[0, 1].im, rho[0, 0].re - rho[1, 1].re]
}

@Suite("Noise channels")
struct NoiseChannelTests {
    @Test("depolarising shrinks the Bloch vector by 1 - 4 p1 / 3", arguments: [0.0, 0.01, 0.3, 0.75])
    func depolarizingShrinks(p: Double) throws {
        let circuit = try Circuit(qubitCount: 1, gates: [.u(0, 1.1, 0.4, -0.7)])
        let ideal = try DensityMatrix(running: circuit, noise: .ideal)
        let noisy = try DensityMatrix(running: circuit, noise: NoiseModel(depolarizing1q: p))
        let expected = blochVector(ideal).map { $0 * (1 - 4 * p / 3) }
        #expect(maxDifference(blochVector(noisy), expected) < 1e-15)
    }

    @Test("T1 decay: the population of |1> falls as exp(-t/T1)", arguments: 1...4)
    func amplitudeDecay(gates: Int) throws {
        let t1 = 30e-6
        let t = 2e-6
        // X, then Z gates: each gate lasts t, and Z leaves the populations alone.
        let circuit = try Circuit(qubitCount: 1, gates: [.x(0)] + Array(repeating: .z(0), count: gates - 1))
        let rho = try DensityMatrix(running: circuit, noise: NoiseModel(t1Seconds: t1, gateSeconds1q: t))
        #expect(isClose(rho[1, 1].re, exp(-Double(gates) * t / t1), absolute: 1e-15))
        #expect(isClose(rho.trace, 1, absolute: 1e-15))
    }

    @Test("off-diagonals decay as exp(-t/T2)", arguments: [(30e-6, 60e-6), (30e-6, 20e-6), (30e-6, 1e-6)])
    func coherenceDecay(t1: Double, t2: Double) throws {
        let t = 0.5e-6
        let circuit = try Circuit(qubitCount: 1, gates: [.h(0), .z(0), .z(0)])
        let rho = try DensityMatrix(
            running: circuit,
            noise: NoiseModel(t1Seconds: t1, t2Seconds: t2, gateSeconds1q: t)
        )
        let magnitude = rho[0, 1].lengthSquared.squareRoot()
        #expect(isClose(magnitude, 0.5 * exp(-3 * t / t2), absolute: 1e-15))
    }

    @Test("no T2 means T2 = 2 T1; no T1 means pure dephasing")
    func missingTimes() throws {
        let circuit = try Circuit(qubitCount: 1, gates: [.h(0)])
        let t = 1e-6
        let onlyT1 = try DensityMatrix(running: circuit, noise: NoiseModel(t1Seconds: 10e-6, gateSeconds1q: t))
        #expect(isClose(onlyT1[0, 1].re, 0.5 * exp(-t / 20e-6), absolute: 1e-15))
        let onlyT2 = try DensityMatrix(running: circuit, noise: NoiseModel(t2Seconds: 10e-6, gateSeconds1q: t))
        #expect(isClose(onlyT2[0, 1].re, 0.5 * exp(-t / 10e-6), absolute: 1e-15))
        #expect(isClose(onlyT2[1, 1].re, 0.5, absolute: 1e-15))
    }

    @Test("two-qubit depolarising mixes a Bell state with I/4 by 16 p2 / 15")
    func twoQubitDepolarizing() throws {
        let p = 0.12
        let circuit = try Circuit(qubitCount: 2, gates: [.h(0), .cnot(control: 0, target: 1)])
        let rho = try DensityMatrix(running: circuit, noise: NoiseModel(depolarizing2q: p))
        let bell = try DensityMatrix(running: circuit, noise: .ideal)
        let weight = 16 * p / 15
        for r in 0..<4 {
            for c in 0..<4 {
                let expected = (1 - weight) * bell[r, c].re + (r == c ? weight / 4 : 0)
                #expect(isClose(rho[r, c].re, expected, absolute: 1e-15))
            }
        }
    }

    @Test("without noise the density matrix is |psi><psi| of the state vector", arguments: 1...5)
    func idealMatchesStateVector(qubits: Int) throws {
        var generator = SeededGenerator(seed: 600 + UInt64(qubits))
        let circuit = randomCircuit(qubits: qubits, gateCount: 40, generator: &generator)
        let rho = try DensityMatrix(running: circuit, noise: .ideal)
        let pure = try DensityMatrix(pure: StateVector(running: circuit))
        for r in 0..<rho.dimension {
            for c in 0..<rho.dimension {
                #expect(isClose(rho[r, c].re, pure[r, c].re, absolute: 1e-13))
                #expect(isClose(rho[r, c].im, pure[r, c].im, absolute: 1e-13))
            }
        }
    }

    @Test("the symmetric real path equals the complex path", arguments: 2...5)
    func realPathMatchesComplexPath(qubits: Int) throws {
        // H, RY, CZ and CNOT only: the matrix stays real and only its upper triangle is kept.
        var generator = SeededGenerator(seed: 800 + UInt64(qubits))
        var gates: [Gate] = []
        for _ in 0..<30 {
            let w = Int(generator.next() % UInt64(qubits))
            let other = (w + 1 + Int(generator.next() % UInt64(qubits - 1))) % qubits
            switch generator.next() % 4 {
            case 0: gates.append(.h(w))
            case 1: gates.append(.ry(w, generator.nextUnit() * 6 - 3))
            case 2: gates.append(.cz(w, other))
            default: gates.append(.cnot(control: w, target: other))
            }
        }
        let real = try DensityMatrix(running: Circuit(qubitCount: qubits, gates: gates), noise: strongNoise)
        // S then S-dagger change nothing but make the matrix complex, kept whole, from the start.
        var complex = try DensityMatrix(qubitCount: qubits)
        complex.apply(Superoperator(unitary: .s), to: 0)
        complex.apply(Superoperator(unitary: .sdg), to: 0)
        for gate in gates { complex.apply(gate, channels: NoiseChannels(strongNoise)) }
        #expect(real.isReal && !complex.isReal)
        for r in 0..<real.dimension {
            for c in 0..<real.dimension {
                #expect(isClose(real[r, c].re, complex[r, c].re, absolute: 1e-14), "\(r), \(c)")
                #expect(isClose(complex[r, c].im, 0, absolute: 1e-14))
            }
        }
    }

    @Test("every channel keeps the trace one and the matrix positive", arguments: 1...3)
    func traceAndPositivity(qubits: Int) throws {
        var generator = SeededGenerator(seed: 700 + UInt64(qubits))
        // A random mixed state to start from: a random circuit under strong noise.
        var rho = try DensityMatrix(
            running: randomCircuit(qubits: qubits, gateCount: 12, generator: &generator),
            noise: strongNoise
        )
        func check(_ what: String) {
            #expect(isClose(rho.trace, 1, absolute: 1e-13), "\(what): trace \(rho.trace)")
            let smallest = smallestEigenvalue(rho)
            #expect(smallest >= -1e-12, "\(what): smallest eigenvalue \(smallest)")
        }
        check("start")
        let single: [(String, Superoperator)] = [
            ("depolarizing", .depolarizing(0.3)),
            ("amplitude damping", .amplitudeDamping(0.4)),
            ("phase damping", .phaseDamping(0.6)),
            ("noisy rx", .noisyGate(.rx(0.7), channels: NoiseChannels(strongNoise))),
        ]
        for wire in 0..<qubits {
            for (name, map) in single {
                rho.apply(map, to: wire)
                check("\(name) on wire \(wire)")
            }
        }
        guard qubits > 1 else { return }
        let twoQubit: [(String, NoiseModel)] = [
            ("two-qubit depolarizing", NoiseModel(depolarizing2q: 0.5)),
            (
                "relaxation after a two-qubit gate",
                NoiseModel(t1Seconds: 1e-6, t2Seconds: 0.5e-6, gateSeconds2q: 0.4e-6)
            ),
            ("all channels", strongNoise),
        ]
        for (name, model) in twoQubit {
            let gates: [(String, FusedOperation)] = [
                ("cnot", .cnot(control: 0, target: 1)), ("cz", .cz(1, 0)), ("swap", .swap(0, qubits - 1)),
            ]
            for (gateName, gate) in gates {
                rho.apply(gate, channels: NoiseChannels(model))
                check("\(name) after \(gateName)")
            }
        }
    }

    @Test("a noise model refuses values outside its ranges, naming the field")
    func validation() throws {
        try strongNoise.validate()
        try NoiseModel.ideal.validate()
        let bad: [(NoiseModel, String)] = [
            (NoiseModel(depolarizing1q: 1.5), "depolarizing1q"),
            (NoiseModel(depolarizing2q: -0.1), "depolarizing2q"),
            (NoiseModel(readout0to1: .nan), "readout0to1"),
            (NoiseModel(readout1to0: 2), "readout1to0"),
            (NoiseModel(t1Seconds: 0), "t1Seconds"),
            (NoiseModel(t2Seconds: -1), "t2Seconds"),
            (NoiseModel(t1Seconds: 1e-6, t2Seconds: 3e-6), "t2Seconds"),
            (NoiseModel(gateSeconds1q: -1e-9), "gateSeconds1q"),
            (NoiseModel(gateSeconds2q: .infinity), "gateSeconds2q"),
        ]
        for (model, field) in bad {
            do {
                try model.validate()
                Issue.record("\(field) was accepted")
            } catch {
                guard case .invalidNoiseParameter(let named, _, _) = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(named == field)
                #expect(error.description.contains(field) && !error.description.contains("\n"))
            }
        }
        #expect(throws: SimulatorError.densityMatrixTooLarge(qubits: 13, limit: 12)) {
            try DensityMatrix(qubitCount: 13)
        }
    }

    @Test("ideal, gate noise and readout-only models are told apart")
    func classification() {
        #expect(NoiseModel.ideal.isIdeal && !NoiseModel.ideal.hasGateNoise)
        #expect(!NoiseModel(readout0to1: 0.01).isIdeal && !NoiseModel(readout0to1: 0.01).hasGateNoise)
        #expect(NoiseModel(depolarizing2q: 0.01).hasGateNoise)
        // Relaxation times with zero-length gates do nothing.
        #expect(NoiseModel(t1Seconds: 1e-6).isIdeal)
        #expect(NoiseModel(t1Seconds: 1e-6, gateSeconds2q: 1e-7).hasGateNoise)
    }
}
