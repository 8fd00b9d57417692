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
///
/// Nothing a peer does can make the worker hold more than its limits: each request's cost is
/// worked out before it runs (`RequestCost`) and reserved from the worker's `MemoryBudget`; at
/// most `maxQueuedRequests` wait behind it, and at most one reply waits for the peer to read
/// it, because the thread that produced a reply the kernel did not take at once (the reader or
/// the request queue) waits until it is written; meanwhile nothing more is read, so TCP holds
/// the peer back. A connection silent for `idleTimeout` is closed.
final class WorkerSession: Sendable {
    private let connection: PeerConnection
    private let configuration: WorkerConfiguration
    private let workerName: String
    private let budget: MemoryBudget
    private let state = Mutex(State())
    /// Runs the requests in arrival order, off the cooperative pool: an evaluation occupies its
    /// thread for as long as it computes.
    private let requestQueue = DispatchQueue(label: "qlstm.worker-session.requests")
    /// This connection's circuits, parameters and executor; used on `requestQueue` only.
    private let requests: Mutex<WorkerRequests>
    /// One permit per request that may wait on `requestQueue`: the reader takes one before
    /// queuing and blocks (stops reading) when none is left.
    private let queuePermits: DispatchSemaphore

    private struct State {
        /// `stop()` was called: finish what is queued, refuse what comes, say goodbye.
        var isStopping = false
        /// The server dropped this connection during its handshake for a newer one.
        var isEvicted = false
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
        /// The reader is answering or queuing a request.
        var isReaderBusy = false
        /// `stop()` came while the reader was busy: it says goodbye once done.
        var goodbyeAfterReader = false
        /// When the peer last sent a frame or a request last finished (uptime nanoseconds).
        var lastActivity: UInt64 = 0
        /// Requests computing now: a connection waiting for a long evaluation is not idle.
        var computing = 0
        /// What this connection keeps reserved in the budget between requests.
        var keptBytes = 0
        /// What its queued requests hold reserved in the budget.
        var queuedBytes = 0
        /// Threads (the reader, the request queue) waiting for the peer to read what was sent.
        var waitingForPeer = 0
    }

    /// The longest a queued request waits for memory that other connections' requests hold
    /// before it is refused (`internalError`, which a coordinator retries): long enough for
    /// typical requests to finish, short enough that a coordinator is not left waiting on a
    /// worker whose memory stays taken.
    static let memoryWait: Double = 10

    /// How the conversation ended, for the log line.
    private enum Ending {
        case closed(String)
        case refused(String)
    }

    init(connection: PeerConnection, configuration: WorkerConfiguration, workerName: String, budget: MemoryBudget) {
        self.connection = connection
        self.configuration = configuration
        self.workerName = workerName
        self.budget = budget
        requests = Mutex(
            WorkerRequests(
                slots: configuration.slots,
                lanes: configuration.lanes,
                maxQubits: configuration.maxQubits,
                profile: configuration.profile,
                timingScale: configuration.timingScale
            )
        )
        queuePermits = DispatchSemaphore(value: configuration.maxQueuedRequests)
    }

    private var peer: String { connection.peerDescription }

    private func log(_ event: String) {
        configuration.log(workerName, "\(peer) \(event)")
    }

    private var goodbye: Message { .goodbye(reason: "worker \(workerName) is stopping") }

