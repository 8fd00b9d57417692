import ClusterProtocol

/// The coordinator's side of one connection to a worker, whatever carries it: the seam between
/// the coordinator (placement, retries, quarantine, supervision) and the bytes on a socket.
///
/// `PeerConnection` (TCP, optionally TLS) is the real one; `InProcessWorkerTransport` answers
/// in this process without sockets, so the coordinator's logic gets fast, deterministic tests
/// (the model is grpc-swift's in-process transport).
public protocol WorkerChannel: AnyObject, Sendable {
    /// Sends one message without waiting for it to leave (requests to every worker go out at
    /// once).
    /// - Parameter onFailure: called if a part of the frame that had to be queued fails later.
    /// - Returns: `true` when the whole frame left at once.
    /// - Throws: when the message cannot be sent at all (too large, channel closed).
    @discardableResult
    func sendWithoutWaiting(
        _ message: Message,
        requestID: UInt64,
        onFailure: @escaping @Sendable (any Error) -> Void
    ) throws -> Bool
    /// Sends one message and returns once it has left.
    func send(_ message: Message, requestID: UInt64) async throws
    /// Hands every inbound frame, then the end of the stream, to `handler`, one at a time.
    func handleFrames(with handler: @escaping @Sendable (PeerConnection.Inbound) -> Void)
    /// Closes the channel: the stream ends and later sends fail.
    func close()
    /// How the channel is protected, for `ClusterExecutor.topology()`.
    var protection: String { get }
}

/// How a coordinator reaches the workers of its configuration.
public protocol WorkerTransport: Sendable {
    /// Opens a channel to worker `index` of the configuration and completes the handshake.
    /// - Throws: `ClusterError` when the worker cannot be reached or refuses the handshake.
    func connect(to index: Int, timeout: Duration) async throws -> (channel: any WorkerChannel, hello: WorkerHello)
}

extension PeerConnection: WorkerChannel {
    public var protection: String { tlsSummary.map { "\($0)" } ?? "plaintext" }
}

/// Workers over TCP: a `PeerConnection` per worker, TLS where configured, the shared-secret
/// handshake.
struct TCPWorkerTransport: WorkerTransport {
    let endpoints: [Endpoint]
    let secret: SharedSecret?
    /// Per worker, its TLS settings loaded (`nil`: plaintext).
    let tls: [TLSContext?]

    func connect(to index: Int, timeout: Duration) async throws -> (channel: any WorkerChannel, hello: WorkerHello) {
        let connection = try await PeerConnection.connect(to: endpoints[index], timeout: timeout, tls: tls[index])
        do {
            return (connection, try await Handshake.coordinator(connection, secret: secret, timeout: timeout))
        } catch {
            connection.close()
            throw error
        }
    }
}
