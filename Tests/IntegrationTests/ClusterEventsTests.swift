import Foundation
import Testing

/// Cluster trouble is said, not only survived: a lost worker, a worker back, no worker at all.
@Suite("cluster events on the terminal and in summary.json", .serialized, .timeLimit(.minutes(5)))
struct ClusterEventsTests {
    let distributed = ["train", "--task", "pendulum", "--n-qubits", "3", "--partitions", "2", "--depth", "3"]

    @Test("a worker killed and restarted: 'lost' and 'is back' notes, connections_lost and reconnects counted")
    func lostAndBack() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let first = try WorkerHandle()
        var second = try WorkerHandle()
        defer {
            first.kill()
            second.kill()
        }
        let out = root.appendingPathComponent("run")
        let cluster = try clusterFile(ports: [first.port, second.port], in: root)
        let process = Process()
        process.executableURL = QlstmBinary.url
        process.arguments = distributed + ["--epochs", "20", "--cluster", cluster.path, "--out", out.path, "--quiet"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        try waitForEpochs(2, in: out, while: process)
        #expect(process.isRunning, "the run ended before a worker could be killed")
        second.kill()
        // Give the coordinator time to notice before the worker comes back on the same port.
        usleep(600_000)
        second = try WorkerHandle(port: second.port)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(message)")
        #expect(message.contains("worker w1 lost"), "\(message)")
        #expect(message.contains("worker w1 is back"), "\(message)")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                as? [String: Any]
        )
        let workers = try #require((summary["qpu_accounting"] as? [String: Any])?["workers"] as? [[String: Any]])
        #expect(workers[1]["connections_lost"] as? Int == 1, "\(workers[1])")
        #expect((workers[1]["reconnects"] as? Int ?? 0) >= 1, "\(workers[1])")
        #expect(workers[0]["connections_lost"] as? Int == 0)
    }

    @Test("no worker up: the wait is announced with its bound, then a clear error")
    func noWorker() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let gone = try WorkerHandle()
        gone.kill()
        let cluster = try clusterFile(ports: [gone.port], in: root, giveUp: 3)
        let outcome = try QlstmBinary.run(
            distributed + [
                "--epochs", "1", "--cluster", cluster.path, "--quiet", "--out", root.appendingPathComponent("r").path,
            ]
        )
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("waiting for workers: 0 of 1 ready"), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("giving up in"), "\(outcome.standardError)")
    }
}
