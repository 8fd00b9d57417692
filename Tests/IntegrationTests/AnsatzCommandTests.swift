import Foundation
import Testing
import VariationalCircuits

/// The IQP encoding, the hardware-efficient ansatz and Chen et al. 2020's six-VQC QLSTM,
/// end to end through the command line: train, reload with predict, export, simulate.
@Suite("IQP, hardware-efficient and six-VQC models through qlstm", .serialized, .timeLimit(.minutes(5)))
struct AnsatzCommandTests {
    /// A short seasonal series, written once per test.
    static func series(in root: URL) throws -> URL {
        let csv = root.appendingPathComponent("series.csv")
        var text = "t,value\n"
        for i in 0..<60 { text += "\(i),\(10 + 3 * sin(Double(i) / 4))\n" }
        try text.write(to: csv, atomically: true, encoding: .utf8)
        return csv
    }

    static let models: [(String, [String])] = [
        ("iqp", ["--encoding", "iqp", "--n-repeats", "2"]),
        ("hardware-efficient", ["--ansatz", "hardware-efficient"]),
        ("chen2020", ["--architecture", "chen2020", "--encoding", "iqp", "--ansatz", "hardware-efficient"]),
    ]

    @Test("train writes a model that predict reloads to the same predictions", arguments: 0..<models.count)
    func trainAndPredict(_ index: Int) throws {
        let (name, options) = Self.models[index]
        let root = try QlstmBinary.temporaryDirectory()
        let csv = try Self.series(in: root)
        let run = root.appendingPathComponent(name)
        let trained = try QlstmBinary.run(
            [
                "train", "--csv", csv.path, "--column", "value", "--time-column", "t", "--hidden-size", "2", "--depth",
                "2", "--epochs", "2", "--quiet", "--out", run.path,
            ] + options
        )
        #expect(trained.status == 0, "\(trained.standardError)")
        let model = try String(contentsOf: run.appendingPathComponent("model.json"), encoding: .utf8)
        let file = try #require(try JSONSerialization.jsonObject(with: Data(model.utf8)) as? [String: Any])
        let specification = try #require(file["specification"] as? [String: Any])
        let configuration = try #require(specification["model"] as? [String: Any])
        let ansatz = try #require(configuration["ansatz"] as? [String: Any])
        switch name {
        case "iqp":
            #expect(ansatz["encoding"] as? String == "iqp" && ansatz["encodingRepetitions"] as? Int == 2)
        case "hardware-efficient":
            #expect(ansatz["entangler"] as? String == "hardware-efficient" && ansatz["rotations"] as? String == "ry-rz")
        default:
            #expect(configuration["architecture"] as? String == "chen2020")
        }

        // The run's own test predictions, by target time, against predict on the same series.
        let written = try String(contentsOf: run.appendingPathComponent("predictions.csv"), encoding: .utf8)
        var expected: [String: String] = [:]
        for line in written.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            expected[String(fields[0])] = String(fields[2])
        }
        let forecast = try QlstmBinary.run(["predict", "--model", run.path, "--csv", csv.path])
        #expect(forecast.status == 0, "\(forecast.standardError)")
        var compared = 0
        for line in forecast.standardOutput.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard let value = expected[String(fields[1])] else { continue }
            #expect(String(fields[2]) == value, "target time \(fields[1])")
            compared += 1
        }
        #expect(compared >= 50, "\(compared) predictions compared")
    }

    @Test("an IQP model's OpenQASM 3 export simulates to the model's own circuit values")
    func exportSimulates() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let csv = try Self.series(in: root)
        let run = root.appendingPathComponent("run")
        let trained = try QlstmBinary.run([
            "train", "--csv", csv.path, "--column", "value", "--encoding", "iqp", "--n-repeats", "2", "--ansatz",
            "hardware-efficient", "--architecture", "chen2020", "--hidden-size", "2", "--depth", "2", "--epochs", "2",
            "--quiet", "--out", run.path,
        ])
        #expect(trained.status == 0, "\(trained.standardError)")
        let exported = root.appendingPathComponent("export")
        let export = try QlstmBinary.run(["export", "--model", run.path, "--out", exported.path])
        #expect(export.status == 0, "\(export.standardError)")

        struct Weights: Decodable {
            struct Circuit: Decodable {
                struct Input: Decodable {
                    var name: String
                }
                var id: String
                var file: String
                var qubits: Int
                var inputs: Int
                var angleInputs: [Input]
                var measuredWires: [Int]
                var parameters: [Double]
            }
            struct Specification: Decodable {
                struct Model: Decodable {
                    var ansatz: Ansatz
                }
                var model: Model
            }
            var specification: Specification
            var circuits: [Circuit]
        }
        let weights = try JSONDecoder().decode(
            Weights.self,
            from: Data(contentsOf: exported.appendingPathComponent("weights.json"))
        )
        #expect(weights.circuits.map(\.id) == ["forget/0", "input/0", "candidate/0", "output/0", "hidden/0", "y/0"])
        let features = [0.4, -0.9, 0.25]
        for circuit in weights.circuits {
            // The features themselves are the inputs; the ZZ angles are their products.
            #expect(circuit.angleInputs.map(\.name) == (0..<circuit.inputs).map { "x\($0)" })
            let text = try String(contentsOf: exported.appendingPathComponent(circuit.file), encoding: .utf8)
            #expect(text.contains("rz(x0 * x1) q[1];") && text.contains("cz q[0], q[1];"))
            let inputs = Array(features.prefix(circuit.inputs))
            let simulated = try QlstmBinary.run(
                ["simulate", exported.appendingPathComponent(circuit.file).path, "--json"]
                    + inputs.enumerated().flatMap { ["--input", "x\($0.offset)=\($0.element)"] }
            )
            #expect(simulated.status == 0, "\(simulated.standardError)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(simulated.standardOutput.utf8)) as? [String: Any]
            )
            let z = try #require(object["expectations_z"] as? [Double])
            let vqc = try SubVQC(
                id: circuit.id,
                qubitCount: circuit.qubits,
                inputCount: circuit.inputs,
                ansatz: weights.specification.model.ansatz,
                measuredWires: circuit.measuredWires
            )
            let outputs = try PreparedCircuit(vqc, parameters: circuit.parameters).evaluate(inputs)
            let worst = zip(circuit.measuredWires.map { z[$0] }, outputs).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 1e-12, "\(circuit.id): largest difference \(worst)")
        }
    }

    @Test("a six-VQC IQP model trains bit for bit the same on two local workers as in process")
    func clusterMatchesInProcess() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let csv = try Self.series(in: root)
        let options = [
            "train", "--csv", csv.path, "--column", "value", "--architecture", "chen2020", "--encoding", "iqp",
            "--ansatz", "hardware-efficient", "--hidden-size", "2", "--depth", "1", "--epochs", "2", "--quiet",
        ]
        let local = root.appendingPathComponent("local")
        let cluster = root.appendingPathComponent("cluster")
        let inProcess = try QlstmBinary.run(options + ["--out", local.path])
        #expect(inProcess.status == 0, "\(inProcess.standardError)")
        let workers = try QlstmBinary.run(options + ["--local-workers", "2", "--out", cluster.path])
        #expect(workers.status == 0, "\(workers.standardError)")
        func parameters(_ run: URL) throws -> [Double] {
            let data = try Data(contentsOf: run.appendingPathComponent("model.json"))
            let file = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let checkpoint = try #require(file["checkpoint"] as? [String: Any])
            return try #require(checkpoint["parameters"] as? [Double])
        }
        let expected = try parameters(local)
        #expect(expected.count == 39)
        #expect(try parameters(cluster).map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test("compare --architecture chen2020 trains six-VQC models beside the classical LSTM")
    func compareSixVQC() throws {
        let out = try QlstmBinary.temporaryDirectory().appendingPathComponent("report")
        let outcome = try QlstmBinary.run([
            "compare", "--architecture", "chen2020", "--encoding", "iqp", "--qubits", "3", "--distributed", "none",
            "--with-lstm", "--epochs", "1", "--seeds", "1", "--depth", "1", "--local-workers", "1", "--quiet", "--out",
            out.path,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("runs").path).sorted()
        #expect(runs == ["centric-3q-chen2020-seed0", "lstm-seed0"], "\(runs)")
        let markdown = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("Centric QLSTM (3 qubits), six VQCs"))
        #expect(!markdown.contains("0.9898"), "the paper's four-VQC figure stands beside a six-VQC row")
    }

    @Test("resources gives the gate and parameter counts of the new circuits")
    func resources() throws {
        let outcome = try QlstmBinary.run([
            "resources", "--encoding", "iqp", "--ansatz", "hardware-efficient", "--architecture", "chen2020",
            "--hidden-size", "2", "--depth", "2", "--json",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any]
        )
        // 3 qubits, depth 2 of RY, RZ: 12 angles per circuit; four gates and VQC5, VQC6.
        #expect(object["p_vqc"] as? [Int] == Array(repeating: 12, count: 6))
        #expect(object["p_gates"] as? Int == 48 && object["p_extra"] as? Int == 24 && object["n_extra"] as? Int == 2)
        #expect(object["p_total_circuits"] as? Int == 72)
        let gates = try #require(object["gates_per_subvqc"] as? [[String: Int]])
        // Gates: IQP on 3 inputs is 3 H, 3 RZ and 3 ZZ (2 CNOT + RZ each); VQC5 and VQC6 read 2.
        // Each layer adds 6 rotations and 2 CZ.
        #expect(gates[0] == ["one_qubit": 9 + 12, "cnot": 6, "cz": 4, "total": 31])
        #expect(gates[4] == ["one_qubit": 5 + 12, "cnot": 2, "cz": 4, "total": 23])
    }

    @Test("bad names list the valid ones in one line, exit 2, nothing written")
    func badNames() throws {
        let root = try QlstmBinary.temporaryDirectory()
        for (option, value, valid) in [
            ("--encoding", "zz", "paper, arctan, angle-x, angle-y, iqp"),
            ("--ansatz", "hea", "brick, ring, strongly-entangling, hardware-efficient"),
            ("--architecture", "six", "four-vqc, chen2020"),
            ("--rotations", "yz", "ry, xyz, rot, ry-rz"),
        ] {
            for command in ["train", "compare"] {
                let out = root.appendingPathComponent("\(command)\(option)")
                let outcome = try QlstmBinary.run([command, option, value, "--epochs", "1", "--out", out.path])
                #expect(outcome.status == 2)
                #expect(outcome.standardError.contains(valid), "\(outcome.standardError)")
                #expect(outcome.standardError.split(separator: "\n").count == 1)
                #expect(!FileManager.default.fileExists(atPath: out.path))
            }
        }
        let repeated = try QlstmBinary.run(["train", "--ansatz", "hardware-efficient", "--n-qlayers", "2"])
        #expect(repeated.status == 2 && repeated.standardError.contains("CZ ladders cancel"))
        let notIQP = try QlstmBinary.run(["train", "--n-repeats", "2"])
        #expect(notIQP.status == 2 && notIQP.standardError.contains("--encoding iqp"))
    }
}
