import QuantumSimulator
import TestSupport
import Testing
import VariationalCircuits

/// Random sub-VQCs over every encoding, entangler and rotation layer (IQP with 1 or 2 repeats).
func randomSubVQC(qubits: Int, generator: inout SeededGenerator) -> (SubVQC, [Double], [Double]) {
    let encoding = Encoding.allCases[Int(generator.next() % UInt64(Encoding.allCases.count))]
    let entangler = EntanglingPattern.allCases[Int(generator.next() % UInt64(EntanglingPattern.allCases.count))]
    let rotations = RotationLayer.allCases[Int(generator.next() % UInt64(RotationLayer.allCases.count))]
    let repetitions = 1 + Int(generator.next() % 2)
    let ansatz = Ansatz(
        encoding: encoding,
        entangler: entangler,
        rotations: rotations,
        depth: 1 + Int(generator.next() % 3),
        // A CZ ladder once per layer; IQP's n_repeats up to 2.
        entanglingRepetitions: entangler == .hardwareEfficient ? 1 : repetitions,
        encodingRepetitions: encoding == .iqp ? repetitions : 1
    )
    let inputs = 1 + Int(generator.next() % UInt64(qubits))
    let measured = Array(0..<(1 + Int(generator.next() % UInt64(qubits))))
    let circuit = try! SubVQC(
        id: "random",
        qubitCount: qubits,
        inputCount: inputs,
        ansatz: ansatz,
        measuredWires: measured
    )
    let x = (0..<inputs).map { _ in generator.nextUnit() * 2 - 1 }
    let theta = (0..<circuit.parameterCount).map { _ in generator.nextGaussian() }
    return (circuit, x, theta)
}

@Suite("Jacobians")
struct JacobianTests {
    @Test("parameter shift, adjoint and central finite differences agree", arguments: 1...8)
    func methodsAgree(qubits: Int) throws {
        var generator = SeededGenerator(seed: 1000 + UInt64(qubits))
        for _ in 0..<3 {
            let (circuit, x, theta) = randomSubVQC(qubits: qubits, generator: &generator)
            let prepared = try PreparedCircuit(circuit, parameters: theta)
            let shift = try prepared.evaluate(x, method: .parameterShift)
            let adjoint = try prepared.evaluate(x, method: .adjoint)
            #expect(maxDifference(shift.outputs, try prepared.evaluate(x)) == 0)
            #expect(maxDifference(shift.parameterJacobian, adjoint.parameterJacobian) < 1e-12)
            #expect(maxDifference(shift.inputJacobian, adjoint.inputJacobian) < 1e-12)

            // Central differences, step 1e-5: truncation ~1e-11, rounding ~1e-11.
            let h = 1e-5
            var numericParameters: [Double] = Array(repeating: 0, count: circuit.outputCount * circuit.parameterCount)
            for p in 0..<circuit.parameterCount {
                var up = theta
                var down = theta
                up[p] += h
                down[p] -= h
                let plus = try PreparedCircuit(circuit, parameters: up).evaluate(x)
                let minus = try PreparedCircuit(circuit, parameters: down).evaluate(x)
                for j in 0..<circuit.outputCount {
                    numericParameters[j * circuit.parameterCount + p] = (plus[j] - minus[j]) / (2 * h)
                }
            }
            var numericInputs: [Double] = Array(repeating: 0, count: circuit.outputCount * circuit.inputCount)
            for i in 0..<circuit.inputCount {
                var up = x
                var down = x
                up[i] += h
                down[i] -= h
                let plus = try prepared.evaluate(up)
                let minus = try prepared.evaluate(down)
                for j in 0..<circuit.outputCount {
                    numericInputs[j * circuit.inputCount + i] = (plus[j] - minus[j]) / (2 * h)
                }
            }
            #expect(maxDifference(shift.parameterJacobian, numericParameters) < 1e-8, "\(circuit.ansatz)")
            #expect(maxDifference(shift.inputJacobian, numericInputs) < 1e-8, "\(circuit.ansatz)")
        }
    }

