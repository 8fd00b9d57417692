import Foundation
import Testing

/// A comparison's report is built only from runs made with its own settings and data.
@Suite("run identity", .serialized, .timeLimit(.minutes(5)))
struct RunIdentityTests {
    let small = ["compare", "--seeds", "1", "--qubits", "3", "--distributed", "none", "--epochs", "1", "--quiet"]

    static func summary(_ run: URL) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("summary.json")))
                as? [String: Any]
        )
    }

    @Test("another task in the same --out is refused untouched; --force retrains it; the same command reuses")
    func anotherTaskNeverReusesRuns() throws {
        let out = try QlstmBinary.temporaryDirectory().appendingPathComponent("X")
        let run = out.appendingPathComponent("runs/centric-3q-seed0")
        let first = try QlstmBinary.run(small + ["--out", out.path])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(try Self.summary(run)["task"] as? String == "pendulum")
        let pendulumModel = try Data(contentsOf: run.appendingPathComponent("model.json"))

        let narma = try QlstmBinary.run(small + ["--task", "narma5", "--out", out.path])
        #expect(narma.status == 2, "\(narma.standardOutput)")
        #expect(narma.standardError.contains("data.task: pendulum -> narma5"), "\(narma.standardError)")
        #expect(narma.standardOutput.isEmpty, "no report from another task's runs")
        #expect(try Data(contentsOf: run.appendingPathComponent("model.json")) == pendulumModel)

        let forced = try QlstmBinary.run(small + ["--task", "narma5", "--force", "--out", out.path])
        #expect(forced.status == 0, "\(forced.standardError)")
        #expect(try Self.summary(run)["task"] as? String == "narma5")
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        let fingerprint = try #require(try Self.summary(run)["fingerprint"] as? String)
        #expect(report.contains("narma5") && report.contains(String(fingerprint.prefix(12))))

        let again = try QlstmBinary.run(small + ["--task", "narma5", "--out", out.path])
        #expect(again.status == 0, "\(again.standardError)")
        #expect(again.standardError.contains("reused 1 finished run"), "\(again.standardError)")
        #expect(again.standardOutput.contains("0 trained now, 1 reused"))
    }
}
