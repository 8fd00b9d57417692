import Cluster
import ClusterProtocol
import Testing

@Suite("Authentication", .timeLimit(.minutes(1)))
struct AuthenticationTests {
    let secret = SharedSecret(bytes: Array("correct horse battery staple".utf8))
    let wrong = SharedSecret(bytes: Array("correct horse battery stapler".utf8))

    @Test("the right secret on both sides authenticates and serves")
    func rightSecret() async throws {
        try await withWorker(secret: secret) { worker in
            let (connection, hello) = try await worker.connect(secret: secret)
            defer { connection.close() }
            #expect(hello.requiresAuthentication)
            let circuits = testCircuits("auth", count: 1, qubits: 2)
            try await install(circuits, parameters: testParameters(for: circuits, seed: 1), version: 1, on: connection)
            #expect(await worker.log.waitFor("authenticated"))
        }
    }

    @Test("a coordinator with the wrong secret is refused by the worker")
    func wrongCoordinatorSecret() async throws {
        try await withWorker(secret: secret) { worker in
            await #expect {
                _ = try await worker.connect(secret: wrong)
            } throws: { error in
                guard let error = error as? ClusterError, case .authenticationFailed(_, let reason) = error else {
                    return false
                }
                return reason.contains("secret_file")
            }
            #expect(await worker.log.waitFor("refused"))
            #expect(worker.log.contains("proof is wrong"))
        }
    }

    @Test("a worker with the wrong secret is refused by the coordinator")
    func wrongWorkerSecret() async throws {
        // A fake worker that accepts anything and proves the wrong secret.
        let listener = try RawListener()
        defer { listener.close() }
        let fakeWorker = Task {
            let socket = try await listener.accept()
            defer { socket.close() }
            var generator = SystemRandomNumberGenerator()
            let workerNonce = AuthenticationNonce.random(using: &generator)
            let hello = WorkerHello(
                softwareVersion: "fake",
                workerName: "impostor",
                qpuSlots: 1,
                qubitCapacity: 25,
                profile: "statevector",
                nonce: workerNonce,
                requiresAuthentication: true
            )
            try await socket.send(.hello(hello), requestID: 0)
            var decoder = FrameDecoder()
            let authenticate = try await socket.readFrame(decoder: &decoder)
            guard case .authenticate(let coordinatorNonce, _) = authenticate.message else {
                throw TestFailure("\(authenticate)")
            }
            let proof = AuthenticationTranscript.workerProof(
                workerNonce: workerNonce,
                coordinatorNonce: coordinatorNonce
            )
            try await socket.send(.welcome(mac: wrong.authenticationCode(for: proof)), requestID: 0)
            return try await socket.readFramesUntilClosed()
        }
        let connection = try await PeerConnection.connect(
            to: Endpoint(host: "127.0.0.1", port: listener.port),
            timeout: .seconds(5)
        )
        await #expect {
            _ = try await Handshake.coordinator(connection, secret: secret, timeout: .seconds(10))
        } throws: { error in
            guard let error = error as? ClusterError, case .authenticationFailed(let peer, let reason) = error else {
                return false
            }
            return peer.contains("impostor") && reason.contains("secret")
        }
        let seen = try await fakeWorker.value
        #expect(seen.closed)
        #expect(seen.frames.last.map { $0.message.type } == .error)
        if case .error(let code, _)? = seen.frames.last?.message { #expect(code == .authenticationFailed) }
    }

    @Test("a coordinator without a secret is told to set secret_file")
    func missingCoordinatorSecret() async throws {
        try await withWorker(secret: secret) { worker in
            await #expect {
                _ = try await worker.connect(secret: nil)
            } throws: { error in
                guard let error = error as? ClusterError, case .workerRequiresSecret = error else { return false }
                return error.description.contains("secret_file in cluster.json")
            }
            #expect(await worker.log.waitFor("refused"))
            #expect(worker.log.contains("no secret_file"))
        }
    }

    @Test("a worker without a secret cannot prove itself to a coordinator that has one")
    func missingWorkerSecret() async throws {
        try await withWorker(secret: nil) { worker in
            await #expect {
                _ = try await worker.connect(secret: secret)
            } throws: { error in
                guard let error = error as? ClusterError, case .authenticationFailed(_, let reason) = error else {
                    return false
                }
                return reason.contains("--secret-file")
            }
        }
    }

    @Test("a replayed coordinator proof from another connection is refused")
    func replayRefused() async throws {
        try await withWorker(secret: secret) { worker in
            // Record a real coordinator's authenticate frame for one connection...
            let first = try await RawSocket.connect(port: worker.port)
            defer { first.close() }
            var decoder = FrameDecoder()
            guard case .hello(let firstHello) = try await first.readFrame(decoder: &decoder).message else {
                throw TestFailure("no hello")
            }
            var generator = SystemRandomNumberGenerator()
            let nonce = AuthenticationNonce.random(using: &generator)
            let mac = secret.authenticationCode(
                for: AuthenticationTranscript.coordinatorProof(workerNonce: firstHello.nonce, coordinatorNonce: nonce)
            )
            // ...and replay it on another: the worker's nonce differs, so the proof is worthless.
            let second = try await RawSocket.connect(port: worker.port)
            defer { second.close() }
            try await second.send(.authenticate(nonce: nonce, mac: mac), requestID: 0)
            let result = try await second.readFramesUntilClosed()
            #expect(result.closed)
            #expect(result.frames.map(\.message.type) == [.hello, .error])
            if case .error(let code, _)? = result.frames.last?.message { #expect(code == .authenticationFailed) }
        }
    }
}