    @Test("shot-based parameter shift falls within 5 standard errors of the exact Jacobian", arguments: [2, 4])
    func shotJacobian(qubits: Int) throws {
        var generator = SeededGenerator(seed: 77 + UInt64(qubits))
        let (circuit, x, theta) = randomSubVQC(qubits: qubits, generator: &generator)
        let prepared = try PreparedCircuit(circuit, parameters: theta)
        let exact = try prepared.evaluate(x, method: .adjoint)
        let shots = 20_000
        let sampled = try prepared.evaluate(x, method: .parameterShift, shots: shots, seed: 9)
        // Each output is a mean of +-1 outcomes: variance <= 1 / shots; a derivative is half a
        // difference of two independent estimates: variance <= 1 / (2 shots), summed over the
        // (at most two) gates an input feeds, with chain factors <= 2.
        let outputError = (1 / Double(shots)).squareRoot()
        #expect(maxDifference(sampled.outputs, exact.outputs) <= 5 * outputError)
        #expect(
            maxDifference(sampled.parameterJacobian, exact.parameterJacobian) <= 5 * (0.5 / Double(shots)).squareRoot()
        )
        #expect(maxDifference(sampled.inputJacobian, exact.inputJacobian) <= 5 * 2 * (1 / Double(shots)).squareRoot())
        // Same seed, same estimate: shots are reproducible.
        #expect(try prepared.evaluate(x, method: .parameterShift, shots: shots, seed: 9) == sampled)
    }

    @Test("bad sizes and the adjoint method with shots are clear errors")
    func badInput() throws {
        #expect(throws: VariationalCircuitError.qubitCountOutOfRange(26, range: 1...25)) {
            try SubVQC(id: "x", qubitCount: 26, inputCount: 1)
        }
        #expect(throws: VariationalCircuitError.tooManyInputs(inputs: 4, qubits: 3)) {
            try SubVQC(id: "x", qubitCount: 3, inputCount: 4)
        }
        #expect(throws: VariationalCircuitError.depthOutOfRange(31, range: 1...30)) {
            try SubVQC(id: "x", qubitCount: 3, inputCount: 3, ansatz: Ansatz(depth: 31))
        }
        #expect(throws: VariationalCircuitError.measuredWireOutOfRange(wire: 3, qubits: 3)) {
            try SubVQC(id: "x", qubitCount: 3, inputCount: 3, measuredWires: [0, 3])
        }
        let circuit = try SubVQC(id: "x", qubitCount: 3, inputCount: 2)
        #expect(throws: VariationalCircuitError.parameterCountMismatch(expected: 15, got: 2)) {
            try PreparedCircuit(circuit, parameters: [1, 2])
        }
        let prepared = try PreparedCircuit(circuit, parameters: Array(repeating: 0.1, count: 15))
        #expect(throws: VariationalCircuitError.inputCountMismatch(expected: 2, got: 3)) {
            try prepared.evaluate([1, 2, 3])
        }
        #expect(throws: VariationalCircuitError.nonFiniteValue(what: "input", index: 1)) {
            try prepared.evaluate([1, .nan])
        }
        #expect(throws: VariationalCircuitError.adjointWithShots) {
            try prepared.evaluate([1, 2], method: .adjoint, shots: 100)
        }
    }
}

@Suite("Lanes")
struct LaneTests {
    @Test("inputs evaluated as lanes are bit-identical to one-by-one evaluation", arguments: [1, 3, 6, 9])
    func lanesAreBitIdentical(qubits: Int) throws {
        var generator = SeededGenerator(seed: 500 + UInt64(qubits))
        for _ in 0..<2 {
            let (circuit, _, theta) = randomSubVQC(qubits: qubits, generator: &generator)
            let prepared = try PreparedCircuit(circuit, parameters: theta)
            // 11 inputs: one full chunk of 8 lanes and a partial one.
            let batch = (0..<11).map { _ in (0..<circuit.inputCount).map { _ in generator.nextUnit() * 2 - 1 } }
            for method in [nil, DifferentiationMethod.parameterShift, .adjoint] {
                var workspace = PreparedCircuit.Workspace(for: prepared, lanes: 8)
                var results: [CircuitEvaluation] = []
                prepared.evaluate(batch, method: method, shots: nil, seeds: [], into: &results, workspace: &workspace)
                for (k, x) in batch.enumerated() {
                    #expect(
                        results[k] == (try prepared.evaluate(x, method: method)),
                        "\(circuit.ansatz) \(String(describing: method)) input \(k)"
                    )
                }
            }
        }
    }

    @Test("shot sampling per lane matches single evaluation with the same seed")
    func lanesWithShots() throws {
        var generator = SeededGenerator(seed: 808)
        let (circuit, _, theta) = randomSubVQC(qubits: 4, generator: &generator)
        let prepared = try PreparedCircuit(circuit, parameters: theta)
        let batch = (0..<5).map { _ in (0..<circuit.inputCount).map { _ in generator.nextUnit() } }
        let seeds: [UInt64] = [3, 1, 4, 1, 5]
        var workspace = PreparedCircuit.Workspace(for: prepared, lanes: 4)
        var results: [CircuitEvaluation] = []
        prepared.evaluate(
            batch,
            method: .parameterShift,
            shots: 500,
            seeds: seeds,
            into: &results,
            workspace: &workspace
        )
        for k in batch.indices {
            #expect(
                results[k] == (try prepared.evaluate(batch[k], method: .parameterShift, shots: 500, seed: seeds[k]))
            )
        }
    }
}
