import Foundation
import Testing

/// `--objective classification` end to end through the release binary: the pendulum's
/// direction, every model kind in process and on workers, `predict`, `compare`, and the inputs
/// that make no sense.
@Suite("classification of the next move", .serialized, .timeLimit(.minutes(10)))
struct ClassificationTests {
    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// A sine of period 12 rows with a slow drift: 160 rows, `time,y`.
    static func sineCSV(in root: URL) throws -> URL {
        let url = root.appendingPathComponent("sine.csv")
        var text = "time,y\n"
        for row in 0..<160 { text += "\(row),\(sin(2 * Double.pi * Double(row) / 12) + 0.002 * Double(row))\n" }
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// The must-show: a centric QLSTM of 3 qubits (66 parameters), 100 epochs at lr 0.05, about
    /// 2-10 s. Measured 0.9226 on each of seeds 0-4 (docs/TRAINING.md).
    @Test("the pendulum's direction of the next step: balanced accuracy >= 0.9 on the test windows")
    func pendulumDirection() throws {
        let run = try QlstmBinary.temporaryDirectory().appendingPathComponent("direction")
        let outcome = try QlstmBinary.run(
            [
                "train", "--task", "pendulum", "--objective", "classification", "--hidden-size", "2", "--lr", "0.05",
                "--quiet", "--out", run.path,
            ]
        )
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let summary = try Self.json(run.appendingPathComponent("summary.json"))
        let balanced = try #require(summary["balanced_accuracy_test"] as? Double)
        #expect(balanced >= 0.9, "test balanced accuracy \(balanced)")
        for split in ["test", "validation"] {
            for metric in ["accuracy", "balanced_accuracy", "macro_f1", "cross_entropy"] {
                #expect(summary["\(metric)_\(split)"] is Double, "summary.json lacks \(metric)_\(split)")
            }
            #expect((summary["confusion_\(split)"] as? [[Int]])?.count == 2)
        }
        #expect(summary["r2_test"] == nil, "a classifier has no R^2")
        #expect(summary["class_thresholds"] as? [Double] == [0])
        // The pendulum: 78 test windows, the confusion matrix counts each once.
        let confusion = try #require(summary["confusion_test"] as? [[Int]])
        #expect(confusion.joined().reduce(0, +) == 78)
        #expect(outcome.standardOutput.contains("test balanced accuracy \(String(format: "%.4f", balanced))"))
        let model = try Self.json(run.appendingPathComponent("model.json"))
        let specification = try #require(model["specification"] as? [String: Any])
        #expect((specification["model"] as? [String: Any])?["outputs"] as? Int == 2)
        #expect((specification["training"] as? [String: Any])?["loss"] as? String == "cross-entropy")
        #expect((specification["data"] as? [String: Any])?["classes"] as? [String: Any] != nil)
    }

    @Test("K quantile classes on a CSV: every model kind in process and on workers; predict agrees with training")
    func everyModelKind() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let csv = try Self.sineCSV(in: root)
        let common = [
            "train", "--csv", csv.path, "--column", "y", "--objective", "classification", "--classes", "3",
            "--epochs", "3", "--quiet",
        ]
        var thresholds: [[Double]] = []
        for (name, options) in [
            ("centric", ["--hidden-size", "2", "--depth", "1"]),
            ("distributed", ["--hidden-size", "3", "--n-qubits", "2", "--partitions", "2", "--depth", "1"]),
            (
                "distributed-workers",
                ["--hidden-size", "3", "--n-qubits", "2", "--partitions", "2", "--depth", "1", "--local-workers", "2"]
            ),
            ("lstm", ["--model", "lstm"]),
            ("ablation", ["--model", "ablation", "--hidden-size", "3", "--n-qubits", "2", "--partitions", "2"]),
        ] {
            let run = root.appendingPathComponent(name)
            let outcome = try QlstmBinary.run(common + options + ["--out", run.path])
            #expect(outcome.status == 0, "\(name): \(outcome.standardError)")
            let summary = try Self.json(run.appendingPathComponent("summary.json"))
            #expect(summary["classes"] as? Int == 3, "\(name)")
            #expect((summary["confusion_test"] as? [[Int]])?.count == 3, "\(name)")
            thresholds.append(try #require(summary["class_thresholds"] as? [Double]))
        }
        // Fitted on the same training windows, whatever the model.
        #expect(Set(thresholds).count == 1 && thresholds[0].count == 2)
        // The same seed gives the same weights in process and on two worker processes.
        let local = try Self.json(root.appendingPathComponent("distributed/model.json"))["checkpoint"] as? [String: Any]
        let remote =
            try Self.json(root.appendingPathComponent("distributed-workers/model.json"))["checkpoint"] as? [String: Any]
        #expect(local?["parameters"] as? [Double] == remote?["parameters"] as? [Double])

        // predict on the training series: each window's class and probabilities as training wrote them.
        let forecast = root.appendingPathComponent("forecast.csv")
        let predicted = try QlstmBinary.run([
            "predict", "--model", root.appendingPathComponent("centric").path, "--csv", csv.path, "--out",
            forecast.path,
        ])
        #expect(predicted.status == 0, "\(predicted.standardError)")
        let lines = try String(contentsOf: forecast, encoding: .utf8).split(separator: "\n")
        #expect(
            lines.first
                == "input_end_time,target_time,predicted_class,probability_0,probability_1,probability_2,truth_class"
        )
        var byTargetTime: [String: [Substring]] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            byTargetTime[String(fields[1])] = fields
        }
        let trained = try String(contentsOf: root.appendingPathComponent("centric/predictions.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst()
        #expect(trained.count == 160 - 4)
        for line in trained {
            // time,move,truth,prediction,p0,p1,p2,split
            let fields = line.split(separator: ",")
            let row = try #require(byTargetTime[String(fields[0])], "no forecast for time \(fields[0])")
            #expect(row[2] == fields[3] && row[6] == fields[2])
            let probabilities = row[3...5].compactMap { Double($0) }
            #expect(probabilities == fields[4...6].compactMap { Double($0) })
            #expect(abs(probabilities.reduce(0, +) - 1) < 1e-12)
        }
        // The last window's next move lies past the series: no truth.
        #expect(lines.last?.hasSuffix(",") == true)
    }

    @Test("compare --objective classification: classifier tables, conclusions on balanced accuracy, confusion matrices")
    func compareReport() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let out = root.appendingPathComponent("report")
        let outcome = try QlstmBinary.run([
            "compare", "--csv", try Self.sineCSV(in: root).path, "--column", "y", "--objective", "classification",
            "--qubits", "3", "--distributed", "2x2", "--with-lstm", "--seeds", "2", "--epochs", "2", "--depth", "1",
            "--quiet", "--out", out.path,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        for text in [
            "test balanced accuracy", "difference of mean test balanced accuracy", "95 % interval (Welch)",
            "## Confusion matrices", "1: up (move > 0)", "balanced-accuracy-qubits.svg",
            "Persistence (the last move's class)", "Against persistence",
        ] {
            #expect(report.contains(text), "report.md lacks \(text)")
        }
        #expect(!report.contains("R^2"), "a classification report has no R^2")
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("Confusion matrices") && html.contains("<svg"))
        // A comparison of classifiers is selected on validation balanced accuracy (SelectTests).
        let select = try QlstmBinary.run(["select", out.path])
        #expect(
            select.status == 0 && select.standardOutput.contains("validation balanced accuracy"),
            "\(select.standardError)"
        )
    }