    /// Serves the connection until it closes; never throws, since one bad peer must not take
    /// the server down.
    /// - Parameter admit: asked once the peer has authenticated (see `Handshake.worker`).
    func serve(admit: @escaping @Sendable () -> (code: ErrorCode, reason: String)?) async {
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
                timeout: configuration.handshakeTimeout,
                admit: admit
            )
        }
        if state.withLock({ state in
            state.handshake = handshake
            return state.isStopping || state.isEvicted
        }) {
            handshake.cancel()
        }
        do {
            try await handshake.value
        } catch {
            let (stopping, evicted) = state.withLock { ($0.isStopping, $0.isEvicted) }
            if evicted {
                log("dropped during the handshake: its client or the worker had too many connections authenticating")
            } else {
                log(stopping ? "closed during the handshake: the worker is stopping" : "refused: \(error)")
            }
            return
        }
        log(
            (configuration.secret == nil ? "accepted (no shared secret configured)" : "authenticated")
                + (connection.tlsSummary.map { " over \($0)" } ?? "")
        )

        let stoppedEarly = state.withLock { state in
            state.isServing = !state.isStopping
            state.lastActivity = DispatchTime.now().uptimeNanoseconds
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
            checkIdleness(after: configuration.idleTimeout)
            // Frames buffered since the handshake are handled on a Dispatch thread, not on the
            // cooperative pool (a quick request may be answered where it is handled), and not on
            // the request queue: handling may wait for a queue permit, which only the request
            // queue gives back.
            DispatchQueue.global().async { [self] in connection.handleFrames { [self] in handle($0) } }
        }
        // Requests already queued run (or are skipped once nobody can read the answer) first.
        await withCheckedContinuation { continuation in requestQueue.async { continuation.resume() } }
        // A connection that is finishing (goodbye, a refusal) closes after its linger, so the
        // peer can still read the last frame.
        if connection.isOpen { connection.close() }
        let (count, kept) = state.withLock { state in
            defer { state.keptBytes = 0 }
            return (state.answered, state.keptBytes)
        }
        budget.release(inProgress: 0, keptChange: -kept)
        switch ending {
        case .closed(let reason): log("closed after \(count) requests: \(reason)")
        case .refused(let reason): log("refused: \(reason)")
        }
    }

    /// Refuses a connection the server cannot take (it is stopping), with a reason the
    /// coordinator can show.
    func refuse(code: ErrorCode, reason: String) async {
        log("refused: \(reason)")
        try? await connection.send(.error(code: code, message: reason), requestID: 0)
        await connection.finish()
    }

    /// Drops a connection still in its handshake at once, to make room for a newer one.
    func evict() {
        let handshake = state.withLock { state in
            state.isEvicted = true
            return state.handshake
        }
        handshake?.cancel()
        connection.close()
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
            if state.isReaderBusy {
                state.goodbyeAfterReader = true
            } else {
                queueGoodbye()
            }
            return nil
        }
        handshake?.cancel()
        closeIfPeerStillNotReading()
    }

    /// While the worker stops, a peer that does not read what it was sent would hold the
    /// goodbye, and the worker's exit, behind its unread answer: after the linger it is cut off.
    private func closeIfPeerStillNotReading() {
        DispatchQueue.global().asyncAfter(deadline: .now() + PeerConnection.lingerTimeout.timeInterval) {
            [weak self] in
            guard let self, state.withLock({ $0.waitingForPeer > 0 }) else { return }
            connection.close()
        }
    }

    /// Says goodbye after every queued request, then finishes the connection.
    private func queueGoodbye() {
        requestQueue.async { [self] in
            guard connection.isOpen else { return }
            _ = try? connection.sendWithoutWaiting(goodbye, requestID: 0)
            connection.startFinishing()
        }
    }

    /// Runs on the connection's reader thread, for each frame and then the end. Blocks only to
    /// hold the peer back: while its requests queue is full, or its answers are unread.
    private func handle(_ inbound: PeerConnection.Inbound) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard
            state.withLock({ state in
                state.lastActivity = now
                return state.whenEnded != nil
            })
        else { return }
        switch inbound {
        case .frame(let id, let message):
            switch message {
            case .ping(let nonce):
                send(.pong(nonce: nonce), requestID: id)
            case .loadCircuits, .setParameters, .evaluate:
                take(message, id: id)
            case .pong:
                return
            case .goodbye(let reason):
                end(.closed("the coordinator said goodbye (\(PeerText(reason)))"))
            case .error(let code, let text):
                log("reported \(code): \(PeerText(text))")
            case .hello, .authenticate, .welcome, .acknowledged, .result:
                let reason =
                    "\(message.type) is not a request: after welcome a worker takes loadCircuits, setParameters, evaluate, ping, pong, error and goodbye"
                _ = try? connection.sendWithoutWaiting(.error(code: .unexpectedMessage, message: reason), requestID: id)
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

    /// Sends a frame and, when the kernel did not take it whole, waits until it is written: the
    /// calling thread (the reader, or the request queue) then neither reads nor computes more
    /// for a peer that does not read what it asked for.
    private func send(_ message: Message, requestID: UInt64) {
        guard let sent = try? connection.sendWithoutWaiting(message, requestID: requestID), !sent else { return }
        waitUntilRead()
    }

    /// Waits until the kernel has taken every frame sent, that is until the peer reads enough.
    private func waitUntilRead() {
        let isStopping = state.withLock { state in
            state.waitingForPeer += 1
            return state.isStopping
        }
        if isStopping { closeIfPeerStillNotReading() }
        connection.waitUntilWritten()
        state.withLock { $0.waitingForPeer -= 1 }
    }

    // MARK: Requests

    /// Answers a quick request on the reader when nothing is queued and its memory is free,
    /// queues any other behind the others, and refuses every request once the worker is
    /// stopping.
    private func take(_ message: Message, id: UInt64) {
        enum Route {
            case reader(RequestCost)
            case queue, refuse
        }
        let route = state.withLock { state -> Route in
            guard !state.isStopping else { return .refuse }
            state.isReaderBusy = true
            // The requests lock is free whenever nothing is queued (and never awaited here).
            if state.queued == 0,
                let cost = requests.withLockIfAvailable({ $0.allowsQuickAnswers ? $0.cost(of: message) : nil }),
                let cost, cost.work <= WorkerRequests.quickWorkLimit
            {
                return .reader(cost)
            }
            return .queue
        }
        switch route {
        case .refuse:
            refuseStopping(id)
            return
        case .reader(let cost):
            if let refusal = cost.refusal(memoryLimit: budget.limit, replyLimit: connection.limits.maxPayloadBytes) {
                send(.error(code: .badRequest, message: refusal), requestID: id)
            } else if budget.reserve(cost.additionalBytes, until: .now()) == .granted {
                run(message, id: id, cost: cost)
            } else {
                queue(message, id: id)
            }
        case .queue:
            queue(message, id: id)
        }
        let sayGoodbye = state.withLock { state in
            defer {
                state.isReaderBusy = false
                state.goodbyeAfterReader = false
            }
            return state.goodbyeAfterReader
        }
        if sayGoodbye { queueGoodbye() }
    }

    /// Puts a request on `requestQueue` once a queue permit and the memory to hold the decoded
    /// request are free; runs on the reader, which waits for both (TCP then holds the peer back).
    private func queue(_ message: Message, id: UInt64) {
        // A decoded request takes up to three times its payload (an item of one input is 24
        // bytes on the wire and 72 in memory), plus what a short request leaves as overhead.
        let held = 3 * message.payloadByteCount + (64 << 10)
        queuePermits.wait()
        // The reader holds nothing while it waits: only other requests' memory is awaited.
        guard budget.reserve(held, until: .distantFuture) == .granted else {
            queuePermits.signal()
            send(
                .error(code: held > budget.limit ? .badRequest : .internalError, message: memoryRefusal(held)),
                requestID: id
            )
            return
        }
        let isStopping = state.withLock { state in
            guard !state.isStopping else { return true }
            state.queued += 1
            state.queuedBytes += held
            requestQueue.async { [self] in
                answerQueued(message, id: id)
                budget.release(inProgress: held)
                queuePermits.signal()
                self.state.withLock { state in
                    state.queued -= 1
                    state.queuedBytes -= held
                }
            }
            return false
        }
        if isStopping {
            budget.release(inProgress: held)
            queuePermits.signal()
            refuseStopping(id)
        }
    }

    /// Runs on `requestQueue`: works out the request's cost on the state the requests before it
    /// left, refuses it or waits (at most `memoryWait`) for its memory, then runs it.
    private func answerQueued(_ message: Message, id: UInt64) {
        // Nobody would read the answer: skip the work.
        guard connection.isOpen else { return }
        let cost = requests.withLock { $0.cost(of: message) }
        if let refusal = cost.refusal(memoryLimit: budget.limit, replyLimit: connection.limits.maxPayloadBytes) {
            send(.error(code: .badRequest, message: refusal), requestID: id)
            return
        }
        // This connection's queued requests (this one's included) stay reserved while it waits.
        let stuck = state.withLock { $0.queuedBytes }
        let deadline = DispatchTime.now() + Self.memoryWait
        guard budget.reserve(cost.additionalBytes, until: deadline, stuck: stuck) == .granted else {
            send(.error(code: .internalError, message: memoryRefusal(cost.additionalBytes)), requestID: id)
            return
        }
        run(message, id: id, cost: cost)
    }

    /// Computes the reply with `cost.additionalBytes` reserved, sends it, and settles the budget:
    /// the connection keeps what its state now holds, the reply frame stays reserved until it is
    /// written, the rest is released.
    private func run(_ message: Message, id: UInt64, cost: RequestCost) {
        guard connection.isOpen else {
            budget.release(inProgress: cost.additionalBytes)
            return
        }
        state.withLock { $0.computing += 1 }
        let (reply, kept) = requests.withLock { requests in
            (requests.reply(to: message, cost: cost), requests.keptBytes)
        }
        let keptChange = state.withLock { state in
            state.computing -= 1
            state.lastActivity = DispatchTime.now().uptimeNanoseconds
            defer { state.keptBytes = kept }
            return kept - state.keptBytes
        }
        if case .loadCircuits(let circuits) = message, case .acknowledged = reply {
            log("loaded \(circuits.count) circuits")
        }
        let frameBytes = reply.type == .result ? min(cost.replyBytes + FrameHeader.byteCount, cost.additionalBytes) : 0
        let sent: Bool
        do {
            sent = try connection.sendWithoutWaiting(reply, requestID: id)
        } catch ClusterError.messageTooLarge(let error) {
            // `RequestCost` refuses such requests before they run; this is the last guard.
            sent = true
            _ = try? connection.sendWithoutWaiting(
                .error(code: .badRequest, message: "the reply breaks a protocol limit (\(error)): split the batch"),
                requestID: id
            )
        } catch {
            budget.release(inProgress: cost.additionalBytes, keptChange: keptChange)
            return
        }
        budget.release(inProgress: cost.additionalBytes - frameBytes, keptChange: keptChange)
        if !sent { waitUntilRead() }
        budget.release(inProgress: frameBytes)
        state.withLock { $0.answered += 1 }
    }

    private func refuseStopping(_ id: UInt64) {
        _ = try? connection.sendWithoutWaiting(
            .error(
                code: .shuttingDown,
                message: "worker \(workerName) is stopping: send this request to another worker"
            ),
            requestID: id
        )
    }

    /// Why a request that fits the limit on its own could not have its memory.
    private func memoryRefusal(_ bytes: Int) -> String {
        bytes > budget.limit
            ? "this request needs \(ByteCount(bytes)) of memory, above the worker's limit of \(ByteCount(budget.limit)): send smaller batches"
            : "the worker's memory (limit \(ByteCount(budget.limit))) is held by other requests: retry later or on another worker"
    }

    // MARK: Idleness

    /// Closes the connection once it has been idle for `idleTimeout`: no frame from the peer and
    /// no request computing. Checked when the timeout could have run out, not periodically.
    private func checkIdleness(after delay: Duration) {
        DispatchQueue.global().asyncAfter(deadline: .now() + delay.timeInterval) { [weak self] in
            self?.closeIfIdle()
        }
    }

    private func closeIfIdle() {
        enum Next {
            case ended
            case check(after: Duration)
            case close
        }
        let timeout = configuration.idleTimeout
        let (seconds, attoseconds) = timeout.components
        let timeoutNanoseconds = UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
        let now = DispatchTime.now().uptimeNanoseconds
        let next = state.withLock { state -> Next in
            guard state.whenEnded != nil else { return .ended }
            if state.computing > 0 { return .check(after: timeout) }
            let idle = now &- state.lastActivity
            guard idle >= timeoutNanoseconds else { return .check(after: .nanoseconds(timeoutNanoseconds - idle)) }
            return .close
        }
        switch next {
        case .ended:
            return
        case .check(let delay):
            checkIdleness(after: delay)
        case .close:
            let reason = "idle for \(timeout) (--idle-timeout)"
            _ = try? connection.sendWithoutWaiting(
                .goodbye(reason: "\(reason): reconnect when there is work"),
                requestID: 0
            )
            connection.startFinishing()
            end(.closed(reason))
        }
    }
}
