import Foundation
import Testing

/// `qlstm select` over a real comparison, then `predict --selection` following its choice.
@Suite("select and predict by regime", .serialized, .timeLimit(.minutes(5)))
struct SelectTests {
    /// The data options of the load series (`CompareOnDataTests`), written to `csv`.
    static func data(_ csv: URL) throws -> [String] {
        try CompareOnDataTests.writeSeries(to: csv)
        return ["--csv", csv.path, "--column", "load", "--time-column", "day", "--seq-len", "3"]
    }

    /// A finished comparison on the load series: a 2-qubit QLSTM and an LSTM, 2 seeds of 2
    /// epochs, 30 % validation windows, with `options` added.
    static func comparison(_ options: [String] = []) throws -> (root: URL, csv: URL, out: URL) {
        let root = try QlstmBinary.temporaryDirectory()
        let csv = root.appendingPathComponent("load.csv")
        let out = root.appendingPathComponent("comparison")
        let compare = try QlstmBinary.run(
            ["compare"] + data(csv) + options + [
                "--validation-fraction", "0.3", "--qubits", "2", "--distributed", "none", "--with-lstm",
                "--seeds", "2", "--epochs", "2", "--quiet", "--out", out.path,
            ]
        )
        try #require(compare.status == 0, "\(compare.standardError)")
        return (root, csv, out)
    }

    @Test("select writes the choice with its evidence; predict --selection answers each window with its regime's model")
    func selectThenPredict() throws {
        let (root, csv, out) = try Self.comparison()

        let select = try QlstmBinary.run(["select", out.path, "--volatility-window", "5"])
        try #require(select.status == 0, "\(select.standardError)")
        #expect(select.standardOutput.contains("overall: "), "\(select.standardOutput)")
        #expect(select.standardOutput.contains("calm (") && select.standardOutput.contains("volatile ("))
        let file = out.appendingPathComponent("selection.json")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        )
        let candidates = try #require(json["candidates"] as? [[String: Any]])
        #expect(Set(candidates.compactMap { $0["model"] as? String }) == ["qlstm-2q", "lstm"])
        // The overall choice is the candidate with the lowest mean validation MSE.
        let best = candidates.min { ($0["meanValidationMSE"] as? Double ?? .infinity) < ($1["meanValidationMSE"] as? Double ?? .infinity) }
        #expect(json["overall"] as? String == best?["model"] as? String)
        #expect((json["byRegime"] as? [[String: Any]])?.count == 2)

