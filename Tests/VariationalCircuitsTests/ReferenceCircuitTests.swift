import Foundation
import QuantumSimulator
import TestSupport
import Testing
import VariationalCircuits

/// PennyLane's exact values and Jacobians for the paper's circuit and two other ansaetze.
struct ReferenceCase: Decodable, Sendable, CustomTestStringConvertible {
    let ansatz: String
    let qubits: Int
    let depth: Int
    let measured: Int
    let inputs: [Double]
    let weights: [Double]
    let expectations: [Double]
    let jacobian_inputs: [[Double]]
    let jacobian_weights: [[Double]]

    var testDescription: String { "\(ansatz) q=\(qubits) depth=\(depth)" }

    var circuit: SubVQC {
        let ansatz: Ansatz
        switch self.ansatz {
        case "paper-brick-ry": ansatz = Ansatz(encoding: .paper, entangler: .brick, rotations: .ry, depth: depth)
        case "arctan-ring-xyz": ansatz = Ansatz(encoding: .arctan, entangler: .ring, rotations: .xyz, depth: depth)
        default: ansatz = Ansatz(encoding: .angleY, entangler: .stronglyEntangling, rotations: .rot, depth: depth)
        }
        return try! SubVQC(
            id: self.ansatz,
            qubitCount: qubits,
            inputCount: inputs.count,
            ansatz: ansatz,
            measuredWires: Array(0..<measured)
        )
    }
}

struct ReferenceFile: Decodable {
    let cases: [ReferenceCase]
}

let referenceCases = try! loadFixture(ReferenceFile.self, named: "circuits", in: .module).cases

@Suite("Circuits against PennyLane")
struct ReferenceCircuitTests {
    @Test("outputs and both Jacobians match PennyLane", arguments: referenceCases, DifferentiationMethod.allCases)
    func matchesReference(_ reference: ReferenceCase, method: DifferentiationMethod) throws {
        let prepared = try PreparedCircuit(reference.circuit, parameters: reference.weights)
        let result = try prepared.evaluate(reference.inputs, method: method)
        #expect(maxDifference(result.outputs, reference.expectations) < 1e-12)
        #expect(maxDifference(result.parameterJacobian, reference.jacobian_weights.flatMap { $0 }) < 1e-12)
        #expect(maxDifference(result.inputJacobian, reference.jacobian_inputs.flatMap { $0 }) < 1e-12)
    }
}
