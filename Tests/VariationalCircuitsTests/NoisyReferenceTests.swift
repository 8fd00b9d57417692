import Foundation
import QuantumSimulator
import TestSupport
import Testing
import VariationalCircuits

/// PennyLane's exact density-matrix values and Jacobians of noisy circuits.
struct NoisyReferenceCase: Decodable, Sendable, CustomTestStringConvertible {
    let ansatz: String
    let qubits: Int
    let depth: Int
    let measured: Int
    let noise_name: String
    let noise: [String: Double]
    let inputs: [Double]
    let weights: [Double]
    let expectations: [Double]
    let ideal_expectations: [Double]
    let jacobian_inputs: [[Double]]
    let jacobian_weights: [[Double]]

    var testDescription: String { "\(ansatz) q=\(qubits) depth=\(depth) noise=\(noise_name)" }

    var model: NoiseModel {
        NoiseModel(
            depolarizing1q: noise["p1"] ?? 0,
            depolarizing2q: noise["p2"] ?? 0,
            t1Seconds: noise["T1"],
            t2Seconds: noise["T2"],
            gateSeconds1q: noise["t1q"] ?? 0,
            gateSeconds2q: noise["t2q"] ?? 0,
            readout0to1: noise["e0"] ?? 0,
            readout1to0: noise["e1"] ?? 0
        )
    }

    /// "paper-brick-ry" is the paper's circuit; "ring-xyz" the paper's encoding with a CNOT ring
    /// and RX, RY, RZ layers.
    var circuit: SubVQC {
        let ansatz =
            self.ansatz == "ring-xyz"
            ? Ansatz(encoding: .paper, entangler: .ring, rotations: .xyz, depth: depth)
            : Ansatz(encoding: .paper, entangler: .brick, rotations: .ry, depth: depth)
        return try! SubVQC(
            id: self.ansatz,
            qubitCount: qubits,
            inputCount: inputs.count,
            ansatz: ansatz,
            measuredWires: Array(0..<measured)
        )
    }

    func noisy(_ simulation: NoiseSimulation) throws -> NoisyCircuit {
        try NoisyCircuit(PreparedCircuit(circuit, parameters: weights), noise: model, simulation: simulation)
    }

    /// Outputs, then the parameter Jacobian, then the input Jacobian, flat.
    var values: [Double] { expectations + jacobian_weights.flatMap { $0 } + jacobian_inputs.flatMap { $0 } }
}

struct NoisyReferenceFile: Decodable {
    let cases: [NoisyReferenceCase]
}

let noisyCases = try! loadFixture(NoisyReferenceFile.self, named: "noisy-circuits", in: .module).cases
/// The cases cheap enough for sampled tests in a debug build.
let smallNoisyCases = noisyCases.filter { $0.qubits <= 4 }

func flat(_ result: CircuitEvaluation) -> [Double] {
    result.outputs + result.parameterJacobian + result.inputJacobian
}

@Suite("Noisy circuits against PennyLane")
struct NoisyReferenceTests {
    @Test("the density matrix gives the outputs and both Jacobians to 1e-10", arguments: noisyCases)
    func densityMatrix(_ reference: NoisyReferenceCase) throws {
        let noisy = try reference.noisy(.densityMatrix)
        let result = try noisy.evaluate(reference.inputs, method: .parameterShift)
        #expect(maxDifference(result.outputs, reference.expectations) < 1e-10)
        #expect(maxDifference(result.parameterJacobian, reference.jacobian_weights.flatMap { $0 }) < 1e-10)
        #expect(maxDifference(result.inputJacobian, reference.jacobian_inputs.flatMap { $0 }) < 1e-10)
        #expect(try noisy.evaluate(reference.inputs, method: nil).outputs == result.outputs)
        let ideal = try PreparedCircuit(reference.circuit, parameters: reference.weights).evaluate(reference.inputs)
        #expect(maxDifference(ideal, reference.ideal_expectations) < 1e-12)
    }

