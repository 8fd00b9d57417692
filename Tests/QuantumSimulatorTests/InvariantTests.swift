import QuantumSimulator
import TestSupport
import Testing

@Suite("Physics invariants")
struct InvariantTests {
    @Test("random circuits keep the norm", arguments: 1...8)
    func normIsKept(qubits: Int) throws {
        var generator = SeededGenerator(seed: UInt64(qubits))
        let circuit = randomCircuit(qubits: qubits, gateCount: 60, generator: &generator)
        let state = try StateVector(running: circuit)
        #expect(isClose(state.normSquared, 1, absolute: 1e-12))
    }

    @Test("fused and gate-by-gate simulation agree", arguments: 1...8)
    func fusionIsExact(qubits: Int) throws {
        var generator = SeededGenerator(seed: 100 + UInt64(qubits))
        let circuit = randomCircuit(qubits: qubits, gateCount: 80, generator: &generator)
        let fused = try StateVector(running: circuit)
        var stepwise = try StateVector(qubitCount: qubits)
        for gate in circuit.gates { stepwise.apply(gate) }
        for i in 0..<fused.dimension {
            #expect(isClose(fused.amplitude(i).re, stepwise.amplitude(i).re, absolute: 1e-12))
            #expect(isClose(fused.amplitude(i).im, stepwise.amplitude(i).im, absolute: 1e-12))
        }
    }

    @Test("H H is the identity on every wire")
    func hadamardSquared() throws {
        var generator = SeededGenerator(seed: 7)
        let circuit = randomCircuit(qubits: 4, gateCount: 20, generator: &generator)
        let before = try StateVector(running: circuit)
        var after = before
        for wire in 0..<4 {
            after.apply(.h(wire))
            after.apply(.h(wire))
        }
        for i in 0..<before.dimension {
            #expect(isClose(before.amplitude(i).re, after.amplitude(i).re, absolute: 1e-14))
            #expect(isClose(before.amplitude(i).im, after.amplitude(i).im, absolute: 1e-14))
        }
    }

    @Test("<Z> after RY(t) is cos t", arguments: [-3.0, -1.2, 0, 0.4, 1.5707963267948966, 2.9])
    func ryExpectation(t: Double) throws {
        for wire in 0..<3 {
            let state = try StateVector(running: Circuit(qubitCount: 3, gates: [.ry(wire, t)]))
            let z = state.expectationsZ()
            #expect(isClose(z[wire], cos(t), absolute: 1e-14))
            for other in 0..<3 where other != wire { #expect(isClose(z[other], 1, absolute: 1e-14)) }
        }
    }

    @Test("CNOT truth table, control above and below the target")
    func cnotTruthTable() throws {
        for (control, target) in [(0, 1), (1, 0), (0, 2), (2, 0)] {
            for input in 0..<8 {
                var gates: [Gate] = (0..<3).filter { input & (1 << $0) != 0 }.map { .x($0) }
                gates.append(.cnot(control: control, target: target))
                let state = try StateVector(running: Circuit(qubitCount: 3, gates: gates))
                let flipped = input & (1 << control) != 0 ? input ^ (1 << target) : input
                #expect(
                    isClose(state.amplitude(flipped).re, 1, absolute: 1e-15),
                    "input \(input) control \(control) target \(target)"
                )
            }
        }
    }

    @Test("Bell state: <Z0> = <Z1> = 0, <Z0 Z1> = <X0 X1> = 1, <Y0 Y1> = -1")
    func bellState() throws {
        let state = try StateVector(running: Circuit(qubitCount: 2, gates: [.h(0), .cnot(control: 0, target: 1)]))
        #expect(maxDifference(state.expectationsZ(), [0, 0]) < 1e-15)
        #expect(isClose(state.expectation(of: try PauliWord("ZZ")), 1, absolute: 1e-15))
        #expect(isClose(state.expectation(of: try PauliWord("XX")), 1, absolute: 1e-15))
        #expect(isClose(state.expectation(of: try PauliWord("YY")), -1, absolute: 1e-15))
        #expect(isClose(state.expectation(of: try PauliWord("ZI")), 0, absolute: 1e-15))
    }

    @Test("GHZ state on 5 qubits: <XXXXX> = 1, <Z_i Z_j> = 1, <Z_i> = 0")
    func ghzState() throws {
        var gates: [Gate] = [.h(0)]
        for w in 1..<5 { gates.append(.cnot(control: w - 1, target: w)) }
        let state = try StateVector(running: Circuit(qubitCount: 5, gates: gates))
        #expect(isClose(state.expectation(of: try PauliWord("XXXXX")), 1, absolute: 1e-14))
        #expect(isClose(state.expectation(of: try PauliWord("ZIIIZ")), 1, absolute: 1e-14))
        #expect(isClose(state.expectation(of: try PauliWord("YYXXX")), -1, absolute: 1e-14))
        #expect(maxDifference(state.expectationsZ(), [0, 0, 0, 0, 0]) < 1e-14)
    }

