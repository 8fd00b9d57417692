import ClusterProtocol
import Synchronization

/// One coordinator's connection to a worker: the handshake, then two loops.
///
/// The read loop answers `ping` at once and queues requests; the request loop runs them one
/// at a time, in the order received, against this connection's own circuits and executor. So
/// a heartbeat is answered while an evaluation runs, and a request always sees the state the
/// requests before it left.
final class WorkerSession: Sendable {
    private let connection: PeerConnection
    private let configuration: WorkerConfiguration
    private let workerName: String
    private let state = Mutex(State())

    private struct State {
        /// `stop()` was called: finish what is queued, refuse what comes, say goodbye.
        var isStopping = false
        /// The handshake in progress, so that `stop()` can end it at once.
        var handshake: Task<Void, any Error>?
        /// The request queue, once the handshake has completed.
        var requests: AsyncStream<Request>.Continuation?
    }

    private struct Request: Sendable {
        var id: UInt64
        var message: Message
    }

    /// How the read loop ended, for the log line.
    private enum Ending {
        case closed(String)
        case refused(String)
    }

    init(connection: PeerConnection, configuration: WorkerConfiguration, workerName: String) {
        self.connection = connection
        self.configuration = configuration
        self.workerName = workerName
    }

    private var peer: String { connection.peerDescription }

    private func log(_ event: String) {
        configuration.log(workerName, "\(peer) \(event)")
    }

    private var goodbye: Message { .goodbye(reason: "worker \(workerName) is stopping") }

    /// Serves the connection until it closes; never throws, since one bad peer must not take
    /// the server down.
    func serve() async {
        log("connected")
        var generator = SystemRandomNumberGenerator()
        let hello = WorkerHello(
            softwareVersion: configuration.softwareVersion,
            workerName: workerName,
            qpuSlots: UInt16(configuration.slots),
            qubitCapacity: UInt8(configuration.maxQubits),
            profile: configuration.profile,
            nonce: .random(using: &generator),
            requiresAuthentication: configuration.secret != nil
        )
        let handshake = Task { [connection, configuration] in
            try await Handshake.worker(
                connection,
                hello: hello,
                secret: configuration.secret,
                timeout: configuration.handshakeTimeout
            )
        }
        if state.withLock({ state in
            state.handshake = handshake
            return state.isStopping
        }) {
            handshake.cancel()
        }
        do {
            try await handshake.value
        } catch {
            let stopping = state.withLock { $0.isStopping }
            log(stopping ? "closed during the handshake: the worker is stopping" : "refused: \(error)")
            return
        }
        log(configuration.secret == nil ? "accepted (no shared secret configured)" : "authenticated")

        let (requests, continuation) = AsyncStream<Request>.makeStream()
        let stoppedEarly = state.withLock { state in
            if state.isStopping { return true }
            state.requests = continuation
            return false
        }
        if stoppedEarly {
            try? await connection.send(goodbye, requestID: 0)
            await connection.finish()
            log("closed: the worker is stopping")
            return
        }

        async let handled = handle(requests)
        let ending = await read(into: continuation)
        continuation.finish()
        let count = await handled
        // A connection that is finishing (goodbye, a refusal) closes after its linger, so the
        // peer can still read the last frame.
        if connection.isOpen { connection.close() }
        switch ending {
        case .closed(let reason): log("closed after \(count) requests: \(reason)")
        case .refused(let reason): log("refused: \(reason)")
        }
    }

    /// Refuses a connection the server cannot take (too many, or stopping), with a reason the
    /// coordinator can show.
    func refuse(code: ErrorCode, reason: String) async {
        log("refused: \(reason)")
        try? await connection.send(.error(code: code, message: reason), requestID: 0)
        await connection.finish()
    }

    /// Stops gracefully: queued requests still run and are answered, later ones get
    /// `shuttingDown`, then `goodbye` and close.
    ///
    /// A connection still in its handshake is closed at once rather than left to its timeout;
    /// one whose handshake has just succeeded is told goodbye by `serve()`.
    func stop() {
        let (requests, handshake, wasStopping) = state.withLock { state in
            defer { state.isStopping = true }
            return (state.requests, state.handshake, state.isStopping)
        }
        guard !wasStopping else { return }
        if let requests {
            requests.finish()
        } else {
            handshake?.cancel()
        }
    }

    /// Reads frames until the coordinator closes, says goodbye, or breaks the protocol.
    private func read(into requests: AsyncStream<Request>.Continuation) async -> Ending {
        do {
            while let (id, message) = try await connection.receive() {
                switch message {
                case .ping(let nonce):
                    try? await connection.send(.pong(nonce: nonce), requestID: id)
                case .loadCircuits, .setParameters, .evaluate:
                    if case .terminated = requests.yield(Request(id: id, message: message)) {
                        try? await connection.send(
                            .error(
                                code: .shuttingDown,
                                message: "worker \(workerName) is stopping: send this request to another worker"
                            ),
                            requestID: id
                        )
                    }
                case .pong:
                    continue
                case .goodbye(let reason):
                    return .closed("the coordinator said goodbye (\(reason))")
                case .error(let code, let text):
                    log("reported \(code): \(text)")
                case .hello, .authenticate, .welcome, .acknowledged, .result:
                    let reason =
                        "\(message.type) is not a request: after welcome a worker takes loadCircuits, setParameters, evaluate, ping, pong, error and goodbye"
                    try? await connection.send(.error(code: .unexpectedMessage, message: reason), requestID: id)
                    await connection.finish()
                    return .refused(reason)
                }
            }
            return .closed("the coordinator closed the connection")
        } catch ClusterError.protocolViolation(_, let error) {
            return .refused("\(error) (answered \(error.errorCode) and closed)")
        } catch {
            return .closed("\(error)")
        }
    }

    /// Runs requests one at a time in arrival order; after a stop, says goodbye once the queue
    /// is empty. Returns the number of requests answered.
    private func handle(_ requests: AsyncStream<Request>) async -> Int {
        var state = WorkerRequests(
            slots: configuration.slots,
            lanes: configuration.lanes,
            maxQubits: configuration.maxQubits
        )
        var count = 0
        for await request in requests {
            // Nobody would read the answer: skip the work.
            guard connection.isOpen else { continue }
            let reply = await state.reply(to: request.message)
            if case .loadCircuits(let circuits) = request.message, case .acknowledged = reply {
                log("loaded \(circuits.count) circuits")
            }
            do {
                try await connection.send(reply, requestID: request.id)
            } catch ClusterError.messageTooLarge(let error) {
                try? await connection.send(
                    .error(code: .badRequest, message: "the reply breaks a protocol limit (\(error)): split the batch"),
                    requestID: request.id
                )
            } catch {
                continue
            }
            count += 1
        }
        if self.state.withLock({ $0.isStopping }), connection.isOpen {
            try? await connection.send(goodbye, requestID: 0)
            await connection.finish()
        }
        return count
    }
}