    @Test("trajectory outputs fall within 5 standard errors", arguments: smallNoisyCases)
    func trajectoryOutputs(_ reference: NoisyReferenceCase) throws {
        // Single-trajectory evaluations from independent seeds: their spread estimates the
        // standard error of their mean.
        let noisy = try reference.noisy(.trajectories(1))
        let count = 300
        var workspace = NoisyCircuit.Workspace(for: noisy)
        var results: [CircuitEvaluation] = []
        noisy.evaluate(
            Array(repeating: reference.inputs, count: count),
            method: nil,
            shots: nil,
            seeds: (0..<count).map { UInt64($0) },
            into: &results,
            workspace: &workspace
        )
        for (j, exact) in reference.expectations.enumerated() {
            let values = results.map { $0.outputs[j] }
            let mean = values.reduce(0, +) / Double(count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(count - 1)
            #expect(abs(mean - exact) <= 5 * (variance / Double(count)).squareRoot() + 1e-10, "output \(j)")
        }
        // Many trajectories in one evaluation: within 5 of the largest standard errors,
        // sqrt((1 - <Z>^2) / K) scaled by the readout.
        let trajectories = 400
        let averaged = try reference.noisy(.trajectories(trajectories)).evaluate(reference.inputs, method: nil, seed: 7)
        let model = reference.model
        let contrast = 1 - model.readout0to1 - model.readout1to0
        for (estimate, exact) in zip(averaged.outputs, reference.expectations) {
            let z = (exact - (model.readout1to0 - model.readout0to1)) / contrast
            #expect(abs(estimate - exact) <= 5 * contrast * ((1 - z * z) / Double(trajectories)).squareRoot() + 1e-12)
        }
    }

    @Test(
        "trajectory Jacobians fall within 5 standard errors",
        arguments: smallNoisyCases.filter { $0.ansatz == "paper-brick-ry" }
    )
    func trajectoryJacobians(_ reference: NoisyReferenceCase) throws {
        let trajectories = 200
        let result = try reference.noisy(.trajectories(trajectories)).evaluate(
            reference.inputs,
            method: .parameterShift,
            seed: 5
        )
        // Each derivative averages half differences of two values in [-1, 1]: its variance is
        // at most (1 - J)(1 + J). (A sample variance would miss the rare jumps that carry a
        // derivative which is zero in the mean.) Inputs enter one gate each.
        let exact = reference.jacobian_weights.flatMap { $0 } + reference.jacobian_inputs.flatMap { $0 }
        for (estimate, value) in zip(result.parameterJacobian + result.inputJacobian, exact) {
            #expect(abs(estimate - value) <= 5 * ((1 - value * value) / Double(trajectories)).squareRoot())
        }
    }

    @Test(
        "shots fall within 5 standard errors, outputs and Jacobians",
        arguments: smallNoisyCases.filter { $0.ansatz == "paper-brick-ry" || $0.noise_name == "all" }
    )
    func shots(_ reference: NoisyReferenceCase) throws {
        let noisy = try reference.noisy(.densityMatrix)
        let shots = 20_000
        let result = try noisy.evaluate(reference.inputs, method: .parameterShift, shots: shots, seed: 21)
        for (estimate, exact) in zip(result.outputs, reference.expectations) {
            #expect(abs(estimate - exact) <= 5 * ((1 - exact * exact) / Double(shots)).squareRoot())
        }
        // Half the difference of two independent estimates; inputs enter one gate each.
        let derivativeError = 5 * (0.5 / Double(shots)).squareRoot()
        #expect(maxDifference(result.parameterJacobian, reference.jacobian_weights.flatMap { $0 }) <= derivativeError)
        #expect(maxDifference(result.inputJacobian, reference.jacobian_inputs.flatMap { $0 }) <= derivativeError)
        #expect(try noisy.evaluate(reference.inputs, method: .parameterShift, shots: shots, seed: 21) == result)
    }

    @Test("without gate noise, trajectories are exact: the parameter-shift wiring matches the density matrix")
    func deterministicTrajectories() throws {
        let reference = noisyCases.first { $0.noise_name == "readout" && $0.ansatz == "ring-xyz" }!
        let result = try reference.noisy(.trajectories(2)).evaluate(reference.inputs, method: .parameterShift)
        #expect(maxDifference(flat(result), reference.values) < 1e-12)
    }

    @Test("the adjoint method, bad trajectory counts and oversized density matrices are refused")
    func refusals() throws {
        let reference = noisyCases[0]
        let noisy = try reference.noisy(.automatic)
        #expect(throws: VariationalCircuitError.adjointWithNoise) {
            try noisy.evaluate(reference.inputs, method: .adjoint)
        }
        #expect(VariationalCircuitError.adjointWithNoise.description.contains("parameter-shift"))
        #expect(throws: VariationalCircuitError.invalidTrajectoryCount(0)) { try reference.noisy(.trajectories(0)) }
        let wide = try SubVQC(id: "wide", qubitCount: 13, inputCount: 2)
        let prepared = try PreparedCircuit(wide, parameters: Array(repeating: 0.1, count: wide.parameterCount))
        #expect(throws: VariationalCircuitError.simulation(.densityMatrixTooLarge(qubits: 13, limit: 12))) {
            try NoisyCircuit(prepared, noise: reference.model, simulation: .densityMatrix)
        }
        #expect(
            try NoisyCircuit(prepared, noise: reference.model).simulation
                == .trajectories(NoiseSimulation.automaticTrajectories)
        )
        #expect(
            throws: VariationalCircuitError.simulation(
                .invalidNoiseParameter(field: "depolarizing1q", value: 2, rule: "a probability must lie in [0, 1]")
            )
        ) {
            try NoisyCircuit(prepared, noise: NoiseModel(depolarizing1q: 2))
        }
    }
}
