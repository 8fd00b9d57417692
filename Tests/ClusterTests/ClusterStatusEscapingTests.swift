import Cluster
import ClusterProtocol
import Foundation
import Testing

/// `qlstm cluster status` prints what workers say about themselves; a hostile "worker" must not
/// be able to forge lines or drive the operator's terminal with it.
@Suite("Cluster status shows peer text escaped", .timeLimit(.minutes(1)))
struct ClusterStatusEscapingTests {
    @Test("a hello with newlines, escape sequences and a long profile is shown escaped and cut")
    func hostileHello() async throws {
        let listener = try RawListener()
        defer { listener.close() }
        let fake = Task {
            let socket = try await listener.accept()
            defer { socket.close() }
            var generator = SystemRandomNumberGenerator()
            try await socket.send(
                .hello(
                    WorkerHello(
                        softwareVersion: "1.0\r\nqpu-b 10.0.0.2:7301: reachable",
                        workerName: "evil\u{1B}[2J",
                        qpuSlots: 1,
                        qubitCapacity: 5,
                        profile: String(repeating: "p", count: 300),
                        nonce: .random(using: &generator),
                        requiresAuthentication: false
                    )
                ),
                requestID: 0
            )
            var decoder = FrameDecoder()
            _ = try await socket.readFrame(decoder: &decoder)
            try await socket.send(.welcome(mac: []), requestID: 0)
            while case .ping(let nonce) = try await socket.readFrame(decoder: &decoder).message {
                try await socket.send(.pong(nonce: nonce), requestID: 0)
            }
        }
        defer { fake.cancel() }
        let directory = try QlstmTemporaryDirectory()
        defer { directory.remove() }
        let cluster = directory.url.appendingPathComponent("cluster.json")
        try Data(
            #"{ "version": 1, "workers": [ { "name": "fake", "address": "127.0.0.1:\#(listener.port)" } ] }"#.utf8
        ).write(to: cluster)
        // A generous timeout: the fake worker is a task that other suites may keep waiting.
        let status = try await WorkerProcess.run(["cluster", "status", "--cluster", cluster.path, "--timeout", "30"])
        #expect(status.status == 0, "\(status.standardError)")
        let lines = status.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).filter {
            !$0.isEmpty
        }
        #expect(lines.count == 1, "\(status.standardOutput)")
        #expect(status.standardOutput.contains("qlstm 1.0\\r\\nqpu-b 10.0.0.2:7301: reachable"))
        #expect(status.standardOutput.contains("profile " + String(repeating: "p", count: 200) + "…,"))
        #expect(!status.standardOutput.contains("\u{1B}") && !status.standardOutput.contains("\r"))
    }
}
