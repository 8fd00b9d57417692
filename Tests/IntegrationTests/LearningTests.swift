import Foundation
import Testing

/// A QLSTM learns, and the tests never judge a binary older than the sources.
@Suite("learning and the binary under test", .serialized, .timeLimit(.minutes(5)))
struct LearningTests {
    /// The paper's distributed shape (2 x 3 qubits), 2 layers, 15 epochs: about 2 s.
    let model = ["train", "--task", "pendulum", "--n-qubits", "3", "--partitions", "2", "--depth", "2", "--quiet"]

    static func testLosses(_ run: URL) throws -> [Double] {
        try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { line in
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return try #require(object?["test_loss"] as? Double)
            }
    }

    @Test("training divides the test loss of the untrained model (the same seed's weights) by at least 10")
    func learns() throws {
        let root = try QlstmBinary.temporaryDirectory()
        // A rate of 1e-12 leaves the initial weights as they are: the untrained model's loss.
        let untrained = root.appendingPathComponent("untrained")
        #expect(try QlstmBinary.run(model + ["--epochs", "1", "--lr", "1e-12", "--out", untrained.path]).status == 0)
        let trained = root.appendingPathComponent("trained")
        #expect(try QlstmBinary.run(model + ["--epochs", "15", "--out", trained.path]).status == 0)
        let before = try #require(try Self.testLosses(untrained).first)
        let after = try #require(try Self.testLosses(trained).last)
        // Measured: 0.0463 -> 0.00285, a factor of 16.
        #expect(after * 10 <= before, "test loss \(before) -> \(after)")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: trained.appendingPathComponent("summary.json")))
                as? [String: Any]
        )
        #expect(try #require(summary["r2_test"] as? Double) > 0.9)
    }

    @Test("a binary older than a source file is found, a newer one is not")
    func staleBinary() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let sources = root.appendingPathComponent("Sources/Module")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        let source = sources.appendingPathComponent("File.swift")
        let binary = root.appendingPathComponent("qlstm")
        for url in [root.appendingPathComponent("Package.swift"), source, binary] {
            try Data().write(to: url)
        }
        let now = Date()
        func touch(_ url: URL, _ date: Date) throws {
            try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: url.path)
        }
        try touch(root.appendingPathComponent("Package.swift"), now.addingTimeInterval(-100))
        try touch(source, now.addingTimeInterval(-50))
        try touch(binary, now)
        #expect(QlstmBinary.newerSource(than: binary, under: root) == nil)
        try touch(binary, now.addingTimeInterval(-60))
        #expect(QlstmBinary.newerSource(than: binary, under: root)?.lastPathComponent == "File.swift")
        // And the binary these tests use is not stale.
        try QlstmBinary.checkBinary()
    }
}
