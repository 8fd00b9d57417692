import Cluster
import ClusterProtocol
import Foundation
import TestSupport
import Testing
import VariationalCircuits

/// TLS between a coordinator's `PeerConnection` and a `WorkerServer` in this process; the error
/// lines with real processes are in IntegrationTests (`TLSClusterTests`).
@Suite("TLS", .timeLimit(.minutes(1)))
struct TLSTests {
    /// One set for every test of the suite (each test gets a new instance of it), made off the
    /// cooperative pool that the in-process workers of every suite need.
    static let made = Task { try await RawSocket.blocking { try TestCertificates.make() } }

    let certificates: TestCertificates
    let secret = SharedSecret(bytes: Array("tls and a secret".utf8))

    init() async throws {
        certificates = try await Self.made.value
    }

    func workerContext(clientCA: Bool = false) throws -> TLSContext {
        try TLSContext(
            role: .worker,
            configuration: TLSConfiguration(
                caFile: clientCA ? certificates.caFile : nil,
                certificateFile: certificates.worker.certificate,
                keyFile: certificates.worker.key
            )
        )
    }

    func coordinatorContext(clientCertificate: Bool = false) throws -> TLSContext {
        try TLSContext(
            role: .coordinator,
            configuration: TLSConfiguration(
                caFile: certificates.caFile,
                certificateFile: clientCertificate ? certificates.client.certificate : nil,
                keyFile: clientCertificate ? certificates.client.key : nil
            )
        )
    }

    @Test("mutual TLS with a shared secret: results bit-identical to in-process, both certificates seen")
    func mutualSession() async throws {
        try await withWorker(secret: secret, tls: try workerContext(clientCA: true)) { worker in
            let (connection, hello) = try await worker.connect(
                secret: secret,
                tls: try coordinatorContext(clientCertificate: true)
            )
            defer { connection.close() }
            #expect(hello.requiresAuthentication)
            let summary = try #require(connection.tlsSummary)
            #expect(summary.version == "TLSv1.3")
            #expect(summary.peerSubject == "CN=qlstm-worker")

            let circuits = testCircuits("tls", count: 3, qubits: 4)
            let parameters = testParameters(for: circuits, seed: 11)
            try await install(circuits, parameters: parameters, version: 1, on: connection)
            // Large enough that the reply spans several TLS records (about 800 bytes an item).
            let batch = testBatch(for: circuits, items: 60, version: 1, seed: 12)
            let reply = try await connection.request(.evaluate(batch), id: 3)
            guard case .result(let evaluations, _) = reply else {
                Issue.record("evaluate answered \(reply)")
                return
            }
            // Two threads: its work then runs on its own threads, not this cooperative one
            // (results do not depend on the thread count).
            let reference = LocalExecutor(threads: 2)
            try await reference.load(circuits)
            try await reference.setParameters(parameters, version: 1)
            #expect(try await bitPatterns(evaluations) == bitPatterns(reference.evaluate(batch)))
            #expect(await worker.log.waitFor("authenticated over TLSv1.3, peer certificate CN=qlstm-coordinator"))
        }
    }

    @Test("over TLS a proof not bound to this session is refused, so a relay cannot pass one on")
    func unboundProofRefused() async throws {
        try await withWorker(secret: secret, tls: try workerContext()) { worker in
            let connection = try await PeerConnection.connect(
                to: worker.endpoint,
                timeout: .seconds(5),
                tls: try coordinatorContext()
            )
            defer { connection.close() }
            guard case (_, .hello(let hello))? = try await connection.receive() else {
                Issue.record("no hello")
                return
            }
            // Right secret, right nonces, but the transcript of another channel (here none):
            // what a relay holding a TLS session with each side would have to forward.
            var generator = SystemRandomNumberGenerator()
            let nonce = AuthenticationNonce.random(using: &generator)
            let proof = AuthenticationTranscript.coordinatorProof(workerNonce: hello.nonce, coordinatorNonce: nonce)
            try await connection.send(
                .authenticate(nonce: nonce, mac: secret.authenticationCode(for: proof)),
                requestID: 0
            )
            let answer = try await connection.receive()
            guard case (_, .error(let code, _))? = answer else {
                Issue.record("the worker answered \(String(describing: answer)) instead of refusing")
                return
            }
            #expect(code == .authenticationFailed)
            #expect(await worker.log.waitFor("proof is wrong"))
        }
    }

    @Test("the worker's preamble, then nothing: a silent client is dropped after the handshake timeout")
    func silentClient() async throws {
        try await withWorker(tls: try workerContext(), handshakeTimeout: .milliseconds(300)) { worker in
            let socket = try await RawSocket.connect(port: worker.port)
            defer { socket.close() }
            let clock = ContinuousClock()
            let started = clock.now
            let (frames, closed) = try await socket.readFramesUntilClosed()
            #expect(closed)
            #expect(frames == [ReceivedFrame(0, TLSPreamble.message)])
            #expect(clock.now - started < .seconds(10))
            #expect(await worker.log.waitFor("refused"))
        }
    }

    @Test("a worker stopping while a TLS client is silent stops at once")
    func stopDuringTLSHandshake() async throws {
        let worker = try RunningWorker.start(tls: try workerContext(), handshakeTimeout: .seconds(30))
        let socket = try await RawSocket.connect(port: worker.port)
        defer { socket.close() }
        #expect(await worker.log.waitFor("connected"))
        let clock = ContinuousClock()
        let started = clock.now
        await worker.stop()
        #expect(clock.now - started < .seconds(10))
    }

    @Test(
        "files that cannot serve TLS are refused with the setting, the file and the fix",
        arguments: [
            ("cert", "cannot open it"), ("key", "does not belong to the certificate"), ("ca", "no PEM CA certificate"),
            ("missing key", "go together"),
        ]
    )
    func badFiles(_ problem: String, _ expected: String) throws {
        var configuration = TLSConfiguration(
            caFile: certificates.caFile,
            certificateFile: certificates.worker.certificate,
            keyFile: certificates.worker.key
        )
        switch problem {
        case "cert": configuration.certificateFile = certificates.directory.appendingPathComponent("none.pem").path
        case "key": configuration.keyFile = certificates.client.key
        case "ca": configuration.caFile = certificates.worker.key
        default: configuration.keyFile = nil
        }
        #expect {
            _ = try TLSContext(role: .worker, configuration: configuration)
        } throws: { error in
            let text = "\(error)"
            return text.contains(expected) && !text.contains("\n")
                && (problem == "missing key" || text.contains("--tls-\(problem)"))
        }
    }
}
