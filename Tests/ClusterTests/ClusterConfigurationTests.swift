import Cluster
import Foundation
import Testing

@Suite("cluster.json")
struct ClusterConfigurationTests {
    func parse(_ text: String) throws -> ClusterConfiguration {
        try ClusterConfiguration(json: Data(text.utf8), path: "test.json")
    }

    @Test("the committed example parses: three loopback workers")
    func committedExample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let configuration = try ClusterConfiguration(contentsOf: root.appendingPathComponent("cluster.json"))
        #expect(configuration.workers.map(\.name) == ["qpu-a", "qpu-b", "qpu-c"])
        #expect(configuration.workers.map(\.endpoint.port) == [7301, 7302, 7303])
    }

    @Test("timeouts and the secret file are read")
    func timeouts() throws {
        let configuration = try parse(
            #"{"workers": [{"address": "10.0.0.1:7000"}], "secret_file": "/etc/qlstm/secret", "timeouts": {"heartbeat_seconds": 0.5, "give_up_seconds": 3}}"#
        )
        #expect(configuration.workers[0].name == "10.0.0.1:7000")
        #expect(configuration.heartbeatInterval == .milliseconds(500) && configuration.giveUpAfter == .seconds(3))
        #expect(configuration.secretFile == "/etc/qlstm/secret")
    }

    @Test(
        "mistakes are errors naming the key and the fix",
        arguments: [
            (
                #"{"workers": [{"address": "a:1"}], "timeouts": {"heartbeat_secnds": 1}}"#,
                "did you mean \"heartbeat_seconds\""
            ),
            (#"{"worker": [{"address": "a:1"}]}"#, "did you mean \"workers\""),
            (#"{"workers": []}"#, "non-empty \"workers\""),
            (#"{"workers": [{"address": "nowhere"}]}"#, "workers[0].address"),
            (#"{"workers": [{"address": "a:1"}, {"address": "a:1"}]}"#, "names must be unique"),
            (#"{"workers": [{"name": "x", "address": "a:1"}, {"name": "y", "address": "a:1"}]}"#, "listed twice"),
            (#"{"workers": [{"address": "a:1"}], "timeouts": {"request_seconds": -1}}"#, "timeouts.request_seconds"),
            (#"{"version": 2, "workers": [{"address": "a:1"}]}"#, "\"version\" must be 1"),
            ("not json", "not valid JSON"),
        ]
    )
    func mistakes(_ text: String, _ message: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".contains("test.json"))
        }
    }
}
