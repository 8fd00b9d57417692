import ClusterProtocol

/// The start of every connection (PROTOCOL.md §7): the worker's `hello`, the coordinator's
/// `authenticate`, the worker's `welcome`, with HMAC-SHA256 proofs over both nonces when the
/// two sides share a secret.
///
/// Each side proves that it knows the secret with a MAC over a transcript only this connection
/// has (both fresh nonces, and over TLS the session's exported key) and a label only its role
/// uses, so neither a recorded handshake, a reflected proof nor a relay between two TLS
/// sessions works. The side that finds a problem says so in an `error` frame before closing,
/// so the operator reads the reason on both machines.
public enum Handshake {
    /// The coordinator's half: waits for `hello`, answers `authenticate`, checks `welcome`.
    ///
    /// On success the connection accepts bulk frames (`completeHandshake()`); on failure it is
    /// closed.
    /// - Parameters:
    ///   - connection: a new connection to a worker.
    ///   - secret: the shared secret (`secret_file` in cluster.json), or `nil` for none.
    ///   - timeout: the longest the whole handshake may take.
    /// - Returns: the worker's `hello`: its name, slots, qubit capacity and profile, with its
    ///   text escaped (`PeerText`), since every caller logs or prints it.
    /// - Throws: `ClusterError.handshakeTimedOut`, `.unsupportedProtocolVersion`,
    ///   `.workerRequiresSecret` (the worker has a secret and we have none),
    ///   `.authenticationFailed` (the secrets differ, or the worker cannot prove one),
    ///   `.peerError`, `.unexpectedMessage`, `.connectionClosed`, or a connection error.
    public static func coordinator(
        _ connection: PeerConnection,
        secret: SharedSecret?,
        timeout: Duration
    ) async throws -> WorkerHello {
        do {
            return try await Deadline.run(
                within: timeout,
                failure: .handshakeTimedOut(peer: connection.peerDescription, after: timeout)
            ) {
                try await coordinatorSteps(connection, secret: secret)
            }
        } catch {
            // A connection already sending its last frame (a refusal of the worker's bytes)
            // closes after it; any other is closed now.
            if connection.isOpen { connection.close() }
            throw error
        }
    }

    private static func coordinatorSteps(
        _ connection: PeerConnection,
        secret: SharedSecret?
    ) async throws -> WorkerHello {
        let hello: WorkerHello
        switch try await connection.receive() {
        case nil:
            throw ClusterError.connectionClosed(peer: connection.peerDescription)
        case (_, .hello(let received))?:
            hello = received.escapingText()
        case (_, .error(let code, let message))?:
            throw ClusterError.peerError(peer: connection.peerDescription, code: code, message: message)
        case (_, .goodbye(let reason))?:
            throw ClusterError.workerLeft(worker: connection.peerDescription, reason: reason)
        case (_, let other)?:
            throw await refuseUnexpected(other, expected: "hello", on: connection)
        }
        let peer = "worker \(hello.workerName) at \(connection.peerDescription)"
        guard hello.protocolVersion == ProtocolVersion.current else {
            try? await connection.send(
                .error(
                    code: .unsupportedVersion,
                    message:
                        "the coordinator speaks protocol version \(ProtocolVersion.current), this worker \(hello.protocolVersion): run the same qlstm release everywhere"
                ),
                requestID: 0
            )
            throw ClusterError.unsupportedProtocolVersion(peer: peer, version: hello.protocolVersion)
        }

        var generator = SystemRandomNumberGenerator()
        let nonce = AuthenticationNonce.random(using: &generator)
        let binding = connection.channelBinding
        let proof = AuthenticationTranscript.coordinatorProof(
            workerNonce: hello.nonce,
            coordinatorNonce: nonce,
            channelBinding: binding
        )
        try await connection.send(
            .authenticate(nonce: nonce, mac: secret?.authenticationCode(for: proof) ?? []),
            requestID: 0
        )
        // The empty MAC tells the worker why it refuses us (PROTOCOL.md §7); there is no point
        // in waiting for that refusal.
        if hello.requiresAuthentication && secret == nil { throw ClusterError.workerRequiresSecret(peer: peer) }

        switch try await connection.receive() {
        case nil:
            throw ClusterError.connectionClosed(peer: peer)
        case (_, .welcome(let workerMAC))?:
            if let secret {
                let workerProof = AuthenticationTranscript.workerProof(
                    workerNonce: hello.nonce,
                    coordinatorNonce: nonce,
                    channelBinding: binding
                )
                guard !workerMAC.isEmpty else {
                    try? await connection.send(
                        .error(
                            code: .authenticationFailed,
                            message:
                                "this worker has no shared secret but the coordinator has one: start the worker with --secret-file"
                        ),
                        requestID: 0
                    )
                    throw ClusterError.authenticationFailed(
                        peer: peer,
                        reason:
                            "the worker has no shared secret, so it cannot prove who it is: start it with --secret-file naming the file secret_file in cluster.json names"
                    )
                }
                guard secret.isValid(workerMAC, for: workerProof) else {
                    try? await connection.send(
                        .error(
                            code: .authenticationFailed,
                            message:
                                "wrong MAC in welcome: the worker's --secret-file differs from the coordinator's secret_file"
                        ),
                        requestID: 0
                    )
                    throw ClusterError.authenticationFailed(
                        peer: peer,
                        reason:
                            "the worker's proof is wrong: its --secret-file differs from secret_file in cluster.json"
                    )
                }
            }
            connection.completeHandshake()
            return hello
        case (_, .error(.authenticationFailed, let message))?:
            throw ClusterError.authenticationFailed(
                peer: peer,
                reason:
                    "the worker refused our proof (\(PeerText(message))): secret_file in cluster.json differs from the worker's --secret-file"
            )
        case (_, .error(let code, let message))?:
            throw ClusterError.peerError(peer: peer, code: code, message: message)
        case (_, .goodbye(let reason))?:
            throw ClusterError.workerLeft(worker: peer, reason: reason)
        case (_, let other)?:
            throw await refuseUnexpected(other, expected: "welcome", on: connection)
        }
    }

