import Cluster
import Foundation
import Testing

@Suite("cluster.json: tls")
struct ClusterConfigurationTLSTests {
    @Test("a worker's tls replaces the cluster's whole; relative paths are relative to the cluster file")
    func overridesAndPaths() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("qlstm-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("cluster.json")
        try #"""
        {"workers": [{"name": "a", "address": "10.0.0.1:7000"},
                     {"name": "b", "address": "10.0.0.2:7000", "tls": {"ca": "/etc/other-ca.pem"}}],
         "tls": {"ca": "tls/ca.pem", "cert": "tls/coordinator.pem", "key": "tls/coordinator.key"}}
        """#.write(to: url, atomically: true, encoding: .utf8)
        let configuration = try ClusterConfiguration(contentsOf: url)
        let base = directory.path
        #expect(
            configuration.tls(for: configuration.workers[0])
                == TLSConfiguration(
                    caFile: "\(base)/tls/ca.pem",
                    certificateFile: "\(base)/tls/coordinator.pem",
                    keyFile: "\(base)/tls/coordinator.key"
                )
        )
        #expect(configuration.tls(for: configuration.workers[1]) == TLSConfiguration(caFile: "/etc/other-ca.pem"))
    }

    @Test(
        "tls mistakes are errors naming the key and the fix",
        arguments: [
            (#"{"workers": [{"address": "a:1"}], "tls": {"cert": "c.pem"}}"#, "needs both \"cert\" and \"key\""),
            (#"{"workers": [{"address": "a:1"}], "tls": {"certificate": "c.pem"}}"#, "known keys: ca, cert, key"),
            (#"{"workers": [{"address": "a:1"}], "tls": "ca.pem"}"#, "\"tls\" must be an object"),
            (#"{"workers": [{"address": "a:1", "tls": {"ca": ""}}]}"#, "workers[0].tls.ca must be a file path"),
        ]
    )
    func mistakes(_ text: String, _ message: String) {
        do {
            _ = try ClusterConfiguration(json: Data(text.utf8), path: "test.json")
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test("a coordinator's TLS file that cannot be read is one line naming the key and the file")
    func unreadableFile() throws {
        let configuration = try ClusterConfiguration(
            json: Data(#"{"workers": [{"address": "a:1"}], "tls": {"ca": "/nonexistent/ca.pem"}}"#.utf8)
        )
        #expect {
            _ = try configuration.tlsContexts()
        } throws: { error in
            "\(error)".hasPrefix("tls.ca '/nonexistent/ca.pem': cannot open it") && !"\(error)".contains("\n")
        }
    }
}
