import ClusterProtocol
import Dispatch
import QPUProfiles
import Synchronization

/// One coordinator's connection to a worker: the handshake, then frames handled as they arrive.
///
/// The connection's reader thread answers `ping` at once and queues requests; a serial queue
/// runs them one at a time, in the order received, against this connection's own circuits and
/// executor, and sends each reply from there. So a heartbeat is answered while an evaluation
/// runs, a request always sees the state the requests before it left, and a request costs two
/// thread wake-ups on the worker (reader, queue), not the four of an async pipeline.
final class WorkerSession: Sendable {
    private let connection: PeerConnection
    private let configuration: WorkerConfiguration
    private let workerName: String
    private let state = Mutex(State())
    /// Runs the requests in arrival order, off the cooperative pool: an evaluation occupies its
    /// thread for as long as it computes.
    private let requestQueue = DispatchQueue(label: "qlstm.worker-session.requests")
    /// This connection's circuits, parameters and executor; used on `requestQueue` only.
    private let requests: Mutex<WorkerRequests>

    private struct State {
        /// `stop()` was called: finish what is queued, refuse what comes, say goodbye.
        var isStopping = false
        /// The handshake in progress, so that `stop()` can end it at once.
        var handshake: Task<Void, any Error>?
        /// Requests are taken (the handshake completed and the worker was not stopping).
        var isServing = false
        /// Resumed by the first end of the conversation; `nil` once it has ended.
        var whenEnded: CheckedContinuation<Ending, Never>?
        /// Requests answered, for the closing log line.
        var answered = 0
        /// Requests on `requestQueue` not yet answered.
        var queued = 0
        /// The reader is answering a quick request itself.
        var isAnsweringOnReader = false
        /// `stop()` came while the reader was answering: it says goodbye once done.
        var goodbyeAfterReaderAnswer = false
    }

    /// How the conversation ended, for the log line.
    private enum Ending {
        case closed(String)
        case refused(String)
    }

    init(connection: PeerConnection, configuration: WorkerConfiguration, workerName: String) {
        self.connection = connection
        self.configuration = configuration
        self.workerName = workerName
        requests = Mutex(
            WorkerRequests(
                slots: configuration.slots,
                lanes: configuration.lanes,
                maxQubits: configuration.maxQubits,
                profile: configuration.profile,
                timingScale: configuration.timingScale
            )
        )
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
            profile: configuration.profile.name,
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
        log(
            (configuration.secret == nil ? "accepted (no shared secret configured)" : "authenticated")
                + (connection.tlsSummary.map { " over \($0)" } ?? "")
        )

        let stoppedEarly = state.withLock { state in
            state.isServing = !state.isStopping
            return state.isStopping
        }
        if stoppedEarly {
            try? await connection.send(goodbye, requestID: 0)
            await connection.finish()
            log("closed: the worker is stopping")
            return
        }

        let ending = await withCheckedContinuation { continuation in
            state.withLock { $0.whenEnded = continuation }
            // Frames buffered since the handshake are handled on the request queue, not on the
            // cooperative pool (a quick request may be answered where it is handled).
            requestQueue.async { [self] in connection.handleFrames { [self] in handle($0) } }
        }
        // Requests already queued run (or are skipped once nobody can read the answer) first.
        await withCheckedContinuation { continuation in requestQueue.async { continuation.resume() } }
        // A connection that is finishing (goodbye, a refusal) closes after its linger, so the
        // peer can still read the last frame.
        if connection.isOpen { connection.close() }
        let count = state.withLock { $0.answered }
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
        let handshake: Task<Void, any Error>? = state.withLock { state in
            guard !state.isStopping else { return nil }
            state.isStopping = true
            guard state.isServing else { return state.handshake }
            // Under the lock, so no request can be queued or answered after the goodbye.
            if state.isAnsweringOnReader {
                state.goodbyeAfterReaderAnswer = true
            } else {
                queueGoodbye()
            }
            return nil
        }
        handshake?.cancel()
    }

