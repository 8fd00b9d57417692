import Foundation
import Testing

/// A worker whose replies are impossible (short, NaN, out of range, overflowing counters,
/// mis-shaped Jacobians) never crashes the coordinator nor changes the model: it is
/// quarantined, its work goes to the honest worker, and the weights equal the in-process run.
@Suite("A malicious worker", .serialized, .timeLimit(.minutes(5)))
struct MaliciousWorkerTests {
    let distributed = ["train", "--task", "pendulum", "--n-qubits", "3", "--partitions", "2", "--depth", "2"]

    @Test("quarantined for the run, counted, and the run bit-identical", arguments: TamperingRelay.Tampering.impossible)
    func quarantined(_ tampering: TamperingRelay.Tampering) throws {
        let root = try QlstmBinary.temporaryDirectory()
        let reference = root.appendingPathComponent("reference")
        #expect(try QlstmBinary.run(distributed + ["--epochs", "2", "--out", reference.path, "--quiet"]).status == 0)
        let honest = try WorkerHandle()
        let liar = try WorkerHandle()
        defer {
            honest.kill()
            liar.kill()
        }
        let relay = try TamperingRelay(forwardingTo: liar.port, tampering: tampering)
        defer { relay.close() }
        let cluster = try clusterFile(ports: [Int(relay.port), honest.port], in: root)
        let out = root.appendingPathComponent("run")
        let run = try QlstmBinary.run(distributed + ["--epochs", "2", "--cluster", cluster.path, "--out", out.path])
        #expect(run.status == 0, "\(tampering): \(run.standardError)")
        #expect(relay.tamperedResults > 0)
        #expect(run.standardError.contains("worker w0 quarantined for this run"), "\(run.standardError)")
        #expect(try Checkpoint.read(out) == Checkpoint.read(reference), "\(tampering)")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                as? [String: Any]
        )
        let accounting = try #require(summary["qpu_accounting"] as? [String: Any])
        #expect(accounting["quarantined_workers"] as? Int == 1)
        let workers = try #require(accounting["workers"] as? [[String: Any]])
        #expect((workers[0]["quarantined"] as? String)?.contains("impossible") == true)
        #expect(workers[1]["quarantined"] is NSNull)
    }
}
