import Foundation
import Testing

@Suite("compare, resources, export, predict", .serialized, .timeLimit(.minutes(5)))
struct ModelToolsTests {
    @Test("qlstm compare writes the report, the charts and every run")
    func compare() throws {
        let out = try QlstmBinary.temporaryDirectory().appendingPathComponent("report")
        let outcome = try QlstmBinary.run([
            "compare", "--qubits", "3", "--distributed", "2x3", "--with-lstm", "--ablation", "--epochs", "2", "--seeds",
            "2",
            "--local-workers", "2", "--quiet", "--out", out.path,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        for name in ["report.md", "report.html", "loss-curves.svg", "predictions.svg"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name) missing")
        }
        let markdown = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        for row in [
            "Centric QLSTM (3 qubits)", "Distributed QLSTM (2 x 3 qubits)", "Classical LSTM", "Ablation", "0.9898",
            "0.9936", "±",
        ] {
            #expect(markdown.contains(row), "report.md lacks \(row)")
        }
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<svg") && !html.contains("src=\"http"))
        let runs = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("runs").path)
        #expect(runs.count == 8, "\(runs)")
    }

    @Test("resources on the paper's distributed setup matches the counts of a real run exactly")
    func resourcesMatchARun() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let run = root.appendingPathComponent("distributed")
        let arguments = ["--n-qubits", "3", "--partitions", "2", "--epochs", "2"]
        #expect(try QlstmBinary.run(["train"] + arguments + ["--quiet", "--out", run.path]).status == 0)
        let counted = try QlstmBinary.run(["resources", "--run", run.path, "--json"])
        #expect(counted.status == 0, "\(counted.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(counted.standardOutput.utf8)) as? [String: Any]
        )
        #expect(object["estimate_matches_count"] as? Bool == true)
        #expect(object["p_gates"] as? Int == 120 && object["qpus"] as? Int == 2 && object["total_qubits"] as? Int == 6)
        #expect(object["qubits_per_qpu"] as? [Int] == [3, 3])
        // The estimate from the options alone equals the run's.
        let estimated = try QlstmBinary.run(["resources"] + arguments + ["--json"])
        let fromOptions = try #require(
            try JSONSerialization.jsonObject(with: Data(estimated.standardOutput.utf8)) as? [String: Any]
        )
        #expect(fromOptions["circuits_per_epoch"] as? Int == object["circuits_per_epoch"] as? Int)
    }

    @Test("export writes OpenQASM 3 the simulator runs with input values; predict forecasts in original units")
    func exportAndPredict() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let csv = root.appendingPathComponent("series.csv")
        var text = "t,value\n"
        for i in 0..<120 { text += "\(i),\(10 + 3 * sin(Double(i) / 4))\n" }
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let run = root.appendingPathComponent("run")
        let trained = try QlstmBinary.run([
            "train", "--csv", csv.path, "--column", "value", "--time-column", "t", "--hidden-size", "2", "--depth", "2",
            "--epochs", "3", "--quiet", "--out", run.path,
        ])
        #expect(trained.status == 0, "\(trained.standardError)")

        let exported = root.appendingPathComponent("export")
        let export = try QlstmBinary.run([
            "export", "--model", run.appendingPathComponent("model.json").path, "--out", exported.path,
        ])
        #expect(export.status == 0, "\(export.standardError)")
        let files = try FileManager.default.contentsOfDirectory(atPath: exported.path).filter { $0.hasSuffix(".qasm") }
        #expect(files.count == 4)
        let forget = exported.appendingPathComponent("forget-0.qasm")
        let source = try String(contentsOf: forget, encoding: .utf8)
        #expect(source.contains("input float[64] x0;") && source.contains("OPENQASM 3"))
        let simulated = try QlstmBinary.run([
            "simulate", forget.path, "--input", "x0=0.1", "--input", "x1=-0.2", "--input", "x2=0.3", "--json",
        ])
        #expect(simulated.status == 0, "\(simulated.standardError)")
        #expect(FileManager.default.fileExists(atPath: exported.appendingPathComponent("weights.json").path))

        let forecast = try QlstmBinary.run([
            "predict", "--model", run.appendingPathComponent("model.json").path, "--csv", csv.path,
        ])
        #expect(forecast.status == 0, "\(forecast.standardError)")
        let lines = forecast.standardOutput.split(separator: "\n")
        #expect(lines.first == "input_end_time,target_time,prediction,truth")
        #expect(lines.count == 1 + 120 - 4 + 1)
        // Original units: the series lives in [7, 13].
        let predictions = lines.dropFirst().compactMap { Double($0.split(separator: ",")[2]) }
        #expect(predictions.allSatisfy { (5...15).contains($0) }, "\(predictions.prefix(5))")

        let ahead = try QlstmBinary.run([
            "predict", "--model", run.appendingPathComponent("model.json").path, "--csv", csv.path, "--horizon", "5",
        ])
        #expect(ahead.status == 0 && ahead.standardOutput.split(separator: "\n").count == 6, "\(ahead.standardError)")

        let wrong = root.appendingPathComponent("wrong.csv")
        try "a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n".write(to: wrong, atomically: true, encoding: .utf8)
        let refused = try QlstmBinary.run([
            "predict", "--model", run.appendingPathComponent("model.json").path, "--csv", wrong.path,
        ])
        #expect(refused.status == 2 && refused.standardError.contains("value"), "\(refused.standardError)")

        let damaged = root.appendingPathComponent("damaged.json")
        try #"{"format": "qlstm-model", "formatVersion": 99}"#.write(to: damaged, atomically: true, encoding: .utf8)
        let old = try QlstmBinary.run(["predict", "--model", damaged.path, "--csv", csv.path])
        #expect(old.status == 2 && old.standardError.contains("format 99 is not supported"), "\(old.standardError)")
    }
}