        let forecasts = root.appendingPathComponent("forecasts.csv")
        let predict = try QlstmBinary.run([
            "predict", "--selection", file.path, "--csv", csv.path, "--out", forecasts.path,
        ])
        try #require(predict.status == 0, "\(predict.standardError)")
        let lines = try String(contentsOf: forecasts, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "input_end_time,target_time,prediction,truth,model,regime")
        #expect(lines.count == 1 + 90 - 3 + 1)
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.allSatisfy { Double($0[2])?.isFinite == true })
        // Windows with a full volatility history carry a regime, and its model is the choice.
        let choice = Dictionary(
            uniqueKeysWithValues: (json["byRegime"] as? [[String: Any]] ?? []).map {
                ($0["name"] as? String ?? "", $0["model"] as? String ?? "")
            }
        )
        for row in rows where row[5] != "none" {
            #expect(choice[String(row[5])] == String(row[4]), "\(row)")
        }

        // Bad input: a folder that is no comparison, and --model with --selection.
        let empty = try QlstmBinary.temporaryDirectory()
        let notComparison = try QlstmBinary.run(["select", empty.path])
        #expect(notComparison.status == 2)
        #expect(notComparison.standardError.contains("no finished runs"), "\(notComparison.standardError)")
        let both = try QlstmBinary.run([
            "predict", "--selection", file.path, "--model", out.appendingPathComponent("runs/lstm-seed0").path,
            "--csv", csv.path,
        ])
        #expect(both.status == 2 && both.standardError.contains("not both"), "\(both.standardError)")

        // A run whose validation predictions are not finite: one line naming the file, nothing
        // written over the selection already there.
        let before = try Data(contentsOf: file)
        let predictions = out.appendingPathComponent("runs/lstm-seed0/predictions.csv")
        var csvLines = try String(contentsOf: predictions, encoding: .utf8).split(separator: "\n").map(String.init)
        let validation = try #require(csvLines.firstIndex { $0.hasSuffix(",validation") })
        var fields = csvLines[validation].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[2] = "nan"
        csvLines[validation] = fields.joined(separator: ",")
        try (csvLines.joined(separator: "\n") + "\n").write(to: predictions, atomically: true, encoding: .utf8)
        let diverged = try QlstmBinary.run(["select", out.path, "--volatility-window", "5"])
        #expect(diverged.status == 2, "\(diverged.standardError)")
        #expect(
            diverged.standardError.contains("predictions.csv")
                && diverged.standardError.contains("line \(validation + 1) has a value that is not finite"),
            "\(diverged.standardError)"
        )
        #expect(try Data(contentsOf: file) == before)
    }

    @Test(
        "classifiers: select ranks by validation balanced accuracy; predict --selection answers each window's class as its run's predict"
    )
    func classifiersSelectThenPredict() throws {
        let (root, csv, out) = try Self.comparison(["--objective", "classification"])

        let select = try QlstmBinary.run(["select", out.path, "--volatility-window", "5"])
        try #require(select.status == 0, "\(select.standardError)")
        #expect(select.standardOutput.contains("validation balanced accuracy"), "\(select.standardOutput)")
        let file = out.appendingPathComponent("selection.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let candidates = try #require(json["candidates"] as? [[String: Any]])
        #expect(candidates.allSatisfy { $0["meanValidationMSE"] == nil && $0["validationCrossEntropy"] is [Double] })
        // The winner has the highest mean validation balanced accuracy, ties by the lower cross-entropy.
        func rank(_ c: [String: Any]) -> (Double, Double) {
            (
                -(c["meanValidationBalancedAccuracy"] as? Double ?? -1),
                c["meanValidationCrossEntropy"] as? Double ?? .infinity
            )
        }
        #expect(json["overall"] as? String == candidates.min { rank($0) < rank($1) }?["model"] as? String)
        let regimes = try #require(json["byRegime"] as? [[String: Any]])
        #expect(regimes.count == 2 && regimes.allSatisfy { $0["meanValidationBalancedAccuracy"] != nil })

        let forecasts = root.appendingPathComponent("classes.csv")
        let predict = try QlstmBinary.run([
            "predict", "--selection", file.path, "--csv", csv.path, "--out", forecasts.path,
        ])
        try #require(predict.status == 0, "\(predict.standardError)")
        let lines = try String(contentsOf: forecasts, encoding: .utf8).split(separator: "\n")
        #expect(
            lines.first
                == "input_end_time,target_time,predicted_class,probability_0,probability_1,truth_class,model,regime"
        )
        #expect(lines.count == 1 + 90 - 3 + 1)
        // Each window answered by its regime's run (the overall run before a full volatility
        // window), with that run's own predict cells, text for text.
        let runOf = Dictionary(
            uniqueKeysWithValues: regimes.map { ($0["name"] as? String ?? "", $0["run"] as? String ?? "") }
        )
        var cellsOf: [String: [String: String]] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let run = try #require(fields[7] == "none" ? json["overallRun"] as? String : runOf[fields[7]])
            if cellsOf[run] == nil {
                let own = try QlstmBinary.run([
                    "predict", "--model", out.appendingPathComponent(run).path, "--csv", csv.path,
                ])
                try #require(own.status == 0, "\(own.standardError)")
                cellsOf[run] = Dictionary(
                    uniqueKeysWithValues: own.standardOutput.split(separator: "\n").dropFirst().map {
                        let cells = $0.split(separator: ",", omittingEmptySubsequences: false)
                        return (String(cells[0]), cells[2...5].joined(separator: ","))
                    }
                )
            }
            #expect(cellsOf[run]?[fields[0]] == fields[2...5].joined(separator: ","), "\(line)")
            #expect(["0", "1"].contains(fields[2]))
        }

        // A regressor among the classifiers: refused in one line.
        let regressor = try QlstmBinary.run(
            ["train"] + Self.data(csv) + [
                "--model", "lstm", "--epochs", "1", "--quiet", "--out",
                out.appendingPathComponent("runs/zz-regressor").path,
            ]
        )
        try #require(regressor.status == 0, "\(regressor.standardError)")
        let mixed = try QlstmBinary.run(["select", out.path])
        #expect(
            mixed.status == 2 && mixed.standardError.contains("but runs/zz-regressor forecasts values"),
            "\(mixed.standardError)"
        )
        #expect(mixed.standardError.split(separator: "\n").count == 1, "\(mixed.standardError)")
    }
}
