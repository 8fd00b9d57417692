import Foundation
import QuantumSimulator
import TestSupport
import Testing
import VariationalCircuits

/// PennyLane's exact values and Jacobians for IQP-encoded and hardware-efficient circuits
/// (Fixtures/ansatz-circuits.json, written by Fixtures/make_ansatz_fixtures.py).
struct AnsatzReferenceCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let encoding: String
    let n_repeats: Int
    let entangler: String
    let rotations: String
    let qubits: Int
    let depth: Int
    let measured: [Int]
    let inputs: [Double]
    let weights: [Double]
    let expectations: [Double]
    let jacobian_inputs: [[Double]]
    let jacobian_weights: [[Double]]

    var testDescription: String { name }

    /// The fixture's names are qlstm's option values.
    var circuit: SubVQC {
        get throws {
            let ansatz = Ansatz(
                encoding: try #require(Encoding(rawValue: encoding)),
                entangler: try #require(EntanglingPattern(rawValue: entangler)),
                rotations: try #require(RotationLayer(rawValue: rotations)),
                depth: depth,
                encodingRepetitions: n_repeats
            )
            return try SubVQC(
                id: name,
                qubitCount: qubits,
                inputCount: inputs.count,
                ansatz: ansatz,
                measuredWires: measured
            )
        }
    }
}

struct AnsatzReferenceFile: Decodable {
    let cases: [AnsatzReferenceCase]
}

let ansatzReferenceCases = try! loadFixture(AnsatzReferenceFile.self, named: "ansatz-circuits", in: .module).cases

@Suite("IQP and hardware-efficient circuits against PennyLane")
struct ReferenceAnsatzTests {
    @Test("the fixture covers IQP repeats 1-3 and hardware-efficient layers on 2-6 qubits")
    func coverage() {
        let iqp = ansatzReferenceCases.filter { $0.encoding == "iqp" }
        #expect(Set(iqp.map(\.n_repeats)) == [1, 2, 3])
        #expect(Set(iqp.map(\.qubits)).isSuperset(of: 2...6))
        let efficient = ansatzReferenceCases.filter { $0.entangler == "hardware-efficient" }
        #expect(Set(efficient.map(\.qubits)) == Set(2...6))
        #expect(Set(efficient.map(\.depth)) == [1, 2, 3])
        #expect(iqp.contains { $0.inputs.count < $0.qubits })
    }

    @Test(
        "outputs and both Jacobians match PennyLane to 1e-12",
        arguments: ansatzReferenceCases,
        DifferentiationMethod.allCases
    )
    func matchesReference(_ reference: AnsatzReferenceCase, method: DifferentiationMethod) throws {
        let prepared = try PreparedCircuit(try reference.circuit, parameters: reference.weights)
        let result = try prepared.evaluate(reference.inputs, method: method)
        #expect(maxDifference(result.outputs, reference.expectations) < 1e-12)
        #expect(maxDifference(result.parameterJacobian, reference.jacobian_weights.flatMap { $0 }) < 1e-12)
        #expect(maxDifference(result.inputJacobian, reference.jacobian_inputs.flatMap { $0 }) < 1e-12)
    }

    @Test("through the local executor's batches, as training runs them", arguments: [1, 3])
    func executorMatchesReference(threads: Int) async throws {
        let executor = LocalExecutor(threads: threads)
        try await executor.load(try ansatzReferenceCases.map { try $0.circuit })
        try await executor.setParameters(ansatzReferenceCases.map(\.weights), version: 4)
        let items = ansatzReferenceCases.indices.map {
            EvaluationRequest(circuit: $0, inputs: ansatzReferenceCases[$0].inputs, seed: 0)
        }
        let results = try await executor.evaluate(
            EvaluationBatch(items: items, method: .adjoint, parameterVersion: 4)
        )
        for (result, reference) in zip(results, ansatzReferenceCases) {
            #expect(maxDifference(result.outputs, reference.expectations) < 1e-12, "\(reference.name)")
            #expect(maxDifference(result.inputJacobian, reference.jacobian_inputs.flatMap { $0 }) < 1e-12)
        }
    }

