import Foundation
import Testing

/// The parts of model.json that must be identical between runs that should agree.
struct Checkpoint: Decodable, Equatable {
    struct Inner: Decodable, Equatable {
        let completedEpochs: Int
        let steps: UInt64
        let parameters: [Double]
    }
    let checkpoint: Inner

    static func read(_ directory: URL) throws -> Checkpoint {
        try JSONDecoder().decode(
            Checkpoint.self,
            from: Data(contentsOf: directory.appendingPathComponent("model.json"))
        )
    }
}

@Suite("qlstm train", .serialized, .timeLimit(.minutes(5)))
struct TrainCommandTests {
    /// A small but real QLSTM run: the paper's circuit family on the pendulum.
    let quick = ["train", "--task", "pendulum", "--hidden-size", "3", "--depth", "2", "--quiet"]

    @Test("writes the run directory; the same seed gives the same weights on 1 and 2 threads")
    func runDirectoryAndDeterminism() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let one = root.appendingPathComponent("one")
        let two = root.appendingPathComponent("two")
        let first = try QlstmBinary.run(quick + ["--epochs", "3", "--threads", "1", "--out", one.path])
        #expect(first.status == 0, "\(first.standardError)")
        let second = try QlstmBinary.run(quick + ["--epochs", "3", "--threads", "2", "--out", two.path])
        #expect(second.status == 0, "\(second.standardError)")
        for name in ["manifest.json", "metrics.jsonl", "summary.json", "model.json", "predictions.csv"] {
            #expect(FileManager.default.fileExists(atPath: one.appendingPathComponent(name).path), "\(name) missing")
        }
        #expect(try Checkpoint.read(one) == Checkpoint.read(two))

        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: one.appendingPathComponent("summary.json")))
                as? [String: Any]
        )
        for key in [
            "model", "task", "n_qubits", "partitions", "hidden_size", "depth", "parameters", "epochs", "r2_test",
            "mse_test", "mae_test", "convergence_epoch", "train_seconds", "circuits_executed",
        ] {
            #expect(summary[key] != nil, "summary.json lacks \(key)")
        }
        #expect(summary["n_qubits"] as? Int == 4 && summary["epochs"] as? Int == 3)
        // One result line on standard output, agreeing with summary.json.
        let r2 = try #require(summary["r2_test"] as? Double)
        #expect(first.standardOutput.split(separator: "\n").count == 1)
        #expect(first.standardOutput.contains("3 epochs, test R^2 \(String(format: "%.4f", r2))"))
        #expect(first.standardOutput.contains("results in \(one.path)"))
        let metrics = try String(contentsOf: one.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        #expect(metrics.split(separator: "\n").count == 3)
        let predictions = try String(contentsOf: one.appendingPathComponent("predictions.csv"), encoding: .utf8)
        #expect(predictions.hasPrefix("time,truth,prediction,split\n"))
        #expect(predictions.contains(",test\n") && predictions.contains(",train\n"))
    }

    @Test("a run killed half-way and resumed ends bit-identical to an uninterrupted run")
    func killAndResume() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let whole = root.appendingPathComponent("whole")
        let killed = root.appendingPathComponent("killed")
        let arguments = quick + ["--epochs", "12", "--diff-method", "parameter-shift"]
        #expect(try QlstmBinary.run(arguments + ["--out", whole.path]).status == 0)

        let process = Process()
        process.executableURL = QlstmBinary.url
        process.arguments = arguments + ["--out", killed.path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let metrics = killed.appendingPathComponent("metrics.jsonl")
        var epochsDone = 0
        while process.isRunning && epochsDone < 4 {
            usleep(2_000)
            epochsDone = ((try? String(contentsOf: metrics, encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
        let interrupted = try Checkpoint.read(killed)
        #expect(interrupted.checkpoint.completedEpochs < 12)

        // The original command line, repeated, continues the run (same fingerprint).
        let resumed = try QlstmBinary.run(arguments + ["--out", killed.path])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.contains("continuing it"), "\(resumed.standardError)")
        #expect(try Checkpoint.read(killed) == Checkpoint.read(whole))
        let a = try String(contentsOf: whole.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let b = try String(contentsOf: metrics, encoding: .utf8)
        // Same losses epoch by epoch (the seconds differ).
        let losses = { (text: String) in
            text.split(separator: "\n").map { $0.split(separator: ",").filter { $0.contains("loss") } }
        }
        #expect(losses(a) == losses(b))
    }

    @Test("bad options and sizes: one line naming the problem, exit status 2, nothing written")
    func badInput() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let out = root.appendingPathComponent("bad").path
        let cases: [([String], String)] = [
            (["train", "--hiden-size", "3", "--out", out], "did you mean --hidden-size?"),
            (["train", "--depth", "31", "--out", out], "--depth 31 is out of range: use 1...30"),
            (["train", "--n-qubits", "2", "--partitions", "2", "--out", out], "q_m >= D_m"),
            (["train", "--model", "lstm", "--n-qubits", "4", "--out", out], "does not apply to --model lstm"),
            (["train", "--diff-method", "adjoint", "--shots", "100", "--out", out], "needs exact simulation"),
            (["train", "--encoding", "amplitude", "--out", out], "expected one of paper, arctan, angle-x, angle-y"),
            (["train", "--csv", "/nonexistent.csv", "--out", out], "/nonexistent.csv"),
        ]
        for (arguments, message) in cases {
            let outcome = try QlstmBinary.run(arguments)
            #expect(outcome.status == 2, "\(arguments): status \(outcome.status) \(outcome.standardError)")
            #expect(outcome.standardError.contains(message), "\(arguments): \(outcome.standardError)")
            #expect(outcome.standardError.split(separator: "\n").count == 1, "\(arguments): \(outcome.standardError)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))

        let run = root.appendingPathComponent("run")
        #expect(try QlstmBinary.run(quick + ["--epochs", "1", "--out", run.path]).status == 0)
        // The same command again reuses the finished run; other settings never overwrite it.
        let again = try QlstmBinary.run(quick + ["--epochs", "1", "--out", run.path])
        #expect(again.status == 0 && again.standardError.contains("nothing to train"), "\(again.standardError)")
        let before = try Data(contentsOf: run.appendingPathComponent("model.json"))
        let other = try QlstmBinary.run(quick + ["--epochs", "2", "--out", run.path])
        #expect(other.status == 2, "\(other.standardError)")
        #expect(other.standardError.contains("training.epochs: 1 -> 2") && other.standardError.contains("--force"))
        #expect(try Data(contentsOf: run.appendingPathComponent("model.json")) == before)
        let conflicting = try QlstmBinary.run(["train", "--resume", "--out", run.path, "--depth", "3"])
        #expect(
            conflicting.status == 2
                && conflicting.standardError.contains("--depth 3 (the run has model.ansatz.depth 2)")
        )
    }

    @Test("a CSV series with a bad value names its line and column")
    func csvErrors() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let csv = root.appendingPathComponent("series.csv")
        var text = "time,price\n"
        for i in 0..<60 { text += "\(i),\(sin(Double(i) / 5))\n" }
        try (text + "60,oops\n").write(to: csv, atomically: true, encoding: .utf8)
        let outcome = try QlstmBinary.run([
            "train", "--csv", csv.path, "--column", "price", "--out", root.appendingPathComponent("r").path,
        ])
        #expect(outcome.status == 2)
        #expect(
            outcome.standardError.contains("line 62") && outcome.standardError.contains("price"),
            "\(outcome.standardError)"
        )

        try text.write(to: csv, atomically: true, encoding: .utf8)
        let good = try QlstmBinary.run([
            "train", "--csv", csv.path, "--column", "price", "--epochs", "2", "--hidden-size", "2", "--depth", "1",
            "--quiet", "--out", root.appendingPathComponent("ok").path,
        ])
        #expect(good.status == 0, "\(good.standardError)")
    }
}
