import Foundation
import Testing

/// A `qlstm worker` process on 127.0.0.1 started by a test.
final class WorkerHandle: @unchecked Sendable {
    let process = Process()
    let port: Int

    /// Starts a worker (on `port`, or an ephemeral one) with further `arguments` and waits for
    /// its "listening on" line.
    init(port: Int = 0, slots: Int = 1, arguments: [String] = [], log: FileHandle = .nullDevice) throws {
        try QlstmBinary.checkBinary()
        process.executableURL = QlstmBinary.url
        process.arguments = ["worker", "--listen", "127.0.0.1:\(port)", "--slots", "\(slots)"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = log
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let last = text.split(separator: "\n").first?.split(separator: ":").last, let bound = Int(last) else {
            throw WorkerDidNotStart(output: text)
        }
        self.port = bound
    }

    func kill(signal: Int32 = SIGKILL) {
        if process.isRunning { Foundation.kill(process.processIdentifier, signal) }
        process.waitUntilExit()
    }

    struct WorkerDidNotStart: Error { let output: String }
}

/// Writes a cluster file for these ports with short heartbeats and the given give-up bound,
/// declaring each worker's profile when `profiles` are given.
func clusterFile(ports: [Int], in directory: URL, giveUp: Double = 10, profiles: [String]? = nil) throws -> URL {
    let workers = ports.enumerated().map { index, port in
        let profile = profiles.map { #", "profile": "\#($0[index])""# } ?? ""
        return #"{"name": "w\#(index)", "address": "127.0.0.1:\#(port)"\#(profile)}"#
    }
    let text = """
        {"version": 1, "workers": [\(workers.joined(separator: ", "))],
         "timeouts": {"heartbeat_seconds": 0.2, "give_up_seconds": \(giveUp), "request_seconds": 60,
                      "backoff_initial_seconds": 0.05, "backoff_max_seconds": 0.5}}
        """
    let url = directory.appendingPathComponent("cluster-\(ports.map(String.init).joined(separator: "-")).json")
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url
}

/// Starts `qlstm train` and returns once `metrics.jsonl` has `epochs` lines.
func startTraining(_ arguments: [String], out: URL, waitForEpochs epochs: Int) throws -> Process {
    try QlstmBinary.checkBinary()
    let process = Process()
    process.executableURL = QlstmBinary.url
    process.arguments = arguments + ["--out", out.path, "--quiet"]
    process.standardError = FileHandle.nullDevice
    try process.run()
    try waitForEpochs(epochs, in: out, while: process)
    return process
}

func waitForEpochs(_ epochs: Int, in out: URL, while process: Process) throws {
    let metrics = out.appendingPathComponent("metrics.jsonl")
    while process.isRunning {
        let lines = ((try? String(contentsOf: metrics, encoding: .utf8)) ?? "").split(separator: "\n").count
        if lines >= epochs { return }
        usleep(5_000)
    }
}

@Suite("Training on a cluster of worker processes", .serialized, .timeLimit(.minutes(5)))
struct ClusterRunTests {
    /// The paper's distributed QLSTM (2 x 3 qubits), shortened.
    let distributed = ["train", "--task", "pendulum", "--n-qubits", "3", "--partitions", "2", "--depth", "3"]

    @Test("through 1 and 3 workers the weights are bit-identical to the in-process run")
    func sameWeightsWhateverTheWorkers() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let reference = root.appendingPathComponent("in-process")
        #expect(try QlstmBinary.run(distributed + ["--epochs", "3", "--out", reference.path, "--quiet"]).status == 0)
        for count in [1, 3] {
            let workers = try (0..<count).map { _ in try WorkerHandle() }
            defer { for worker in workers { worker.kill() } }
            let out = root.appendingPathComponent("workers-\(count)")
            let cluster = try clusterFile(ports: workers.map(\.port), in: root)
            let run = try QlstmBinary.run(
                distributed + ["--epochs", "3", "--cluster", cluster.path, "--out", out.path, "--quiet"]
            )
            #expect(run.status == 0, "\(run.standardError)")
            #expect(try Checkpoint.read(out) == Checkpoint.read(reference), "\(count) workers")
            let summary =
                try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                as? [String: Any]
            let accounting = summary?["qpu_accounting"] as? [String: Any]
            #expect((accounting?["workers"] as? [Any])?.count == count)
            // One frame per worker per time step: never two to one worker for one evaluate call.
            #expect(accounting?["max_round_trips_per_worker_per_call"] as? Int == 1)
        }
    }

    @Test("SIGKILL one of 3 workers half-way: the run completes with the same weights")
    func workerKilled() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let reference = root.appendingPathComponent("reference")
        #expect(try QlstmBinary.run(distributed + ["--epochs", "20", "--out", reference.path, "--quiet"]).status == 0)
        let workers = try (0..<3).map { _ in try WorkerHandle() }
        defer { for worker in workers { worker.kill() } }
        let out = root.appendingPathComponent("killed")
        let cluster = try clusterFile(ports: workers.map(\.port), in: root)
        let training = try startTraining(
            distributed + ["--epochs", "20", "--cluster", cluster.path],
            out: out,
            waitForEpochs: 3
        )
        #expect(training.isRunning, "the run ended before a worker could be killed")
        workers[1].kill()
        training.waitUntilExit()
        #expect(training.terminationStatus == 0)
        #expect(try Checkpoint.read(out) == Checkpoint.read(reference))
        let summary =
            try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
            as? [String: Any]
        let accounting = summary?["qpu_accounting"] as? [String: Any]
        // The killed worker did part of the work, the others the rest.
        let requests = (accounting?["workers"] as? [[String: Any]])?.compactMap { $0["requests"] as? Int } ?? []
        #expect(requests.count == 3 && requests[1] > 0 && requests[1] < requests[0])
    }