    /// Readout errors alone map each exact <Z> to (1 - e0 - e1) <Z> + (e1 - e0), and leave the
    /// Jacobians scaled by (1 - e0 - e1): PennyLane's noiseless values give the noisy truth.
    @Test("the density matrix with readout errors is PennyLane's value through the readout map")
    func readoutOnly() throws {
        let noise = NoiseModel(readout0to1: 0.02, readout1to0: 0.05)
        let scale = 1 - 0.02 - 0.05
        for reference in ansatzReferenceCases where reference.qubits <= 4 {
            let prepared = try PreparedCircuit(try reference.circuit, parameters: reference.weights)
            let noisy = try NoisyCircuit(prepared, noise: noise, simulation: .densityMatrix)
            let result = try noisy.evaluate(reference.inputs, method: .parameterShift)
            #expect(maxDifference(result.outputs, reference.expectations.map { scale * $0 + 0.03 }) < 1e-12)
            #expect(
                maxDifference(result.parameterJacobian, reference.jacobian_weights.flatMap { $0 }.map { scale * $0 })
                    < 1e-12
            )
            #expect(
                maxDifference(result.inputJacobian, reference.jacobian_inputs.flatMap { $0 }.map { scale * $0 })
                    < 1e-12,
                "\(reference.name)"
            )
        }
    }

    /// With gate noise the parameter-shift rule stays exact (the channels do not depend on the
    /// angles), so it must agree with central differences of the noisy outputs, IQP's products of
    /// inputs included.
    @Test("noisy parameter shift agrees with central differences", arguments: ["iqp-he-3q-r2", "iqp-1in-2q-r3"])
    func noisyJacobians(_ name: String) throws {
        let reference = try #require(ansatzReferenceCases.first { $0.name == name })
        let circuit = try reference.circuit
        let noise = NoiseModel(
            depolarizing1q: 0.003,
            depolarizing2q: 0.02,
            t1Seconds: 50e-6,
            t2Seconds: 40e-6,
            gateSeconds1q: 50e-9,
            gateSeconds2q: 300e-9,
            readout0to1: 0.01,
            readout1to0: 0.02
        )
        func outputs(_ inputs: [Double], _ weights: [Double]) throws -> [Double] {
            try NoisyCircuit(PreparedCircuit(circuit, parameters: weights), noise: noise, simulation: .densityMatrix)
                .evaluate(inputs, method: nil).outputs
        }
        let noisy = try NoisyCircuit(
            PreparedCircuit(circuit, parameters: reference.weights),
            noise: noise,
            simulation: .densityMatrix
        )
        let result = try noisy.evaluate(reference.inputs, method: .parameterShift)
        #expect(maxDifference(result.outputs, reference.expectations) > 1e-3, "the noise changes the outputs")
        let h = 1e-5
        let m = circuit.outputCount
        for p in 0..<circuit.parameterCount {
            var up = reference.weights
            var down = reference.weights
            up[p] += h
            down[p] -= h
            let plus = try outputs(reference.inputs, up)
            let minus = try outputs(reference.inputs, down)
            for j in 0..<m {
                let numeric = (plus[j] - minus[j]) / (2 * h)
                #expect(abs(result.parameterJacobian[j * circuit.parameterCount + p] - numeric) < 1e-8)
            }
        }
        for i in 0..<circuit.inputCount {
            var up = reference.inputs
            var down = reference.inputs
            up[i] += h
            down[i] -= h
            let plus = try outputs(up, reference.weights)
            let minus = try outputs(down, reference.weights)
            for j in 0..<m {
                let numeric = (plus[j] - minus[j]) / (2 * h)
                #expect(abs(result.inputJacobian[j * circuit.inputCount + i] - numeric) < 1e-8)
            }
        }
    }

    @Test("gate lists: H, RZ and cx-rz-cx per IQP repetition; RY, RZ then the CZ ladder per layer")
    func gateLists() throws {
        let iqp = try SubVQC(
            id: "iqp",
            qubitCount: 4,
            inputCount: 3,
            ansatz: Ansatz(
                encoding: .iqp,
                entangler: .hardwareEfficient,
                rotations: .ryrz,
                depth: 1,
                encodingRepetitions: 2
            )
        )
        let oneRepetition: [ParametricGate] =
            (0..<3).flatMap { [.fixed(.h($0)), .rotation(.z, wire: $0, .input($0, .identity))] }
            + [(0, 1), (0, 2), (1, 2)].flatMap { (i: Int, j: Int) -> [ParametricGate] in
                [
                    .fixed(.cnot(control: i, target: j)), .rotation(.z, wire: j, .inputProduct(i, j)),
                    .fixed(.cnot(control: i, target: j)),
                ]
            }
        let layer: [ParametricGate] =
            (0..<4).flatMap {
                [.rotation(.y, wire: $0, .parameter(2 * $0)), .rotation(.z, wire: $0, .parameter(2 * $0 + 1))]
            }
            + [.fixed(.cz(0, 1)), .fixed(.cz(1, 2)), .fixed(.cz(2, 3))]
        #expect(iqp.gates == oneRepetition + oneRepetition + layer)
        #expect(iqp.parameterCount == 8)
        // Per repetition 3 RZ(x_i) and 3 ZZ angles, plus 8 trained angles.
        #expect(iqp.differentiableGateCount == 2 * 6 + 8)
    }

    @Test("refused: n_repeats without IQP or out of range, and a repeated CZ ladder")
    func refusals() {
        #expect(throws: VariationalCircuitError.encodingRepetitionsNeedIQP(encoding: "angle-y")) {
            try SubVQC(id: "a", qubitCount: 2, inputCount: 2, ansatz: Ansatz(encoding: .angleY, encodingRepetitions: 2))
        }
        #expect(throws: VariationalCircuitError.encodingRepetitionsOutOfRange(11, range: 1...10)) {
            try SubVQC(id: "a", qubitCount: 2, inputCount: 2, ansatz: Ansatz(encoding: .iqp, encodingRepetitions: 11))
        }
        #expect(throws: VariationalCircuitError.repeatedCZLadder(2)) {
            try SubVQC(
                id: "a",
                qubitCount: 2,
                inputCount: 2,
                ansatz: Ansatz(entangler: .hardwareEfficient, rotations: .ryrz, entanglingRepetitions: 2)
            )
        }
    }
}