    @Test("inputs that make no sense: one line, exit 2, nothing written")
    func badInputs() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let out = root.appendingPathComponent("never")
        let train = ["train", "--task", "pendulum", "--model", "lstm", "--epochs", "1", "--quiet", "--out", out.path]
        for (options, message) in [
            (["--objective", "classification", "--classes", "1"], "--classes 1 is out of range"),
            (["--classes", "3"], "--classes applies to --objective classification"),
            (["--objective", "classify"], "--objective 'classify' is not valid"),
            (
                ["--objective", "classification", "--loss", "mae"],
                "--loss mae does not apply to --objective classification"
            ),
            (["--loss", "cross-entropy"], "--loss cross-entropy scores class logits"),
        ] {
            let outcome = try QlstmBinary.run(train + options)
            #expect(outcome.status == 2, "\(options)")
            #expect(outcome.standardError.contains(message), "\(options): \(outcome.standardError)")
            #expect(outcome.standardError.split(separator: "\n").count == 1, "\(outcome.standardError)")
        }
        // A series whose training part never moves up has no "up" window to learn from.
        let falling = root.appendingPathComponent("falling.csv")
        try (["y"] + (0..<40).map { "\(40 - $0)" }).joined(separator: "\n").write(
            to: falling,
            atomically: true,
            encoding: .utf8
        )
        let refused = try QlstmBinary.run(
            [
                "train", "--csv", falling.path, "--objective", "classification", "--model", "lstm", "--quiet", "--out",
                out.path,
            ]
        )
        #expect(
            refused.status == 2 && refused.standardError.contains("holds no training window"),
            "\(refused.standardError)"
        )
        #expect(!FileManager.default.fileExists(atPath: out.path), "a refused run leaves nothing behind")

        // A classifier forecasts its own horizon only; resuming with another K is refused by name.
        let run = root.appendingPathComponent("classifier")
        let classifier = [
            "train", "--csv", try Self.sineCSV(in: root).path, "--column", "y", "--objective", "classification",
            "--classes", "3", "--model", "lstm", "--epochs", "1", "--quiet", "--out", run.path,
        ]
        let trained = try QlstmBinary.run(classifier)
        #expect(trained.status == 0, "\(trained.standardError)")
        let recursive = try QlstmBinary.run([
            "predict", "--model", run.path, "--csv", root.appendingPathComponent("sine.csv").path, "--horizon", "3",
        ])
        #expect(
            recursive.status == 2 && recursive.standardError.contains("a class cannot be fed back"),
            "\(recursive.standardError)"
        )
        // A warm start from a classifier keeps classifying (its classes, its loss); --loss mse is refused.
        let warm = root.appendingPathComponent("warm")
        let warmStart = [
            "train", "--csv", root.appendingPathComponent("sine.csv").path, "--warm-start", run.path, "--epochs", "1",
            "--quiet", "--out", warm.path,
        ]
        let warmed = try QlstmBinary.run(warmStart)
        #expect(warmed.status == 0, "\(warmed.standardError)")
        let warmSummary = try Self.json(warm.appendingPathComponent("summary.json"))
        let coldSummary = try Self.json(run.appendingPathComponent("summary.json"))
        #expect(warmSummary["classes"] as? Int == 3)
        #expect(warmSummary["class_thresholds"] as? [Double] == coldSummary["class_thresholds"] as? [Double])
        let mse = try QlstmBinary.run(warmStart + ["--loss", "mse", "--force"])
        #expect(
            mse.status == 2 && mse.standardError.contains("--loss mse does not apply to the classifier"),
            "\(mse.standardError)"
        )
        let again = try QlstmBinary.run(classifier.map { $0 == "1" ? "2" : $0 } + ["--resume"])
        #expect(again.status == 0, "the original options repeated: \(again.standardError)")
        let otherK = try QlstmBinary.run(classifier.map { $0 == "3" ? "4" : $0 } + ["--resume"])
        #expect(
            otherK.status == 2 && otherK.standardError.contains("--classes 4 (the run has model.outputs 3)"),
            "\(otherK.standardError)"
        )
    }
}
