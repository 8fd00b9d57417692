import Foundation
import Testing

/// `--resume` with the original command line, Ctrl-C, `predict` on a run directory and its
/// checks, `--version`.
@Suite("resume, interrupt, predict, version", .serialized, .timeLimit(.minutes(5)))
struct ResumeAndPredictTests {
    let quick = ["train", "--task", "pendulum", "--hidden-size", "3", "--depth", "2", "--quiet"]

    @Test("--resume takes the original options again and refuses only different values, naming them")
    func resumeWithTheSameOptions() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let run = root.appendingPathComponent("run")
        #expect(try QlstmBinary.run(quick + ["--epochs", "2", "--out", run.path]).status == 0)
        let repeated = try QlstmBinary.run(quick + ["--epochs", "3", "--resume", "--out", run.path])
        #expect(repeated.status == 0, "\(repeated.standardError)")
        #expect(try Checkpoint.read(run).checkpoint.completedEpochs == 3)

        let changed = try QlstmBinary.run([
            "train", "--task", "pendulum", "--hidden-size", "3", "--depth", "3", "--lr", "0.02", "--resume", "--out",
            run.path,
        ])
        #expect(changed.status == 2)
        #expect(
            changed.standardError.contains("--depth 3 (the run has model.ansatz.depth 2)"),
            "\(changed.standardError)"
        )
        #expect(changed.standardError.contains("--lr 0.02 (the run has training.optimizer.learningRate 0.01)"))
        #expect(!changed.standardError.contains("--task"), "the same --task is not a change")

        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let nothing = try QlstmBinary.run(["train", "--resume", "--out", empty.path])
        #expect(
            nothing.status == 2 && nothing.standardError.contains("holds no run to resume"),
            "\(nothing.standardError)"
        )
    }

    @Test("Ctrl-C prints the command that resumes, which finishes the run")
    func interrupt() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let run = root.appendingPathComponent("run")
        let process = Process()
        process.executableURL = QlstmBinary.url
        process.arguments = quick + ["--epochs", "200", "--out", run.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        try waitForEpochs(2, in: run, while: process)
        #expect(process.isRunning, "the run ended before it could be interrupted")
        kill(process.processIdentifier, SIGINT)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(message)")
        let command = "qlstm train --resume --out \(run.path)"
        #expect(message.contains("continue with: \(command)"), "\(message)")
        let resumed = try QlstmBinary.run(["train", "--resume", "--out", run.path, "--epochs", "5", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
    }

    @Test("predict: a run directory, a column of another name refused, values outside the training range warned")
    func predictChecks() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let run = root.appendingPathComponent("pendulum")
        #expect(try QlstmBinary.run(quick + ["--epochs", "1", "--out", run.path]).status == 0)
        let csv = root.appendingPathComponent("prices.csv")
        var text = "price\n"
        for day in 0..<30 { text += "\(117 + sin(Double(day)))\n" }
        try text.write(to: csv, atomically: true, encoding: .utf8)

        let refused = try QlstmBinary.run(["predict", "--model", run.path, "--csv", csv.path])
        #expect(refused.status == 2, "\(refused.standardError)")
        #expect(refused.standardError.contains("'price' is not the model's target 'omega'"), "\(refused.standardError)")

        let forecast = root.appendingPathComponent("forecast.csv")
        let warned = try QlstmBinary.run([
            "predict", "--model", run.path, "--csv", csv.path, "--column", "price", "--out", forecast.path,
        ])
        #expect(warned.status == 0, "\(warned.standardError)")
        #expect(warned.standardError.contains("warning: price"), "\(warned.standardError)")
        #expect(warned.standardError.contains("extrapolations"))
        #expect(warned.standardOutput.contains("wrote 27 forecasts (price, original units) to \(forecast.path)"))
        #expect(FileManager.default.fileExists(atPath: forecast.path))
    }

    @Test("qlstm --version")
    func version() throws {
        let outcome = try QlstmBinary.run(["--version"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.range(of: #"^qlstm \d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil)
    }
}
