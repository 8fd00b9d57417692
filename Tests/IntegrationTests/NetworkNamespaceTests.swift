import Foundation
import Testing

/// `deploy/netns-cluster.sh`: workers and coordinator in their own network namespaces, talking
/// over veth links and a bridge rather than loopback. Needs root and iproute2; the suite is
/// skipped (and says so) where namespaces cannot be made.
@Suite("A multi-host cluster in network namespaces", .serialized, .timeLimit(.minutes(3)))
struct NetworkNamespaceTests {
    static var namespacesAvailable: Bool {
        guard geteuid() == 0 else { return false }
        let name = "qlstm-test-\(getpid())"
        return shell(["ip", "netns", "add", name]) == 0 && shell(["ip", "netns", "del", name]) == 0
    }

    @Test(
        "deploy/netns-cluster.sh trains through 3 namespaced workers, one SIGKILLed, to the in-process weights",
        .enabled(if: namespacesAvailable, "needs root and 'ip netns'")
    )
    func namespacedCluster() throws {
        let root = try QlstmBinary.temporaryDirectory()
        let out = root.appendingPathComponent("namespaced")
        // About 2 s of training here, so the kill at 0.8 s lands mid-run.
        let options = ["--n-qubits", "3", "--partitions", "2", "--epochs", "30"]
        let script = QlstmBinary.packageRoot.appendingPathComponent("deploy/netns-cluster.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path, "--workers", "3", "--kill-one", "0.8", "--out", out.path, "--"] + options
        process.environment = ProcessInfo.processInfo.environment.merging(["QLSTM": QlstmBinary.url.path]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("host-3 10.77.0.13:7301: reachable"), "\(text)")
        let killed = try #require(text.range(of: "SIGKILLed worker host-1"), "\(text)")
        let finished = try #require(text.range(of: "30 epochs, test R^2"), "\(text)")
        #expect(killed.lowerBound < finished.lowerBound, "the kill came after training: \(text)")

        let reference = root.appendingPathComponent("in-process")
        #expect(try QlstmBinary.run(["train"] + options + ["--out", reference.path]).status == 0)
        #expect(try Checkpoint.read(out) == Checkpoint.read(reference))
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                as? [String: Any]
        )
        let accounting = try #require(summary["qpu_accounting"] as? [String: Any])
        let addresses = (accounting["workers"] as? [[String: Any]] ?? []).compactMap { $0["address"] as? String }
        #expect(addresses == ["10.77.0.11:7301", "10.77.0.12:7301", "10.77.0.13:7301"])
        // No namespace of the run is left behind.
        #expect(!Self.namespaces().contains { $0.hasPrefix("q") && $0.contains("-w") })
    }

    private static func namespaces() -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "list"]
        let output = Pipe()
        process.standardOutput = output
        guard (try? process.run()) != nil else { return [] }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").map { String($0.split(separator: " ").first ?? "") }
    }
}

/// Runs a command quietly; its exit status, or -1 when it cannot be started.
private func shell(_ arguments: [String]) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}
