import Cluster
import Testing

@Suite("Endpoint parsing")
struct EndpointTests {
    @Test(
        "accepts IPv4, bracketed IPv6 and host names, and prints them back",
        arguments: [
            ("127.0.0.1:7000", "127.0.0.1", 7000 as UInt16),
            ("0.0.0.0:0", "0.0.0.0", 0),
            ("[::1]:7000", "::1", 7000),
            ("[fe80::1%eth0]:65535", "fe80::1%eth0", 65535),
            ("qpu-a.local:7001", "qpu-a.local", 7001),
            ("localhost:80", "localhost", 80),
            ("worker_3:1", "worker_3", 1),
        ]
    )
    func parses(text: String, host: String, port: UInt16) throws {
        let endpoint = try Endpoint(parsing: text)
        #expect(endpoint == Endpoint(host: host, port: port))
        #expect(endpoint.description == text)
        #expect(try Endpoint(parsing: endpoint.description) == endpoint)
    }

    @Test(
        "refuses malformed text with a reason",
        arguments: [
            ("127.0.0.1", "the port is missing"),
            ("127.0.0.1:", "the port is missing"),
            (":7000", "the host is missing"),
            ("host:70000", "0 to 65535"),
            ("host:-1", "0 to 65535"),
            ("host:7x", "0 to 65535"),
            ("host: 7000", "0 to 65535"),
            ("::1:7000", "brackets"),
            ("[::1]7000", "must follow ']'"),
            ("[::1:7000", "closing ']'"),
            ("[]:7000", "not an IPv6 address"),
            ("[example.com]:7000", "not an IPv6 address"),
            ("qpu a:7000", "letters, digits"),
            ("", "the port is missing"),
        ]
    )
    func refuses(text: String, reason: String) {
        #expect {
            try Endpoint(parsing: text)
        } throws: { error in
            guard let error = error as? ClusterError, case .invalidEndpoint(let quoted, let why) = error else {
                return false
            }
            return quoted == text && why.contains(reason) && error.description.contains("HOST:PORT")
        }
    }
}
