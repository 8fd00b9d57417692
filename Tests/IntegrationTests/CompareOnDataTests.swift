import Foundation
import Testing

/// `qlstm compare` on the user's own series: every data option of `train` works in `compare`.
@Suite("compare on any data", .serialized, .timeLimit(.minutes(5)))
struct CompareOnDataTests {
    /// A series no other test uses: a daily load with a weekly cycle, a slow trend and seeded
    /// noise, beside a temperature column.
    static func writeSeries(to url: URL) throws {
        var text = "day,temperature,load\n"
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for day in 0..<90 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = Double(state >> 11) / Double(1 << 53) - 0.5
            let temperature = 12 + 8 * sin(Double(day) / 14)
            let load = 230 + 40 * sin(2 * Double.pi * Double(day) / 7) + 0.6 * Double(day) + 6 * noise
            text += "\(day),\(temperature),\(load)\n"
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    @Test("compare --csv FILE --column C writes a full report from runs on that series")
    func compareOnACSV() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let csv = root.appendingPathComponent("household-load.csv")
        try Self.writeSeries(to: csv)
        let out = root.appendingPathComponent("report")
        let outcome = try QlstmBinary.run([
            "compare", "--csv", csv.path, "--column", "load", "--time-column", "day", "--seq-len", "3",
            "--scaling", "zscore", "--qubits", "3", "--distributed", "2x2", "--ablation", "--with-lstm",
            "--seeds", "2", "--epochs", "2", "--depth", "2", "--quiet", "--out", out.path,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        for name in ["report.md", "report.html", "loss-curves.svg", "predictions.svg"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name) missing")
        }
        let markdown = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        for text in [
            "QLSTM comparison: household-load", "Centric QLSTM (3 qubits)", "Distributed QLSTM (2 x 2 qubits)",
            "Classical LSTM", "Ablation", "column load of household-load.csv",
        ] {
            #expect(markdown.contains(text), "report.md lacks \(text)")
        }
        #expect(!markdown.contains("(paper)"), "the paper has no figure for this series")
        let runs = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("runs").path)
        #expect(runs.count == 8, "\(runs)")
        // The runs are on this series with these windows.
        let run = out.appendingPathComponent("runs/distributed-2x2q-seed1")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("summary.json")))
                as? [String: Any]
        )
        #expect(summary["task"] as? String == "household-load")
        let model = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("model.json")))
                as? [String: Any]
        )
        let data = try #require((model["specification"] as? [String: Any])?["data"] as? [String: Any])
        #expect((data["windows"] as? [String: Any])?["sequenceLength"] as? Int == 3)
        #expect(data["csvPath"] as? String == csv.path)
    }

    @Test("the models' widths follow the data: two inputs per step leave no hidden unit on 2 qubits")
    func widthsFollowTheData() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let csv = root.appendingPathComponent("series.csv")
        try Self.writeSeries(to: csv)
        let out = root.appendingPathComponent("report")
        let refused = try QlstmBinary.run([
            "compare", "--csv", csv.path, "--column", "load", "--features", "load,temperature", "--qubits", "2",
            "--out", out.path,
        ])
        #expect(refused.status == 2, "\(refused.standardError)")
        #expect(
            refused.standardError.contains("more qubits than the 2 inputs per time step"),
            "\(refused.standardError)"
        )
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let noCSV = try QlstmBinary.run(["compare", "--column", "load", "--out", out.path])
        #expect(noCSV.status == 2 && noCSV.standardError.contains("--column needs --csv FILE"))
    }
}