    @Test("a worker restarted mid-run takes work again")
    func workerRestarted() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let reference = root.appendingPathComponent("reference")
        #expect(try QlstmBinary.run(distributed + ["--epochs", "20", "--out", reference.path, "--quiet"]).status == 0)
        let first = try WorkerHandle()
        var second = try WorkerHandle()
        defer {
            first.kill()
            second.kill()
        }
        let out = root.appendingPathComponent("restarted")
        let cluster = try clusterFile(ports: [first.port, second.port], in: root)
        let training = try startTraining(
            distributed + ["--epochs", "20", "--cluster", cluster.path],
            out: out,
            waitForEpochs: 2
        )
        #expect(training.isRunning, "the run ended before a worker could be killed")
        second.kill()
        second = try WorkerHandle(port: second.port)
        try waitForEpochs(5, in: out, while: training)
        #expect(training.isRunning, "the run ended before the other worker could be killed")
        // Only the restarted worker is left: the run can finish only if it takes work again.
        first.kill()
        training.waitUntilExit()
        #expect(training.terminationStatus == 0)
        #expect(try Checkpoint.read(out) == Checkpoint.read(reference))
        let summary =
            try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
            as? [String: Any]
        let workers = (summary?["qpu_accounting"] as? [String: Any])?["workers"] as? [[String: Any]]
        #expect((workers?[1]["reconnects"] as? Int ?? 0) >= 1)
    }

    @Test("every worker killed: a clear error within the bound, the checkpoint intact, --resume finishes identically")
    func allWorkersKilled() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let reference = root.appendingPathComponent("reference")
        #expect(try QlstmBinary.run(distributed + ["--epochs", "20", "--out", reference.path, "--quiet"]).status == 0)
        let workers = try (0..<2).map { _ in try WorkerHandle() }
        let out = root.appendingPathComponent("stranded")
        let cluster = try clusterFile(ports: workers.map(\.port), in: root, giveUp: 2)
        let process = Process()
        process.executableURL = QlstmBinary.url
        process.arguments = distributed + ["--epochs", "20", "--cluster", cluster.path, "--out", out.path, "--quiet"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        try waitForEpochs(3, in: out, while: process)
        #expect(process.isRunning, "the run ended before the workers could be killed")
        let killedAt = Date()
        for worker in workers { worker.kill() }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(Date().timeIntervalSince(killedAt) < 10, "gave up after \(Date().timeIntervalSince(killedAt)) s")
        #expect(message.contains("w0") && message.contains("w1") && message.contains("model.json"), "\(message)")
        #expect(message.contains("--resume"), "\(message)")
        let stranded = try Checkpoint.read(out)
        #expect(stranded.checkpoint.completedEpochs >= 3 && stranded.checkpoint.completedEpochs < 20)

        let resumed = try QlstmBinary.run(["train", "--resume", "--out", out.path, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(try Checkpoint.read(out) == Checkpoint.read(reference))
    }

    @Test("cluster status shows each worker, and says which are unreachable")
    func status() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let workers = try (0..<2).map { _ in try WorkerHandle(slots: 2) }
        defer { for worker in workers { worker.kill() } }
        // A port nothing listens on: bind one, then let the worker go.
        let gone = try WorkerHandle()
        gone.kill()
        let cluster = try clusterFile(ports: workers.map(\.port) + [gone.port], in: root)
        let outcome = try QlstmBinary.run(["cluster", "status", "--cluster", cluster.path, "--json"])
        #expect(outcome.status == 1)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any]
        )
        let statuses = try #require(object["workers"] as? [[String: Any]])
        #expect(statuses.map { $0["reachable"] as? Bool } == [true, true, false])
        #expect(statuses[0]["slots"] as? Int == 2 && statuses[0]["qubit_capacity"] as? Int == 25)
        #expect((statuses[0]["round_trip_ms"] as? Double ?? -1) >= 0)
        #expect((statuses[2]["error"] as? String ?? "").contains("\(gone.port)"))
    }
}
