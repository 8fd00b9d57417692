import Foundation
import Testing

/// `--transform` and the naive baselines, through the release binary, on a trending series
/// that defeats every model fitted on levels.
@Suite("series transforms and baselines", .serialized, .timeLimit(.minutes(5)))
struct TransformAndBaselineTests {
    /// 160 quarters of a level rising 0.8 a quarter with a yearly (12-quarter) cycle of
    /// amplitude 6 and seeded uniform noise of width 3: the test part lies wholly above the
    /// training part's range.
    static func trendingSeries() -> [Double] {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        return (0..<160).map { t in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = Double(state >> 11) / Double(1 << 53) - 0.5
            return 100 + 0.8 * Double(t) + 6 * sin(2 * Double.pi * Double(t) / 12) + 3 * noise
        }
    }

    static var trendingCSV: String {
        "quarter,level\n" + trendingSeries().enumerated().map { "\($0),\($1)\n" }.joined()
    }

    static func writeTrendingSeries(to url: URL) throws {
        try trendingCSV.write(to: url, atomically: true, encoding: .utf8)
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// predictions.csv rows of one split: time -> (truth, prediction).
    static func predictions(_ url: URL, split: String) throws -> [Double: (truth: Double, prediction: Double)] {
        var rows: [Double: (Double, Double)] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",")
            guard fields.count == 4, fields[3] == split, let time = Double(fields[0]), let truth = Double(fields[1]),
                let prediction = Double(fields[2])
            else { continue }
            rows[time] = (truth, prediction)
        }
        return rows
    }

    /// The comparison of one small centric QLSTM on the trending series, with and without the
    /// transform. Prints the figures it measures (docs/DATASETS.md records them).
    static func compare(csv: URL, out: URL, transform: [String]) throws -> (model: Double, persistence: Double) {
        let outcome = try QlstmBinary.run(
            [
                "compare", "--csv", csv.path, "--column", "level", "--time-column", "quarter", "--qubits", "3",
                "--distributed", "none", "--seeds", "1", "--epochs", "15", "--depth", "2", "--season", "12",
                "--local-workers", "1", "--quiet", "--out", out.path,
            ] + transform
        )
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let model = try json(out.appendingPathComponent("runs/centric-3q-seed0/summary.json"))
        let persistence = try json(out.appendingPathComponent("baselines/persistence/summary.json"))
        let modelMSE = try #require(model["mse_test"] as? Double)
        let persistenceMSE = try #require(persistence["mse_test"] as? Double)
        print(
            "trending series, \(transform.isEmpty ? "levels" : transform.joined(separator: " ")): centric 3-qubit QLSTM test R^2 \(model["r2_test"] ?? "?") MSE \(modelMSE); persistence R^2 \(persistence["r2_test"] ?? "?") MSE \(persistenceMSE)"
        )
        return (modelMSE, persistenceMSE)
    }

    @Test("on a trending series a QLSTM on differences beats or matches persistence; on levels it does not")
    func differencesBeatPersistence() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let csv = root.appendingPathComponent("trend.csv")
        try Self.writeTrendingSeries(to: csv)
        // docs/DATASETS.md measures on the committed copy.
        let committed = QlstmBinary.packageRoot.appendingPathComponent("docs/data/trending-quarters.csv")
        #expect(try String(contentsOf: committed, encoding: .utf8) == Self.trendingCSV)

        let differenced = root.appendingPathComponent("difference")
        let withTransform = try Self.compare(csv: csv, out: differenced, transform: ["--transform", "difference"])
        #expect(withTransform.model <= withTransform.persistence)
        let report = try String(contentsOf: differenced.appendingPathComponent("report.md"), encoding: .utf8)
        for row in [
            "| Persistence (tomorrow = today) ", "| Seasonal naive (period 12) ",
            "| Linear autoregression (least squares) ", "through the transform difference",
            "Centric QLSTM (3 qubits) beats it",
        ] {
            #expect(report.contains(row), "report.md lacks \(row)")
        }
        #expect(!report.contains("No model beats persistence"))
        let html = try String(contentsOf: differenced.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("Persistence (tomorrow = today)"))

        let levels = root.appendingPathComponent("levels")
        let withoutTransform = try Self.compare(csv: csv, out: levels, transform: [])
        #expect(withoutTransform.model > withoutTransform.persistence)
        let levelReport = try String(contentsOf: levels.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(levelReport.contains("No model beats persistence"))
        #expect(levelReport.contains("try --transform difference"))
        // Persistence does not depend on how the models read the series.
        #expect(withoutTransform.persistence == withTransform.persistence)
    }

    @Test("baselines are measured on the models' test windows and in the series' units")
    func baselinesAreTheNaiveForecasts() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let csv = root.appendingPathComponent("trend.csv")
        try Self.writeTrendingSeries(to: csv)
        let out = root.appendingPathComponent("report")
        let outcome = try QlstmBinary.run([
            "compare", "--csv", csv.path, "--column", "level", "--time-column", "quarter", "--qubits", "none",
            "--distributed", "none", "--with-lstm", "--seeds", "1", "--epochs", "1", "--season", "12", "--transform",
            "difference", "--quiet", "--out",
            out.path,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let values = Self.trendingSeries()
        let run = try Self.predictions(out.appendingPathComponent("runs/lstm-seed0/predictions.csv"), split: "test")
        for (name, back) in [("persistence", 1), ("seasonal-naive-12", 12)] {
            let baseline = try Self.predictions(
                out.appendingPathComponent("baselines/\(name)/predictions.csv"),
                split: "test"
            )
            #expect(Set(baseline.keys) == Set(run.keys), "\(name) is not on the models' test windows")
            for (time, row) in baseline {
                let t = Int(time)
                #expect(row.truth == values[t] && row.prediction == values[t - back], "\(name) at \(t)")
            }
            let summary = try Self.json(out.appendingPathComponent("baselines/\(name)/summary.json"))
            let squares = baseline.values.map { ($0.truth - $0.prediction) * ($0.truth - $0.prediction) }
            let mse = try #require(summary["mse_test"] as? Double)
            #expect(abs(mse - squares.reduce(0, +) / Double(squares.count)) <= 1e-12 * mse)
            #expect(summary["parameters"] as? Int == 0)
        }
        let ar = try Self.json(out.appendingPathComponent("baselines/linear-ar/summary.json"))
        #expect(ar["parameters"] as? Int == 5 && ar["r2_validation"] is Double)
        // The model's test truths are the series' own values: predictions are in its units.
        for (time, row) in run { #expect(row.truth == values[Int(time)]) }
    }

    @Test("train stores the transform, predict applies and inverts it, and --resume names a change of it")
    func predictInvertsTheTransform() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let csv = root.appendingPathComponent("trend.csv")
        try Self.writeTrendingSeries(to: csv)
        let run = root.appendingPathComponent("run")
        let trained = try QlstmBinary.run([
            "train", "--csv", csv.path, "--column", "level", "--time-column", "quarter", "--model", "lstm",
            "--transform", "log,difference", "--epochs", "3", "--quiet", "--out", run.path,
        ])
        #expect(trained.status == 0, "\(trained.standardError)")
        let model = try Self.json(run.appendingPathComponent("model.json"))
        let preprocessing = try #require(model["preprocessing"] as? [String: Any])
        #expect(preprocessing["transform"] as? [String] == ["log", "difference"])

        let forecast = root.appendingPathComponent("forecast.csv")
        let predicted = try QlstmBinary.run([
            "predict", "--model", run.path, "--csv", csv.path, "--out", forecast.path,
        ])
        #expect(predicted.status == 0, "\(predicted.standardError)")
        #expect(!predicted.standardError.contains("warning"), "a model of changes does not extrapolate levels")
        var forecasts: [Double: Double] = [:]
        for line in try String(contentsOf: forecast, encoding: .utf8).split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if let time = Double(fields[1]), let value = Double(fields[2]) { forecasts[time] = value }
        }
        // Every window the run forecast, predict forecasts the same, in the same units.
        let test = try Self.predictions(run.appendingPathComponent("predictions.csv"), split: "test")
        #expect(!test.isEmpty)
        for (time, row) in test {
            let value = try #require(forecasts[time], "predict has no forecast for \(time)")
            #expect(abs(value - row.prediction) <= 1e-9 * abs(row.prediction), "at \(time)")
        }
        // One forecast past the end: from the last 4 log returns of the last 5 rows.
        #expect(forecasts[160] != nil)

        let recursive = try QlstmBinary.run(["predict", "--model", run.path, "--csv", csv.path, "--horizon", "3"])
        #expect(recursive.status == 0, "\(recursive.standardError)")
        let ahead = recursive.standardOutput.split(separator: "\n").dropFirst().compactMap {
            Double($0.split(separator: ",")[2])
        }
        #expect(ahead.count == 3 && ahead.allSatisfy { $0 > 150 && $0 < 300 }, "\(ahead)")

        let changed = try QlstmBinary.run([
            "train", "--resume", "--out", run.path, "--transform", "difference", "--epochs", "3",
        ])
        #expect(changed.status == 2)
        #expect(changed.standardError.contains("--transform difference (the run has data.windows.transform"))
    }

    @Test("bad transforms and seasons are one line, exit 2, nothing written")
    func badInputs() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let csv = root.appendingPathComponent("prices.csv")
        try "day,close\n0,5\n1,6\n2,4\n3,0\n4,7\n5,8\n6,9\n7,10\n8,11\n9,12\n".write(
            to: csv,
            atomically: true,
            encoding: .utf8
        )
        let out = root.appendingPathComponent("out")
        let cases: [([String], String)] = [
            (
                ["train", "--csv", csv.path, "--column", "close", "--transform", "log-return", "--seq-len", "2"],
                "column 'close' holds 0.0 in data row 4"
            ),
            (
                ["train", "--csv", csv.path, "--column", "close", "--transform", "difference,log"],
                "--transform 'difference,log' is not valid: expected log only as the first step"
            ),
            (["train", "--transform", "logs"], "--transform 'logs' is not valid"),
            (
                [
                    "compare", "--csv", csv.path, "--column", "close", "--seq-len", "2", "--validation-fraction", "0",
                    "--season", "9", "--with-lstm",
                ],
                "--season '9' is not valid"
            ),
        ]
        for (arguments, message) in cases {
            let outcome = try QlstmBinary.run(arguments + ["--out", out.path])
            #expect(outcome.status == 2, "\(arguments): \(outcome.standardError)")
            #expect(outcome.standardError.contains(message), "\(outcome.standardError)")
            #expect(outcome.standardError.split(separator: "\n").count == 1, "\(outcome.standardError)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }
}
