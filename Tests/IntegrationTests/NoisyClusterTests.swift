import Foundation
import Testing

/// Emulated noisy QPUs: the same seed and mapping give the same bits, in process or through
/// workers, whatever the timing or the failures; a plan or a loss that cannot be served stops
/// with a clear line.
@Suite("Noisy QPUs on a cluster", .serialized, .timeLimit(.minutes(5)))
struct NoisyClusterTests {
    /// The paper's distributed QLSTM (2 x 3 qubits), shortened, on finite shots.
    let distributed = [
        "train", "--task", "pendulum", "--n-qubits", "3", "--partitions", "2", "--depth", "2", "--shots", "64",
    ]

    static func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    @Test("in process and through 2 local workers of one profile: bit-identical noisy weights")
    func inProcessEqualsWorkers() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let inProcess = root.appendingPathComponent("in-process")
        let workers = root.appendingPathComponent("workers")
        let profile = ["--profile", "trapped-ion-aria", "--epochs", "2", "--quiet"]
        let a = try QlstmBinary.run(distributed + profile + ["--out", inProcess.path])
        #expect(a.status == 0, "\(a.standardError)")
        let b = try QlstmBinary.run(distributed + profile + ["--local-workers", "2", "--out", workers.path])
        #expect(b.status == 0, "\(b.standardError)")
        #expect(try Checkpoint.read(inProcess) == Checkpoint.read(workers))
        #expect(
            try Self.text(inProcess.appendingPathComponent("predictions.csv"))
                == Self.text(workers.appendingPathComponent("predictions.csv"))
        )
        // Noise changed the result: the ideal run differs.
        let ideal = root.appendingPathComponent("ideal")
        #expect(try QlstmBinary.run(distributed + ["--epochs", "2", "--quiet", "--out", ideal.path]).status == 0)
        #expect(try Checkpoint.read(ideal) != Checkpoint.read(inProcess))
    }

    @Test(
        "two workers with different built-in profiles: pinned, recorded, and a second run gives identical predictions"
    )
    func mixedProfiles() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let profiles = ["trapped-ion-aria", "superconducting-heron"]
        let workers = try profiles.map { try WorkerHandle(arguments: ["--profile", $0]) }
        defer { for worker in workers { worker.kill() } }
        let cluster = try clusterFile(ports: workers.map(\.port), in: root, profiles: profiles)
        var predictions: [String] = []
        for attempt in 0..<2 {
            let out = root.appendingPathComponent("run\(attempt)")
            let run = try QlstmBinary.run(
                distributed + ["--epochs", "1", "--cluster", cluster.path, "--out", out.path]
            )
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.standardError.contains("pinned placement: forget/0 -> w0 (trapped-ion-aria)"))
            predictions.append(try Self.text(out.appendingPathComponent("predictions.csv")))
            let manifest = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("manifest.json")))
                    as? [String: Any]
            )
            #expect((manifest["placement"] as? [String])?.contains("forget/1 -> w1 (superconducting-heron)") == true)
            let summary = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                    as? [String: Any]
            )
            let accounting = try #require(summary["qpu_accounting"] as? [String: Any])
            let entries = try #require(accounting["workers"] as? [[String: Any]])
            #expect(entries.map { $0["profile"] as? String } == profiles)
            #expect(entries.allSatisfy { ($0["modelled_qpu_seconds"] as? Double ?? 0) > 0 })
        }
        #expect(predictions[0] == predictions[1])
    }

    @Test("a pinned QPU killed: a stand-in of its profile takes over bit-identically; with none, a clear stop")
    func failover() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let reference = root.appendingPathComponent("reference")
        let arguments = distributed + ["--profile", "trapped-ion-aria", "--epochs", "6"]
        #expect(try QlstmBinary.run(arguments + ["--quiet", "--out", reference.path]).status == 0)

        // Three QPUs of one profile: killing one hands its sub-VQCs to another, same bits.
        let same = try (0..<3).map { _ in try WorkerHandle(arguments: ["--profile", "trapped-ion-aria"]) }
        defer { for worker in same { worker.kill() } }
        let out = root.appendingPathComponent("failover")
        let cluster = try clusterFile(ports: same.map(\.port), in: root)
        let training = try startTraining(arguments + ["--cluster", cluster.path], out: out, waitForEpochs: 2)
        #expect(training.isRunning, "the run ended before a worker could be killed")
        same[0].kill()
        training.waitUntilExit()
        #expect(training.terminationStatus == 0)
        #expect(try Checkpoint.read(out) == Checkpoint.read(reference))

        // Two QPUs of different profiles: the lost one has no stand-in.
        let mixed = try ["trapped-ion-aria", "superconducting-heron"].map {
            try WorkerHandle(arguments: ["--profile", $0])
        }
        defer { for worker in mixed { worker.kill() } }
        let stranded = root.appendingPathComponent("stranded")
        let mixedCluster = try clusterFile(ports: mixed.map(\.port), in: root, giveUp: 1)
        let process = Process()
        process.executableURL = QlstmBinary.url
        process.arguments =
            distributed + ["--epochs", "6", "--cluster", mixedCluster.path, "--out", stranded.path, "--quiet"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        try waitForEpochs(1, in: stranded, while: process)
        #expect(process.isRunning, "the run ended before a worker could be killed")
        mixed[1].kill()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(message.contains("QPU w1 (profile superconducting-heron) was lost"), "\(message)")
        #expect(message.contains("model.json") && message.contains("--resume"), "\(message)")
    }

    @Test("a plan wider than every QPU, and the adjoint method with noise: one line, exit 2, nothing written")
    func refusedBeforeTraining() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let narrow = root.appendingPathComponent("narrow.json")
        var profile = try #require(
            try JSONSerialization.jsonObject(
                with: Data(QlstmBinary.run(["profiles", "--json", "--show", "trapped-ion-aria"]).standardOutput.utf8)
            ) as? [[String: Any]]
        )[0]
        profile["name"] = "two-qubit-module"
        profile["qubits"] = 2
        try JSONSerialization.data(withJSONObject: profile).write(to: narrow)
        let out = root.appendingPathComponent("out")
        let cases: [([String], String)] = [
            (distributed + ["--profile", narrow.path, "--out", out.path], "holds 2"),
            (
                distributed + ["--profile", "trapped-ion-aria", "--diff-method", "adjoint", "--out", out.path],
                "needs a pure state"
            ),
            (distributed + ["--profile", "trapped-ion", "--out", out.path], "trapped-ion-aria"),
        ]
        for (arguments, message) in cases {
            let outcome = try QlstmBinary.run(arguments)
            #expect(outcome.status == 2, "\(arguments): \(outcome.standardError)")
            #expect(outcome.standardError.contains(message), "\(outcome.standardError)")
            #expect(outcome.standardError.split(separator: "\n").count == 1, "\(outcome.standardError)")
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))

        // On a cluster, no QPU wide enough: refused before training, naming the widest.
        let worker = try WorkerHandle(arguments: ["--profile", narrow.path])
        defer { worker.kill() }
        let cluster = try clusterFile(ports: [worker.port], in: root)
        let outcome = try QlstmBinary.run(distributed + ["--cluster", cluster.path, "--out", out.path, "--quiet"])
        #expect(outcome.status == 2, "\(outcome.standardError)")
        #expect(outcome.standardError.contains("widest QPU, w0, holds 2"), "\(outcome.standardError)")
    }
}
