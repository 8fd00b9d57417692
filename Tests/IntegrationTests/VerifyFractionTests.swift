import Foundation
import Testing

/// `--verify-fraction`: a worker that lies plausibly (every reply passes the coordinator's
/// checks) is caught only by evaluating items twice; with the flag it is quarantined and the
/// weights equal the in-process run's, without it the lie goes into the model unnoticed.
@Suite("Verifying a fraction of items", .serialized, .timeLimit(.minutes(5)))
struct VerifyFractionTests {
    let distributed = ["train", "--task", "pendulum", "--n-qubits", "3", "--partitions", "2", "--depth", "2"]

    /// qpu_accounting of a finished run.
    func accounting(_ out: URL) throws -> [String: Any] {
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                as? [String: Any]
        )
        return try #require(summary["qpu_accounting"] as? [String: Any])
    }

    @Test("a plausible liar: quarantined with --verify-fraction 0.2, unnoticed without")
    func plausibleLiar() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let reference = root.appendingPathComponent("reference")
        #expect(try QlstmBinary.run(distributed + ["--epochs", "2", "--out", reference.path, "--quiet"]).status == 0)
        let honest = try WorkerHandle()
        let liar = try WorkerHandle()
        defer {
            honest.kill()
            liar.kill()
        }
        let relay = try TamperingRelay(forwardingTo: liar.port, tampering: .plausible)
        defer { relay.close() }
        let cluster = try clusterFile(ports: [Int(relay.port), honest.port], in: root)

        let verified = root.appendingPathComponent("verified")
        let run = try QlstmBinary.run(
            distributed + [
                "--epochs", "2", "--cluster", cluster.path, "--verify-fraction", "0.2", "--out", verified.path,
            ]
        )
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.contains("worker w0 quarantined for this run"), "\(run.standardError)")
        #expect(try Checkpoint.read(verified) == Checkpoint.read(reference))
        let checked = try accounting(verified)
        #expect(checked["quarantined_workers"] as? Int == 1)
        #expect((checked["verified_items"] as? Int ?? 0) > 0)
        let workers = try #require(checked["workers"] as? [[String: Any]])
        #expect((workers[0]["quarantined"] as? String)?.contains("own simulation") == true, "\(workers[0])")
        #expect(workers[1]["quarantined"] is NSNull)

        let trusting = root.appendingPathComponent("trusting")
        let tampered = relay.tamperedResults
        let unchecked = try QlstmBinary.run(
            distributed + ["--epochs", "2", "--cluster", cluster.path, "--out", trusting.path, "--quiet"]
        )
        #expect(unchecked.status == 0, "\(unchecked.standardError)")
        #expect(relay.tamperedResults > tampered)
        #expect(!unchecked.standardError.contains("quarantined"))
        #expect(try accounting(trusting)["quarantined_workers"] as? Int == 0)
        #expect(try Checkpoint.read(trusting) != Checkpoint.read(reference))
    }

    @Test("one honest worker is checked in process; the run is the in-process run")
    func singleWorker() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let reference = root.appendingPathComponent("reference")
        #expect(try QlstmBinary.run(distributed + ["--epochs", "1", "--out", reference.path, "--quiet"]).status == 0)
        let out = root.appendingPathComponent("run")
        let run = try QlstmBinary.run(
            distributed + [
                "--epochs", "1", "--local-workers", "1", "--verify-fraction", "0.5", "--out", out.path, "--quiet",
            ]
        )
        #expect(run.status == 0, "\(run.standardError)")
        #expect(try Checkpoint.read(out) == Checkpoint.read(reference))
        let checked = try accounting(out)
        let items = checked["verified_items"] as? Int ?? 0
        #expect(items > 0)
        #expect(checked["verified_in_process"] as? Int == items)
        #expect(checked["quarantined_workers"] as? Int == 0)
    }

    @Test("refused, in one line, where a difference would prove nothing")
    func refused() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let out = root.appendingPathComponent("run").path
        let cases: [([String], String)] = [
            (["--verify-fraction", "0.2"], "give it with --cluster FILE or --local-workers N"),
            (["--local-workers", "1", "--verify-fraction", "0.2", "--shots", "100"], "give --shots exact"),
            (
                [
                    "--local-workers", "1", "--verify-fraction", "0.2", "--profile", "superconducting-heron", "--shots",
                    "exact",
                ], "is noisy"
            ),
            (["--local-workers", "1", "--verify-fraction", "1.5"], "--verify-fraction"),
        ]
        for (arguments, message) in cases {
            let outcome = try QlstmBinary.run(distributed + ["--epochs", "1", "--out", out] + arguments)
            #expect(outcome.status == 2, "\(arguments): status \(outcome.status) \(outcome.standardError)")
            #expect(outcome.standardError.contains(message), "\(arguments): \(outcome.standardError)")
            #expect(outcome.standardError.split(separator: "\n").count == 1, "\(arguments): \(outcome.standardError)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