    /// The worker's half: sends `hello`, checks `authenticate`, answers `welcome`.
    ///
    /// On success the connection accepts bulk frames. On failure the coordinator has been told
    /// why (an `error` frame) and the connection is closing.
    /// - Parameter admit: asked once the coordinator has proved itself, before `welcome`:
    ///   `nil` admits it, a code and reason refuse it (the worker is full or stopping). Asked
    ///   then and not at accept, so that connections still authenticating never take the place
    ///   of coordinators.
    /// - Throws: `ClusterError.authenticationFailed`, `.connectionRefused`, `.unexpectedMessage`,
    ///   `.peerError`, `.connectionClosed`, `.handshakeTimedOut` or a connection error.
    static func worker(
        _ connection: PeerConnection,
        hello: WorkerHello,
        secret: SharedSecret?,
        timeout: Duration,
        admit: @escaping @Sendable () -> (code: ErrorCode, reason: String)?
    ) async throws {
        do {
            try await Deadline.run(
                within: timeout,
                failure: .handshakeTimedOut(peer: connection.peerDescription, after: timeout)
            ) {
                try await workerSteps(connection, hello: hello, secret: secret, admit: admit)
            }
        } catch {
            await connection.finish()
            throw error
        }
    }

    private static func workerSteps(
        _ connection: PeerConnection,
        hello: WorkerHello,
        secret: SharedSecret?,
        admit: @Sendable () -> (code: ErrorCode, reason: String)?
    ) async throws {
        let peer = connection.peerDescription
        do {
            try await connection.send(.hello(hello), requestID: 0)
        } catch {
            // The peer's first bytes may have ended the connection before hello went out (a
            // TLS ClientHello at a plaintext worker): why the input ended says more than
            // "closed", so that is what is thrown when there is such a reason.
            _ = try await connection.receive()
            throw error
        }
        switch try await connection.receive() {
        case nil:
            throw ClusterError.connectionClosed(peer: peer)
        case (_, .authenticate(let nonce, let mac))?:
            var welcomeMAC: [UInt8] = []
            let binding = connection.channelBinding
            if let secret {
                guard !mac.isEmpty else {
                    try? await connection.send(
                        .error(
                            code: .authenticationFailed,
                            message:
                                "this worker requires a shared secret: set secret_file in cluster.json to a copy of the worker's --secret-file"
                        ),
                        requestID: 0
                    )
                    throw ClusterError.authenticationFailed(
                        peer: peer,
                        reason: "the coordinator sent no proof: it has no secret_file in cluster.json"
                    )
                }
                let proof = AuthenticationTranscript.coordinatorProof(
                    workerNonce: hello.nonce,
                    coordinatorNonce: nonce,
                    channelBinding: binding
                )
                guard secret.isValid(mac, for: proof) else {
                    try? await connection.send(
                        .error(
                            code: .authenticationFailed,
                            message:
                                "wrong MAC in authenticate: secret_file in cluster.json differs from this worker's --secret-file"
                        ),
                        requestID: 0
                    )
                    throw ClusterError.authenticationFailed(
                        peer: peer,
                        reason: "the coordinator's proof is wrong: its secret_file differs from --secret-file"
                    )
                }
                welcomeMAC = secret.authenticationCode(
                    for: AuthenticationTranscript.workerProof(
                        workerNonce: hello.nonce,
                        coordinatorNonce: nonce,
                        channelBinding: binding
                    )
                )
            }
            if let (code, reason) = admit() {
                try? await connection.send(.error(code: code, message: reason), requestID: 0)
                throw ClusterError.connectionRefused(peer: peer, reason: reason)
            }
            // Raised before welcome goes out: the coordinator sends bulk frames only after it,
            // so none can reach the decoder under the handshake's limits.
            connection.completeHandshake()
            try await connection.send(.welcome(mac: welcomeMAC), requestID: 0)
        case (_, .error(let code, let message))?:
            throw ClusterError.peerError(peer: peer, code: code, message: message)
        case (_, .goodbye(let reason))?:
            throw ClusterError.peerError(peer: peer, code: .shuttingDown, message: "said goodbye: \(reason)")
        case (_, let other)?:
            throw await refuseUnexpected(other, expected: "authenticate", on: connection)
        }
    }

    /// Tells the peer it sent `message` out of turn (PROTOCOL.md §7: `unexpectedMessage`, then
    /// close) and returns the error to throw.
    private static func refuseUnexpected(
        _ message: Message,
        expected: String,
        on connection: PeerConnection
    ) async -> ClusterError {
        try? await connection.send(
            .error(code: .unexpectedMessage, message: "expected \(expected) during the handshake, got \(message.type)"),
            requestID: 0
        )
        return .unexpectedMessage(peer: connection.peerDescription, received: message.type, expected: expected)
    }
}

extension WorkerHello {
    /// This hello with the worker's version, name and profile escaped for logs and terminals.
    func escapingText() -> WorkerHello {
        var hello = self
        hello.softwareVersion = PeerText(softwareVersion).description
        hello.workerName = PeerText(workerName).description
        hello.profile = PeerText(profile).description
        return hello
    }
}