    @Test("<Z_w> from the Pauli word equals the one-pass <Z_w>", arguments: 1...6)
    func pauliWordMatchesZ(qubits: Int) throws {
        var generator = SeededGenerator(seed: 300 + UInt64(qubits))
        let state = try StateVector(running: randomCircuit(qubits: qubits, gateCount: 40, generator: &generator))
        let z = state.expectationsZ()
        for w in 0..<qubits {
            let word = String((0..<qubits).map { $0 == w ? "Z" : "I" })
            #expect(isClose(state.expectation(of: try PauliWord(word)), z[w], absolute: 1e-13))
        }
    }

    @Test("threaded kernels on 15 qubits match the small kernels", arguments: [0, 5, 11])
    func threadedKernelsMatch(offset: Int) throws {
        // The same 4-qubit circuit on wires offset...offset+3 of a 15-qubit state (split over
        // threads) must give the small state's amplitudes at the embedded indices.
        var generator = SeededGenerator(seed: 99)
        let small = randomCircuit(qubits: 4, gateCount: 40, generator: &generator)
        let moved = small.gates.map { gate -> Gate in
            switch gate {
            case .h(let w): .h(w + offset)
            case .x(let w): .x(w + offset)
            case .y(let w): .y(w + offset)
            case .z(let w): .z(w + offset)
            case .s(let w): .s(w + offset)
            case .sdg(let w): .sdg(w + offset)
            case .t(let w): .t(w + offset)
            case .tdg(let w): .tdg(w + offset)
            case .rx(let w, let a): .rx(w + offset, a)
            case .ry(let w, let a): .ry(w + offset, a)
            case .rz(let w, let a): .rz(w + offset, a)
            case .rot(let w, let a, let b, let c): .rot(w + offset, a, b, c)
            case .u(let w, let a, let b, let c): .u(w + offset, a, b, c)
            case .cnot(let c, let t): .cnot(control: c + offset, target: t + offset)
            case .cz(let a, let b): .cz(a + offset, b + offset)
            case .swap(let a, let b): .swap(a + offset, b + offset)
            }
        }
        let reference = try StateVector(running: small)
        var large = try StateVector(qubitCount: 15)
        for gate in moved { large.apply(gate) }
        for j in 0..<16 {
            #expect(isClose(large.amplitude(j << offset).re, reference.amplitude(j).re, absolute: 1e-13))
            #expect(isClose(large.amplitude(j << offset).im, reference.amplitude(j).im, absolute: 1e-13))
        }
        #expect(isClose(large.normSquared, 1, absolute: 1e-12))
    }
}

@Suite("Shots and bad input")
struct SamplingTests {
    @Test("shot estimates of <Z_i> fall within 5 standard errors", arguments: [1, 3, 6])
    func shotEstimates(qubits: Int) throws {
        var generator = SeededGenerator(seed: 42 + UInt64(qubits))
        let state = try StateVector(running: randomCircuit(qubits: qubits, gateCount: 30, generator: &generator))
        let exact = state.expectationsZ()
        let shots = 20_000
        let sample = try state.sample(shots: shots, seed: 5)
        #expect(sample.counts.map(\.count).reduce(0, +) == shots)
        for (estimate, value) in zip(sample.expectationsZ, exact) {
            let standardError = ((1 - value * value) / Double(shots)).squareRoot()
            #expect(abs(estimate - value) <= 5 * standardError + 1e-12)
        }
    }

    @Test("the same seed gives the same counts; another seed other counts")
    func seededSampling() throws {
        let state = try StateVector(running: Circuit(qubitCount: 3, gates: [.h(0), .h(1), .ry(2, 1.0)]))
        #expect(try state.sample(shots: 1000, seed: 1) == state.sample(shots: 1000, seed: 1))
        #expect(try state.sample(shots: 1000, seed: 1) != state.sample(shots: 1000, seed: 2))
    }

    @Test("bad sizes are typed errors")
    func badInput() {
        #expect(throws: SimulatorError.qubitCountOutOfRange(0, range: 1...25)) { try StateVector(qubitCount: 0) }
        #expect(throws: SimulatorError.qubitCountOutOfRange(26, range: 1...25)) { try Circuit(qubitCount: 26) }
        #expect(throws: SimulatorError.wireOutOfRange(wire: 3, qubitCount: 3, gate: "h")) {
            try Circuit(qubitCount: 3, gates: [.h(3)])
        }
        #expect(throws: SimulatorError.repeatedWire(wire: 1, gate: "cx")) {
            try Circuit(qubitCount: 3, gates: [.cnot(control: 1, target: 1)])
        }
        #expect(throws: SimulatorError.invalidShotCount(0)) { try StateVector(qubitCount: 1).sample(shots: 0, seed: 0) }
        #expect(throws: SimulatorError.invalidPauliLetter("Q", word: "XQ")) { try PauliWord("XQ") }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
