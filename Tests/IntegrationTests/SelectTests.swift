import Foundation
import Testing

/// `qlstm select` over a real comparison, then `predict --selection` following its choice.
@Suite("select and predict by regime", .serialized, .timeLimit(.minutes(5)))
struct SelectTests {
    @Test("select writes the choice with its evidence; predict --selection answers each window with its regime's model")
    func selectThenPredict() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let csv = root.appendingPathComponent("load.csv")
        try CompareOnDataTests.writeSeries(to: csv)
        let out = root.appendingPathComponent("comparison")
        let compare = try QlstmBinary.run([
            "compare", "--csv", csv.path, "--column", "load", "--time-column", "day", "--seq-len", "3",
            "--validation-fraction", "0.3", "--qubits", "2", "--distributed", "none", "--with-lstm",
            "--seeds", "2", "--epochs", "2", "--quiet", "--out", out.path,
        ])
        try #require(compare.status == 0, "\(compare.standardError)")

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
    }
}
