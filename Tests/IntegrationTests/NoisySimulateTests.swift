import Foundation
import Testing
import VariationalCircuits

/// `qlstm simulate --profile` against PennyLane's `default.mixed`: anyone can check our noisy
/// <Z_i> with another simulator from the OpenQASM file and the profile's JSON alone.
@Suite("qlstm simulate --profile", .timeLimit(.minutes(2)))
struct NoisySimulateTests {
    struct Case: Decodable {
        let ansatz: String
        let qubits: Int
        let depth: Int
        let measured: Int
        let noise_name: String
        let noise: [String: Double]
        let inputs: [Double]
        let weights: [Double]
        let expectations: [Double]
    }

    struct File: Decodable { let cases: [Case] }

    static let cases = try! JSONDecoder().decode(
        File.self,
        from: Data(
            contentsOf: QlstmBinary.packageRoot.appendingPathComponent(
                "Tests/VariationalCircuitsTests/Fixtures/noisy-circuits.json"
            )
        )
    ).cases

    /// The case's channels as a profile file (exact expectations: no shots).
    static func profile(_ noise: [String: Double]) -> [String: Any] {
        [
            "name": "reference", "qubits": 25, "gate_error_1q": noise["p1"] ?? 0, "gate_error_2q": noise["p2"] ?? 0,
            "t1_seconds": noise["T1"] ?? NSNull(), "t2_seconds": noise["T2"] ?? NSNull(),
            "gate_seconds_1q": noise["t1q"] ?? 0, "gate_seconds_2q": noise["t2q"] ?? 0,
            "readout_error_0to1": noise["e0"] ?? 0, "readout_error_1to0": noise["e1"] ?? 0, "shots": NSNull(),
            "job_seconds": 0, "shot_seconds": 0,
        ]
    }

    @Test("every noisy reference case, exported to OpenQASM 3, to 1e-10")
    func referenceCases() throws {
        let directory = try QlstmBinary.temporaryDirectory()
        for (index, reference) in Self.cases.enumerated() {
            let ansatz =
                reference.ansatz == "ring-xyz"
                ? Ansatz(encoding: .paper, entangler: .ring, rotations: .xyz, depth: reference.depth)
                : Ansatz(encoding: .paper, entangler: .brick, rotations: .ry, depth: reference.depth)
            let circuit = try SubVQC(
                id: reference.ansatz,
                qubitCount: reference.qubits,
                inputCount: reference.inputs.count,
                ansatz: ansatz
            )
            let qasm = directory.appendingPathComponent("case\(index).qasm")
            try OpenQASM3.export(circuit, inputs: reference.inputs, parameters: reference.weights).write(
                to: qasm,
                atomically: true,
                encoding: .utf8
            )
            let profile = directory.appendingPathComponent("case\(index).json")
            try JSONSerialization.data(withJSONObject: Self.profile(reference.noise)).write(to: profile)
            let outcome = try QlstmBinary.run(["simulate", qasm.path, "--profile", profile.path, "--json"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any]
            )
            #expect(object["method"] as? String == "exact density matrix")
            let z = try #require(object["expectations_z"] as? [Double])
            for (wire, expected) in reference.expectations.enumerated() {
                #expect(abs(z[wire] - expected) < 1e-10, "case \(index) (\(reference.noise_name)) wire \(wire)")
            }
        }
    }

    @Test("a bad profile names its key; an unknown name lists the built-ins; exit 2")
    func badProfiles() throws {
        let directory = try QlstmBinary.temporaryDirectory()
        let qasm = directory.appendingPathComponent("c.qasm")
        try "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[1] q;\nh q[0];\n".write(
            to: qasm,
            atomically: true,
            encoding: .utf8
        )
        var bad = Self.profile(["T1": 1e-4, "T2": 3e-4])
        let file = directory.appendingPathComponent("bad.json")
        try JSONSerialization.data(withJSONObject: bad).write(to: file)
        let t2 = try QlstmBinary.run(["simulate", qasm.path, "--profile", file.path])
        #expect(
            t2.status == 2 && t2.standardError.contains("\"t2_seconds\"") && t2.standardError.contains("T2 <= 2 T1")
        )
        bad = Self.profile([:])
        bad["readout_error_0to1"] = 1.5
        try JSONSerialization.data(withJSONObject: bad).write(to: file)
        let probability = try QlstmBinary.run(["simulate", qasm.path, "--profile", file.path])
        #expect(probability.status == 2 && probability.standardError.contains("\"readout_error_0to1\""))
        let unknown = try QlstmBinary.run(["simulate", qasm.path, "--profile", "heron"])
        #expect(unknown.status == 2 && unknown.standardError.contains("superconducting-heron"))
        for outcome in [t2, probability, unknown] {
            #expect(outcome.standardError.split(separator: "\n").count == 1, "\(outcome.standardError)")
        }
    }
}
