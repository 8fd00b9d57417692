import Dispatch
import Foundation
import TestSupport
import Testing

/// TLS between `qlstm` processes: a coordinator (`qlstm train`, `qlstm cluster status`) and
/// `qlstm worker`s, with certificates made by `openssl` for the test.
///
/// Every wait for a process runs on a Dispatch thread (`offThePool`): a test that blocked a
/// thread of the small cooperative pool would starve the in-process workers of other suites.
@Suite("TLS between coordinator and worker processes", .serialized, .timeLimit(.minutes(5)))
struct TLSClusterTests {
    /// One set for every test of the suite.
    static let made = Task { try await offThePool { try TestCertificates.make() } }

    /// The paper's distributed QLSTM (2 x 3 qubits), shortened.
    let distributed = ["train", "--task", "pendulum", "--n-qubits", "3", "--partitions", "2", "--depth", "3"]
    let certificates: TestCertificates
    let root: URL

    init() async throws {
        certificates = try await Self.made.value
        root = try QlstmBinary.temporaryDirectory()
    }

    /// A worker on 127.0.0.1 serving TLS with `pair`, logging to a file of its own.
    func startWorker(
        _ pair: TestCertificates.Pair?,
        clientCA: Bool = false,
        secret: String? = nil
    ) async throws -> (worker: WorkerHandle, log: URL) {
        var arguments: [String] = []
        if let pair { arguments += ["--tls-cert", pair.certificate, "--tls-key", pair.key] }
        if clientCA { arguments += ["--tls-ca", certificates.caFile] }
        if let secret { arguments += ["--secret-file", secret] }
        let log = root.appendingPathComponent("worker-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        return (try await offThePool { [arguments] in try WorkerHandle(arguments: arguments, log: output) }, log)
    }

    /// A cluster file naming `addresses` (w0, w1, ...) with `tls` (a JSON object) and a secret.
    func clusterFile(_ addresses: [String], tls: String?, secret: String? = nil) throws -> URL {
        let workers = addresses.enumerated().map { #"{"name": "w\#($0.offset)", "address": "\#($0.element)"}"# }
        var members = [
            #""version": 1"#, #""workers": [\#(workers.joined(separator: ", "))]"#,
            #""timeouts": {"heartbeat_seconds": 0.2, "give_up_seconds": 10, "backoff_initial_seconds": 0.05, "backoff_max_seconds": 0.5}"#,
        ]
        if let tls { members.append(#""tls": \#(tls)"#) }
        if let secret { members.append(#""secret_file": "\#(secret)""#) }
        let url = root.appendingPathComponent("cluster-\(UUID().uuidString).json")
        try "{\(members.joined(separator: ", "))}".write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// `{"ca": ...}`, with the client certificate when `client`.
    func tls(ca: String? = nil, client: Bool = false) -> String {
        var entries = [#""ca": "\#(ca ?? certificates.caFile)""#]
        if client {
            entries += [#""cert": "\#(certificates.client.certificate)""#, #""key": "\#(certificates.client.key)""#]
        }
        return "{\(entries.joined(separator: ", "))}"
    }

    /// A fresh shared-secret file (mode 600).
    func secretFile() throws -> String {
        let path = root.appendingPathComponent("secret-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(
            atPath: path,
            contents: Data("tls cluster secret\n".utf8),
            attributes: [.posixPermissions: 0o600]
        )
        return path
    }

    /// The lines of a worker's log that contain `text`, waiting up to 10 s for the first.
    func logLines(_ log: URL, containing text: String) async throws -> [String] {
        for _ in 0..<200 {
            let lines = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            let matching = lines.filter { $0.contains(text) }
            if !matching.isEmpty { return matching }
            try await Task.sleep(for: .milliseconds(50))
        }
        return []
    }

    /// `qlstm ARGUMENTS`, run to its end off the cooperative pool.
    func qlstm(_ arguments: [String]) async throws -> QlstmBinary.Outcome {
        try await offThePool { try QlstmBinary.run(arguments) }
    }

    @Test("mutual TLS and a shared secret: 2 workers train bit-identical to in-process; cluster status shows TLS")
    func trainsOverMutualTLS() async throws {
        let reference = root.appendingPathComponent("in-process")
        #expect(try await qlstm(distributed + ["--epochs", "3", "--out", reference.path, "--quiet"]).status == 0)
        let secret = try secretFile()
        var workers: [(worker: WorkerHandle, log: URL)] = []
        for _ in 0..<2 { workers.append(try await startWorker(certificates.worker, clientCA: true, secret: secret)) }
        defer { for (worker, _) in workers { worker.kill() } }
        let cluster = try clusterFile(
            ["127.0.0.1:\(workers[0].worker.port)", "localhost:\(workers[1].worker.port)"],
            tls: tls(client: true),
            secret: secret
        )

        let status = try await qlstm(["cluster", "status", "--cluster", cluster.path])
        #expect(status.status == 0, "\(status.standardOutput)\(status.standardError)")
        let lines = status.standardOutput.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.contains("TLSv1.3 (worker certificate CN=qlstm-worker)") })

        let out = root.appendingPathComponent("mutual-tls")
        let run = try await qlstm(
            distributed + ["--epochs", "3", "--cluster", cluster.path, "--out", out.path, "--quiet"]
        )
        #expect(run.status == 0, "\(run.standardError)")
        #expect(try Checkpoint.read(out) == Checkpoint.read(reference))
        for (_, log) in workers {
            let accepted = try await logLines(
                log,
                containing: "authenticated over TLSv1.3, peer certificate CN=qlstm-coordinator"
            )
            #expect(!accepted.isEmpty)
        }
        let manifest = try String(contentsOf: out.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(manifest.contains("TLSv1.3, peer certificate CN=qlstm-worker"))
    }

    @Test(
        "TLS options a worker cannot use are one line and exit status 2",
        arguments: [
            (["--tls-cert", "/nonexistent/worker.pem", "--tls-key", "/nonexistent/worker.key"], "--tls-cert"),
            (["--tls-ca", "/nonexistent/ca.pem"], "--tls-cert and --tls-key"),
        ]
    )
    func badOptions(_ arguments: [String], _ named: String) async throws {
        let outcome = try await qlstm(["worker", "--listen", "127.0.0.1:0"] + arguments)
        #expect(outcome.status == 2)
        #expect(outcome.standardError.split(separator: "\n").count == 1, "\(outcome.standardError)")
        #expect(outcome.standardError.hasPrefix("qlstm worker: ") && outcome.standardError.contains(named))
        #expect(outcome.standardOutput.isEmpty)
    }

    /// A mistake, what the coordinator says and what the worker logs.
    struct Mistake: Sendable, CustomTestStringConvertible {
        let name: String
        /// The worker's certificate; `nil` for a plaintext worker.
        let worker: @Sendable (TestCertificates) -> TestCertificates.Pair?
        let clientCA: Bool
        /// The cluster file's `tls` object, from the certificates; `nil` for none.
        let tls: @Sendable (TLSClusterTests) -> String?
        let coordinatorSays: String
        let workerSays: String

        var testDescription: String { name }
    }

    static let mistakes: [Mistake] = [
        Mistake(
            name: "the wrong CA",
            worker: { $0.worker },
            clientCA: false,
            tls: { $0.tls(ca: $0.certificates.otherCAFile) },
            coordinatorSays: "is not signed by the CA in tls.ca",
            workerSays: "sent the TLS alert 'unknown CA': it does not trust this worker's certificate"
        ),
        Mistake(
            name: "an expired certificate",
            worker: { $0.expired },
            clientCA: false,
            tls: { $0.tls() },
            coordinatorSays: "the worker's certificate (CN=qlstm-worker) expired on",
            workerSays: "this worker's certificate has expired; renew --tls-cert"
        ),
        Mistake(
            name: "a certificate for another name",
            worker: { $0.otherName },
            clientCA: false,
            tls: { $0.tls() },
            coordinatorSays: "is for DNS:other.example, not 127.0.0.1",
            workerSays: "the certificate does not name the address cluster.json gives for this worker"
        ),
        Mistake(
            name: "a plaintext coordinator and a TLS worker",
            worker: { $0.worker },
            clientCA: false,
            tls: { _ in nil },
            coordinatorSays: "this worker accepts TLS connections only",
            workerSays: "the coordinator closed the connection before starting TLS"
        ),
        Mistake(
            name: "a TLS coordinator and a plaintext worker",
            worker: { _ in nil },
            clientCA: false,
            tls: { $0.tls() },
            coordinatorSays: "the worker speaks plaintext, but cluster.json asks for TLS",
            workerSays: "the coordinator speaks TLS, but this worker was started without --tls-cert"
        ),
        Mistake(
            name: "mutual TLS and a coordinator without a client certificate",
            worker: { $0.worker },
            clientCA: true,
            tls: { $0.tls() },
            coordinatorSays: "the worker requires a client certificate (it was started with --tls-ca)",
            workerSays: "the coordinator sent no client certificate, and this worker requires one"
        ),
    ]

    @Test("each TLS mistake is one line on each side, naming the cause and the fix", arguments: mistakes)
    func mistake(_ mistake: Mistake) async throws {
        let (worker, log) = try await startWorker(mistake.worker(certificates), clientCA: mistake.clientCA)
        defer { worker.kill() }
        let cluster = try clusterFile(["127.0.0.1:\(worker.port)"], tls: mistake.tls(self))
        let status = try await qlstm(["cluster", "status", "--cluster", cluster.path])
        #expect(status.status == 1)
        let lines = status.standardOutput.split(separator: "\n")
        #expect(
            lines.count == 1 && lines[0].contains("unreachable") && lines[0].contains(mistake.coordinatorSays),
            "\(status.standardOutput)"
        )
        let refused = try await logLines(log, containing: "refused:")
        #expect(refused.count == 1 && refused[0].contains(mistake.workerSays), "\(refused)")
    }

    @Test(
        "a byte flipped in transit under TLS: the connection is dropped, the request re-sent, the weights identical",
        arguments: [ByteFlippingRelay.Direction.toWorker, .toCoordinator]
    )
    func byteFlipped(_ direction: ByteFlippingRelay.Direction) async throws {
        let reference = root.appendingPathComponent("in-process")
        #expect(try await qlstm(distributed + ["--epochs", "3", "--out", reference.path, "--quiet"]).status == 0)
        let (worker, log) = try await startWorker(certificates.worker)
        defer { worker.kill() }
        let relay = try ByteFlippingRelay(forwardingTo: worker.port, flipping: direction)
        defer { relay.close() }
        let cluster = try clusterFile(["127.0.0.1:\(relay.port)"], tls: tls())
        let out = root.appendingPathComponent("flipped")
        let run = try await qlstm(
            distributed + ["--epochs", "3", "--cluster", cluster.path, "--out", out.path, "--quiet"]
        )
        #expect(run.status == 0, "\(run.standardError)")
        #expect(relay.hasFlipped)
        #expect(try Checkpoint.read(out) == Checkpoint.read(reference))
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                as? [String: Any]
        )
        let accounting = (summary["qpu_accounting"] as? [String: Any])?["workers"] as? [[String: Any]]
        #expect((accounting?.first?["requests_retried"] as? Int ?? 0) >= 1, "\(accounting ?? [])")
        #expect((accounting?.first?["reconnects"] as? Int ?? 0) >= 1, "\(accounting ?? [])")
        // The side that received the flipped record found it; the other heard of it by alert.
        let said =
            direction == .toWorker
            ? "a TLS record from the coordinator failed its integrity check"
            : "the coordinator sent the TLS alert 'bad record mac'"
        let found = try await logLines(log, containing: said)
        #expect(!found.isEmpty)
    }
}

/// Runs blocking work (a process, a wait for its output) on a Dispatch thread.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