    /// Says goodbye after every queued request, then finishes the connection.
    private func queueGoodbye() {
        requestQueue.async { [self] in
            guard connection.isOpen else { return }
            try? connection.sendWithoutWaiting(goodbye, requestID: 0)
            connection.startFinishing()
        }
    }

    /// Runs on the connection's reader thread, for each frame and then the end: must not block.
    private func handle(_ inbound: PeerConnection.Inbound) {
        guard state.withLock({ $0.whenEnded != nil }) else { return }
        switch inbound {
        case .frame(let id, let message):
            switch message {
            case .ping(let nonce):
                try? connection.sendWithoutWaiting(.pong(nonce: nonce), requestID: id)
            case .loadCircuits, .setParameters, .evaluate:
                queue(message, id: id)
            case .pong:
                return
            case .goodbye(let reason):
                end(.closed("the coordinator said goodbye (\(reason))"))
            case .error(let code, let text):
                log("reported \(code): \(text)")
            case .hello, .authenticate, .welcome, .acknowledged, .result:
                let reason =
                    "\(message.type) is not a request: after welcome a worker takes loadCircuits, setParameters, evaluate, ping, pong, error and goodbye"
                try? connection.sendWithoutWaiting(.error(code: .unexpectedMessage, message: reason), requestID: id)
                connection.startFinishing()
                end(.refused(reason))
            }
        case .finished:
            end(.closed("the coordinator closed the connection"))
        case .failed(.protocolViolation(_, let error)):
            end(.refused("\(error) (answered \(error.errorCode) and closed)"))
        case .failed(let error):
            end(.closed("\(error)"))
        }
    }

    private func end(_ ending: Ending) {
        state.withLock { state in
            defer { state.whenEnded = nil }
            return state.whenEnded
        }?.resume(returning: ending)
    }

    /// Answers a quick request on the reader when nothing is queued, queues any other behind
    /// the others, and refuses every request once the worker is stopping.
    private func queue(_ message: Message, id: UInt64) {
        enum Route { case reader, queue, refuse }
        let route = state.withLock { state -> Route in
            guard !state.isStopping else { return .refuse }
            // The requests lock is free whenever nothing is queued (and never awaited here).
            if state.queued == 0, requests.withLockIfAvailable({ $0.isQuick(message) }) == true {
                state.isAnsweringOnReader = true
                return .reader
            }
            state.queued += 1
            requestQueue.async { [self] in
                answer(message, id: id)
                self.state.withLock { $0.queued -= 1 }
            }
            return .queue
        }
        switch route {
        case .queue:
            return
        case .reader:
            answer(message, id: id)
            let sayGoodbye = state.withLock { state in
                defer {
                    state.isAnsweringOnReader = false
                    state.goodbyeAfterReaderAnswer = false
                }
                return state.goodbyeAfterReaderAnswer
            }
            if sayGoodbye { queueGoodbye() }
        case .refuse:
            try? connection.sendWithoutWaiting(
                .error(
                    code: .shuttingDown,
                    message: "worker \(workerName) is stopping: send this request to another worker"
                ),
                requestID: id
            )
        }
    }

    /// Runs on `requestQueue` (or on the reader, for a quick request): computes the reply and
    /// sends it.
    private func answer(_ message: Message, id: UInt64) {
        // Nobody would read the answer: skip the work.
        guard connection.isOpen else { return }
        let reply = requests.withLock { $0.reply(to: message) }
        if case .loadCircuits(let circuits) = message, case .acknowledged = reply {
            log("loaded \(circuits.count) circuits")
        }
        do {
            try connection.sendWithoutWaiting(reply, requestID: id)
        } catch ClusterError.messageTooLarge(let error) {
            try? connection.sendWithoutWaiting(
                .error(code: .badRequest, message: "the reply breaks a protocol limit (\(error)): split the batch"),
                requestID: id
            )
        } catch {
            return
        }
        state.withLock { $0.answered += 1 }
    }
}
