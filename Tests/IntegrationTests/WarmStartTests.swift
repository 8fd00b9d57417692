import Foundation
import Testing

/// `qlstm train --warm-start RUN`: a trained model continued on newer data starts at its own
/// loss level, keeps its scaler (unless `--refit-scaler`), records where it started in its
/// fingerprint and manifest, refuses another architecture by name, and writes a model that
/// `predict` and `serve` load.
@Suite("warm start", .serialized, .timeLimit(.minutes(5)))
struct WarmStartTests {
    static let shape = ["--hidden-size", "3", "--depth", "2", "--quiet"]

    /// Rows `range` of one quasi-periodic series, as a CSV column `value`: the second half
    /// continues the first.
    static func writeSeries(_ range: Range<Int>, to url: URL) throws {
        let values = range.map { t in "\(sin(0.25 * Double(t)) + 0.4 * sin(0.09 * Double(t) + 1))" }
        try ("value\n" + values.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
    }

    /// Each epoch's training loss, from metrics.jsonl.
    static func trainLosses(_ run: URL) throws -> [Double] {
        try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n")
            .compactMap { line in
                (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["train_loss"] as? Double
            }
    }

    @Test("a warm start on the series' continuation begins at the old model's loss, far below a cold start's")
    func continuation() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let older = root.appendingPathComponent("older.csv")
        let newer = root.appendingPathComponent("newer.csv")
        try Self.writeSeries(0..<200, to: older)
        try Self.writeSeries(200..<400, to: newer)
        let base = root.appendingPathComponent("base")
        let trained = try QlstmBinary.run(
            ["train", "--csv", older.path, "--column", "value", "--epochs", "40", "--out", base.path] + Self.shape
        )
        #expect(trained.status == 0, "\(trained.standardError)")

        let warm = root.appendingPathComponent("warm")
        let warmCommand = [
            "train", "--warm-start", base.path, "--csv", newer.path, "--epochs", "2", "--out", warm.path, "--quiet",
        ]
        let warmed = try QlstmBinary.run(warmCommand)
        #expect(warmed.status == 0, "\(warmed.standardError)")
        let cold = root.appendingPathComponent("cold")
        let colded = try QlstmBinary.run(
            ["train", "--csv", newer.path, "--column", "value", "--epochs", "2", "--out", cold.path] + Self.shape
        )
        #expect(colded.status == 0, "\(colded.standardError)")

        let baseLoss = try #require(try Self.trainLosses(base).last)
        let warmLoss = try #require(try Self.trainLosses(warm).first)
        let coldLoss = try #require(try Self.trainLosses(cold).first)
        #expect(warmLoss < coldLoss / 4, "first epoch: warm \(warmLoss), cold \(coldLoss)")
        #expect(warmLoss < 2 * baseLoss, "warm \(warmLoss) against the base model's last \(baseLoss)")

        // Where it started: in the manifest, and the kept scaler in the model.
        let baseModel = try Self.json(base.appendingPathComponent("model.json"))
        let warmModel = try Self.json(warm.appendingPathComponent("model.json"))
        let manifest = try Self.json(warm.appendingPathComponent("manifest.json"))
        let start = try #require((manifest["specification"] as? [String: Any])?["warmStart"] as? [String: Any])
        #expect(start["fingerprint"] as? String == baseModel["fingerprint"] as? String)
        #expect(start["path"] as? String == base.path && start["epochs"] as? Int == 40)
        #expect(start["refitScaler"] as? Bool == false)
        #expect((warmModel["preprocessing"] as? NSDictionary) == (baseModel["preprocessing"] as? NSDictionary))
        #expect(warmModel["fingerprint"] as? String != baseModel["fingerprint"] as? String)

        // The same command again is the same run; after the base model changes, it is another.
        let again = try QlstmBinary.run(warmCommand)
        #expect(
            again.status == 0 && again.standardError.contains("already holds this run, finished"),
            "\(again.standardError)"
        )
        let retrained = try QlstmBinary.run(
            ["train", "--csv", older.path, "--column", "value", "--epochs", "41", "--force", "--out", base.path]
                + Self.shape
        )
        #expect(retrained.status == 0, "\(retrained.standardError)")
        let moved = try QlstmBinary.run(warmCommand)
        #expect(
            moved.status == 2 && moved.standardError.contains("already holds another run"),
            "\(moved.standardError)"
        )

        // The warm-started model is an ordinary model: predict and serve load it.
        let forecast = root.appendingPathComponent("forecast.csv")
        let predicted = try QlstmBinary.run([
            "predict", "--model", warm.path, "--csv", newer.path, "--out", forecast.path,
        ])
        #expect(predicted.status == 0, "\(predicted.standardError)")
        let first = try #require(
            try String(contentsOf: forecast, encoding: .utf8).split(separator: "\n").dropFirst().first?.split(
                separator: ","
            )[2]
        )
        let values = try String(contentsOf: newer, encoding: .utf8).split(separator: "\n").dropFirst().prefix(4)
        let server = try ServeProcess(["--model", warm.path], in: root)
        let answer = try HTTPClient(port: server.port).request(
            "POST",
            "/predict",
            body: "{\"windows\": [[\(values.joined(separator: ","))]]}"
        )
        #expect(answer?.predictionTexts == [String(first)])
        #expect(server.terminate() == 0)

        // --refit-scaler fits the new data's own scaler.
        let refit = root.appendingPathComponent("refit")
        let refitted = try QlstmBinary.run(
            [
                "train", "--warm-start", base.path, "--refit-scaler", "--scaling", "zscore", "--csv", newer.path,
                "--epochs", "1", "--out", refit.path, "--quiet",
            ]
        )
        #expect(refitted.status == 0, "\(refitted.standardError)")
        let refitModel = try Self.json(refit.appendingPathComponent("model.json"))
        #expect((refitModel["preprocessing"] as? NSDictionary) != (baseModel["preprocessing"] as? NSDictionary))
    }

    @Test(
        "another architecture or a scaler option without --refit-scaler is refused, naming the options, writing nothing"
    )
    func refusals() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let base = root.appendingPathComponent("base")
        #expect(
            try QlstmBinary.run(["train", "--task", "pendulum", "--epochs", "1", "--out", base.path] + Self.shape)
                .status == 0
        )
        let out = root.appendingPathComponent("out")
        let cases: [([String], String)] = [
            (
                ["--depth", "3", "--hidden-size", "3"],
                "these options differ from its architecture: --depth 3 (the run has model.ansatz.depth 2)"
            ),
            (["--seq-len", "8"], "--seq-len 8 (the run has data.windows.sequenceLength 4)"),
            (["--scaling", "zscore"], "give --refit-scaler to fit a new scaler on the new data"),
            (["--resume"], "--warm-start starts a run and --resume continues one"),
        ]
        for (options, message) in cases {
            let outcome = try QlstmBinary.run(["train", "--warm-start", base.path, "--out", out.path] + options)
            #expect(outcome.status == 2, "\(options): \(outcome.standardError)")
            #expect(outcome.standardError.contains(message), "\(options): \(outcome.standardError)")
            #expect(outcome.standardError.split(separator: "\n").count == 1)
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
        let alone = try QlstmBinary.run(["train", "--refit-scaler", "--out", out.path])
        #expect(alone.status == 2 && alone.standardError.contains("--refit-scaler applies to --warm-start RUN"))
        let nowhere = try QlstmBinary.run([
            "train", "--warm-start", root.appendingPathComponent("none").path, "--out", out.path,
        ])
        #expect(nowhere.status == 2 && nowhere.standardError.contains("no such run"), "\(nowhere.standardError)")
    }
}
