import Foundation
import Testing

/// The validation split (`--validation-fraction`, default 0.1) and `--paper-protocol`.
@Suite("protocol: validation split and the paper's", .serialized, .timeLimit(.minutes(5)))
struct ProtocolTests {
    let quick = ["train", "--task", "pendulum", "--hidden-size", "3", "--depth", "2", "--epochs", "2", "--quiet"]

    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// The `split` column of predictions.csv, counted.
    static func splits(_ run: URL) throws -> [String: Int] {
        let csv = try String(contentsOf: run.appendingPathComponent("predictions.csv"), encoding: .utf8)
        var counts: [String: Int] = [:]
        for line in csv.split(separator: "\n").dropFirst() {
            counts[String(line.split(separator: ",").last ?? ""), default: 0] += 1
        }
        return counts
    }

    @Test("by default the last 10 % of the training windows validate: losses per epoch, metrics in summary.json")
    func defaultValidationSplit() throws {
        let run = try QlstmBinary.temporaryDirectory().appendingPathComponent("run")
        let outcome = try QlstmBinary.run(quick + ["--out", run.path])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let metrics = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let lines = metrics.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.contains("\"validation_loss\"") }, "\(metrics)")
        let summary = try Self.json(run.appendingPathComponent("summary.json"))
        for key in ["r2_validation", "mse_validation", "mae_validation", "r2_test", "best_validation_loss"] {
            #expect(summary[key] is Double, "summary.json lacks \(key)")
        }
        // The pendulum's 236 windows: 158 training windows, of which the last 15 validate; 78 test.
        #expect(try Self.splits(run) == ["train": 143, "validation": 15, "test": 78])
    }

    @Test("--paper-protocol: constant lr, whole-series scaling, reference windowing, no validation split")
    func paperProtocol() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let run = root.appendingPathComponent("paper")
        let outcome = try QlstmBinary.run(quick + ["--paper-protocol", "--out", run.path])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(try Self.splits(run) == ["train": 157, "test": 78])
        let summary = try Self.json(run.appendingPathComponent("summary.json"))
        #expect(summary["r2_validation"] == nil && summary["r2_test"] is Double)
        let metrics = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        #expect(!metrics.contains("validation_loss"))
        let specification = try #require(
            try Self.json(run.appendingPathComponent("model.json"))["specification"] as? [String: Any]
        )
        let windows = try #require((specification["data"] as? [String: Any])?["windows"] as? [String: Any])
        #expect(windows["scalingScope"] as? String == "wholeSeries")
        #expect(windows["referenceWindowing"] as? Bool == true)
        #expect(windows["validationFraction"] as? Double == 0)
        #expect((specification["training"] as? [String: Any])?["schedule"] as? String == "constant")

        let conflicting = try QlstmBinary.run(
            quick + ["--paper-protocol", "--lr-schedule", "cosine", "--out", root.appendingPathComponent("x").path]
        )
        #expect(conflicting.status == 2 && conflicting.standardError.contains("--paper-protocol fixes --lr-schedule"))
    }

    @Test("the report shows validation and test R^2 and says which protocol the runs followed")
    func reportNamesTheProtocol() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let small = ["compare", "--qubits", "3", "--distributed", "none", "--seeds", "1", "--epochs", "1", "--quiet"]
        let ours = root.appendingPathComponent("ours")
        #expect(try QlstmBinary.run(small + ["--out", ours.path]).status == 0)
        let report = try String(contentsOf: ours.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("Protocol: this project's") && report.contains("validation R^2"), "\(report)")

        let paper = root.appendingPathComponent("paper")
        #expect(try QlstmBinary.run(small + ["--paper-protocol", "--out", paper.path]).status == 0)
        let paperReport = try String(contentsOf: paper.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(paperReport.contains("Protocol: the paper's code (--paper-protocol)"))
        #expect(!paperReport.contains("validation R^2"))
    }
}
