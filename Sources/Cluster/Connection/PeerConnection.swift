import ClusterProtocol
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One framed TCP connection between a coordinator and a worker; both sides use it.
///
/// Blocking socket I/O never runs on the cooperative thread pool (see ARCHITECTURE.md, "Blocking
/// calls and Swift concurrency"): a dedicated thread reads and decodes frames and hands them to
/// `incoming` / `receive()`, or straight to a handler (`handleFrames(with:)`). A frame is sent
/// from the calling thread when the kernel takes it whole without blocking and nothing is queued
/// before it; otherwise what is left goes to a private serial queue. So frames sent from many
/// tasks never interleave, a slow peer blocks only that queue, and the common case (a small
/// frame, an idle connection) costs one system call and no thread wake-up: on a loaded two-core
/// machine each wake-up costs about 10 us, as much as a small circuit evaluation.
///
/// A frame the decoder refuses is answered with an `error` frame (code and request id from the
/// decoder) and the connection is closed; the inbound stream then throws
/// `ClusterError.protocolViolation`.
///
/// With TLS, the same frames travel inside TLS 1.3 records (`TLSSession`, PROTOCOL.md §7.1):
/// frames are sealed and sent under the lock that orders the writes, and the reader thread
/// opens what it receives under the same lock, so OpenSSL's session is never used from two
/// threads at once and records leave in the order they were sealed. `send` waits for the TLS
/// handshake, which the reader drives; a failed handshake or a record changed in transit ends
/// the inbound stream with `ClusterError.tlsFailed`.
///
/// The connection is closed by `close()`, by `finish(lingering:)`, by the peer, or when its last
/// reference goes away.
public final class PeerConnection: Sendable {
    public typealias Frame = (requestID: UInt64, message: Message)

    /// How long a closing connection keeps reading (and discarding) after it has sent its last
    /// frame, so that the peer reads that frame before it sees a reset.
    public static let lingerTimeout: Duration = .seconds(2)

    /// The peer's numeric address, such as `127.0.0.1:54321`, for logs and errors.
    public let peerDescription: String
    /// The limits frames are held to in both directions once the handshake is complete.
    public let limits: ProtocolLimits

    private let socket: Socket
    private let encoder: FrameEncoder
    /// Whether frames travel inside TLS (read without the lock on every received chunk).
    private let usesTLS: Bool
    /// Runs every write, one at a time and in order; also where the descriptor is released, so
    /// no write can ever use a closed (and possibly reused) descriptor number.
    private let writes: DispatchQueue
    private let state: Mutex<State>

    private struct State {
        var inbox = FrameInbox()
        /// The limits the reader checks each new frame against: `limits.forHandshake` until
        /// `completeHandshake()`, so an unauthenticated peer cannot make us buffer megabytes.
        var readLimits: ProtocolLimits
        /// No frame may be sent any more (closed, finished, refused, or the peer went away).
        var isOutputClosed = false
        /// `shutdown(SHUT_RDWR)` has been called: the reader is waking up or gone.
        var isShutDown = false
        /// The descriptor is closed; no call may touch its number again.
        var isReleased = false
        /// Blocks on `writes` that later frames must not overtake (the rest of a frame the
        /// kernel did not take at once, a `finish`): while any is queued, frames queue too.
        var queuedWrites = 0
        /// Where frames go after `handleFrames(with:)` instead of the inbox.
        var handler: (@Sendable (Inbound) -> Void)?
        /// The TLS session, if this connection has one; used only under this lock.
        var tls: TLSSession?
        /// Senders waiting for the TLS handshake to complete.
        var tlsHandshake = TLSHandshakeGate()
    }

    /// What the reader hands to a frame handler: each frame, then the end of the stream.
    public enum Inbound: Sendable {
        case frame(requestID: UInt64, message: Message)
        /// The peer closed the connection cleanly (or we closed it).
        case finished
        /// The stream broke: a reset, a refused frame, a close in the middle of a frame.
        case failed(ClusterError)
    }

    /// Held while frames are handed to the handler (and while it is installed), so that the
    /// handler sees each frame once, in order, one at a time.
    private let delivery = Mutex(())

    /// Connects to a worker (or any peer) at `endpoint`.
    ///
    /// Name resolution and the connect run on a Dispatch thread, bounded by `timeout`.
    /// - Parameters:
    ///   - endpoint: where to connect.
    ///   - timeout: the longest the connect may take, all addresses of the host together; with
    ///     TLS, also the longest its handshake may take.
    ///   - limits: the limits of this connection's frames after the handshake.
    ///   - tls: the coordinator's TLS settings, or `nil` for plaintext. The worker's certificate
    ///     must name `endpoint.host`.
    /// - Throws: `ClusterError.addressResolution`, `.connectFailed` or `.connectTimedOut`. TLS
    ///   failures come from the first `send` or `receive`.
    public static func connect(
        to endpoint: Endpoint,
        timeout: Duration,
        limits: ProtocolLimits = .standard,
        tls: TLSContext? = nil
    ) async throws -> PeerConnection {
        let socket: Socket = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    continuation.resume(returning: try Socket.connect(to: endpoint, timeout: timeout))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        return PeerConnection(socket: socket, limits: limits, tls: tls, serverName: endpoint.host, tlsTimeout: timeout)
    }

    /// Takes ownership of a connected socket and starts reading from it.
    /// - Parameters:
    ///   - tls: this side's TLS settings, or `nil` for plaintext; its role says who speaks first.
    ///   - serverName: for a coordinator, the host the worker's certificate must name.
    ///   - tlsTimeout: a connection whose TLS handshake has not completed by then is closed, so
    ///     that nobody waits on a silent peer for ever.
    init(
        socket: Socket,
        limits: ProtocolLimits,
        tls: TLSContext? = nil,
        serverName: String? = nil,
        tlsTimeout: Duration = .seconds(10)
    ) {
        self.socket = socket
        self.limits = limits
        encoder = FrameEncoder(limits: limits)
        let peer = socket.peerAddress?.endpoint?.description ?? "an unknown peer"
        peerDescription = peer
        writes = DispatchQueue(label: "qlstm.peer-connection.writes")
        usesTLS = tls != nil
        var initial = State(readLimits: limits.forHandshake)
        initial.tls = tls.map { TLSSession(context: $0, serverName: serverName, peer: peer) }
        state = Mutex(initial)
        if tls != nil { startTLS(timeout: tlsTimeout) }
        let thread = Thread { [weak self] in
            SystemCall.nameCurrentThread("qlstm-reader")
            PeerConnection.read(from: socket, peer: peer) { self }
        }
        thread.start()
    }

    deinit {
        // Wakes the reader, which then releases the descriptor itself (it may still be in recv).
        state.withLock { state in
            if !state.isReleased && !state.isShutDown { socket.shutdown() }
        }
    }

    // MARK: Receiving

    /// The frames the peer sends, in order.
    ///
    /// Finishes when the peer closes the connection cleanly (or after `close()`); throws a
    /// `ClusterError` when the connection breaks or the peer sends a frame the decoder refuses.
    /// Each access returns a new stream over the same frames: iterate one at a time. A stream
    /// that is dropped loses no frame; the next `receive()` or stream gets it.
    public var incoming: AsyncThrowingStream<Frame, any Error> {
        AsyncThrowingStream { [self] in try await receive() }
    }

    /// The next frame from the peer, or `nil` once the peer has closed the connection cleanly.
    ///
    /// Cancelling the calling task ends the wait with `CancellationError` and takes no frame.
    /// - Throws: `ClusterError` (`.protocolViolation`, `.connectionLost`, `.closedMidFrame`)
    ///   when the stream broke, or `CancellationError`.
    public func receive() async throws -> Frame? {
        let id = state.withLock { $0.inbox.makeReceiverID() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (receiver: FrameInbox.Receiver) in
                let available: FrameInbox.Available?? = state.withLock { state in
                    if let available = state.inbox.take() { return .some(available) }
                    if Task.isCancelled { return .some(nil) }
                    state.inbox.wait(receiver, id: id)
                    return .none
                }
                switch available {
                case .none: break
                case .some(.none): receiver.resume(throwing: CancellationError())
                case .some(.some(.frame(let frame))): receiver.resume(returning: frame)
                case .some(.some(.end(.finished))): receiver.resume(returning: nil)
                case .some(.some(.end(.failed(let error)))): receiver.resume(throwing: error)
                }
            }
        } onCancel: {
            state.withLock { $0.inbox.removeReceiver(id: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Raises the limits on incoming frames from the handshake's (`limits.forHandshake`) to
    /// `limits`. Call it once the peer is authenticated: the worker before sending `welcome`,
    /// the coordinator after checking it (`Handshake` does both).
    public func completeHandshake() {
        state.withLock { $0.readLimits = limits }
    }

    /// From now on hands every frame, then the end of the stream, to `handler` on the reader
    /// thread instead of keeping them for `receive()`: the shortest path from the socket to
    /// whoever waits for a reply. Frames received before the call and not yet taken go first,
    /// in order.
    ///
    /// Call it once, when no `receive()` is waiting (after the handshake). `handler` must not
    /// block (it holds up every later frame) and must not call `handleFrames` again.
    public func handleFrames(with handler: @escaping @Sendable (Inbound) -> Void) {
        delivery.withLock { _ in
            let buffered: [Inbound] = state.withLock { state in
                state.handler = handler
                var drained: [Inbound] = []
                while let available = state.inbox.take() {
                    if case .frame(let frame) = available {
                        drained.append(.frame(requestID: frame.requestID, message: frame.message))
                    } else {
                        if case .end(let end) = available { drained.append(Inbound(end)) }
                        state.handler = nil
                        break
                    }
                }
                return drained
            }
            for event in buffered { handler(event) }
        }
    }

    // MARK: Sending

    /// Sends one message as one frame.
    ///
    /// Safe to call from many tasks at once: frames go out whole, in the order the calls reach
    /// the write queue. Returns once the kernel has taken every byte.
    /// - Parameters:
    ///   - message: the message.
    ///   - requestID: the request this frame is (a new id) or answers (its id); 0 for none.
    /// - Throws: `ClusterError.messageTooLarge` when the message breaks `limits` (split the
    ///   batch), `.connectionClosed` or `.connectionLost`.
    public func send(_ message: Message, requestID: UInt64) async throws {
        let frame = try encode(message, requestID: requestID)
        if usesTLS { try await waitForTLSHandshake() }
        try await write(frame)
    }

    /// Sends one message as one frame without waiting for the kernel to take it: a coordinator
    /// sending a request to every worker uses it so that the frames go out in parallel, and a
    /// reader thread uses it to answer at once. Never blocks; frames still leave in order.
    /// - Parameter onFailure: called (on the write queue) if a part of the frame that had to be
    ///   queued then fails to go out.
    /// - Returns: `true` when the kernel took the whole frame at once, `false` when some of it
    ///   waits on the write queue (`waitUntilWritten()` waits for it).
    /// - Throws: `ClusterError.messageTooLarge` when the message breaks `limits`;
    ///   `.connectionClosed` or `.connectionLost` when the frame could not be sent at all.
    @discardableResult
    public func sendWithoutWaiting(
        _ message: Message,
        requestID: UInt64,
        onFailure: @escaping @Sendable (any Error) -> Void = { _ in }
    ) throws(ClusterError) -> Bool {
        let frame = try encode(message, requestID: requestID)
        return try submit(frame) { bytes, offset in
            writes.async { [self] in
                do {
                    try writeQueued(bytes, from: offset)
                } catch {
                    onFailure(error)
                }
            }
        }
    }

    /// Blocks until every frame accepted so far has gone to the kernel or failed: a sender that
    /// must not pile up frames for a peer that does not read (a worker's reply path) waits here,
    /// and stops reading or computing meanwhile. A `close()` ends the wait.
    func waitUntilWritten() {
        writes.sync {}
    }

    private func encode(_ message: Message, requestID: UInt64) throws(ClusterError) -> [UInt8] {
        do {
            return try encoder.encodeChecked(message, requestID: requestID)
        } catch {
            throw .messageTooLarge(error)
        }
    }

    /// Writes raw bytes; for `send` and for tests of what a peer does with bytes that are not
    /// frames. Returns once the kernel has taken every byte.
    func write(_ bytes: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            do {
                let sent = try submit(bytes) { bytes, offset in
                    writes.async { [self] in
                        do {
                            try writeQueued(bytes, from: offset)
                            continuation.resume()
                        } catch {
                            continuation.resume(throwing: error)
                        }
                    }
                }
                if sent { continuation.resume() }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Sends `bytes` (sealed first, with TLS) from the calling thread when nothing is queued
    /// before them and the kernel takes them without blocking; otherwise calls `queueRest` with
    /// what is left, under the lock, so that blocks reach `writes` in the order their frames were
    /// accepted (two threads sending at once cannot splice their frames).
    /// - Returns: `true` when every byte was sent here, `false` when the rest was queued.
    private func submit(
        _ bytes: [UInt8],
        queueRest: (_ bytes: [UInt8], _ offset: Int) -> Void
    ) throws(ClusterError) -> Bool {
        let attempt: Result<Bool, ClusterError> = state.withLock { state in
            // Under the lock: `releaseDescriptor` cannot close the descriptor meanwhile.
            guard !state.isOutputClosed else { return .failure(.connectionClosed(peer: peerDescription)) }
            var wire = bytes
            if let tls = state.tls {
                do throws(ClusterError) {
                    wire = try tls.seal(bytes)
                } catch {
                    return .failure(error)
                }
            }
            return sendNow(wire, state: &state).map { rest in
                guard let rest else { return true }
                queueRest(wire, rest)
                return false
            }
        }
        switch attempt {
        case .success(let sent):
            return sent
        case .failure(.systemCall(_, let code)):
            close()
            throw .connectionLost(peer: peerDescription, errno: code)
        case .failure(let error):
            throw error
        }
    }

    /// Under the lock: sends what the kernel takes now, unless writes are queued already.
    /// - Returns: `nil` when every byte went; otherwise the offset of the rest, which the caller
    ///   must queue on `writes` (it is counted in `queuedWrites`).
    private func sendNow(_ bytes: [UInt8], state: inout State) -> Result<Int?, ClusterError> {
        var offset = 0
        if state.queuedWrites == 0 {
            do throws(ClusterError) {
                offset = try socket.sendWithoutBlocking(bytes)
            } catch {
                return .failure(error)
            }
            if offset == bytes.count { return .success(nil) }
        }
        state.queuedWrites += 1
        return .success(offset)
    }

    /// Sends TLS bytes that no caller waits for (handshake messages, alerts): under the lock,
    /// so that they keep their place among the sealed frames.
    private func sendTLSOutput(_ bytes: [UInt8], state: inout State) {
        guard !bytes.isEmpty, !state.isShutDown, case .success(let rest?) = sendNow(bytes, state: &state) else {
            return
        }
        writes.async { [self] in try? writeQueued(bytes, from: rest) }
    }

    /// Runs on `writes` only: what `submit` queued.
    private func writeQueued(_ bytes: [UInt8], from offset: Int) throws(ClusterError) {
        defer { state.withLock { $0.queuedWrites -= 1 } }
        // Frames accepted before a `startFinishing` still go out; after a `close()` nothing does.
        guard !state.withLock({ $0.isShutDown }) else { throw .connectionClosed(peer: peerDescription) }
        do {
            try socket.send(bytes, from: offset)
        } catch {
            let closedByUs = state.withLock { $0.isShutDown }
            guard !closedByUs, case .systemCall(_, let code) = error else {
                throw .connectionClosed(peer: peerDescription)
            }
            close()
            throw .connectionLost(peer: peerDescription, errno: code)
        }
    }

    // MARK: TLS

    /// What the TLS session settled on, once its handshake is complete; `nil` for plaintext.
    public var tlsSummary: TLSSummary? { state.withLock { $0.tls?.summary } }

    /// The TLS exporter value the handshake's MACs include, so that they hold for this TLS
    /// session only (PROTOCOL.md §7.1); empty for plaintext.
    var channelBinding: [UInt8] { state.withLock { $0.tls?.channelBinding ?? [] } }

    /// Sends the session's first bytes (a worker's preamble, a coordinator's ClientHello) and
    /// bounds the handshake in time.
    private func startTLS(timeout: Duration) {
        state.withLock { state in
            guard let first = state.tls?.start() else { return }
            sendTLSOutput(first, state: &state)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout.timeInterval) { [weak self] in
            guard let self, state.withLock({ $0.tlsHandshake.outcome == nil }) else { return }
            close()
        }
    }

    /// Returns once the TLS handshake has completed.
    /// - Throws: why it failed (`ClusterError.tlsFailed`, a lost connection), or
    ///   `CancellationError`.
    private func waitForTLSHandshake() async throws {
        if let outcome = state.withLock({ $0.tlsHandshake.outcome }) { return try outcome.get() }
        let id = state.withLock { $0.tlsHandshake.makeWaiterID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (waiter: TLSHandshakeGate.Waiter) in
                let known: Result<Void, any Error>? = state.withLock { state in
                    if let outcome = state.tlsHandshake.outcome { return outcome.mapError { $0 } }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.tlsHandshake.wait(waiter, id: id)
                    return nil
                }
                if let known { waiter.resume(with: known) }
            }
        } onCancel: {
            state.withLock { $0.tlsHandshake.removeWaiter(id: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Runs on the reader thread: passes received bytes through the TLS session (plaintext to
    /// `decoder`), sends what the session answers, and releases the senders once the handshake
    /// is complete.
    /// - Returns: why the session failed, or `nil`.
    private func openTLS(_ bytes: ArraySlice<UInt8>, into decoder: inout FrameDecoder) -> ClusterError? {
        let (failure, established) = state.withLock { state -> (ClusterError?, [TLSHandshakeGate.Waiter]) in
            guard let tls = state.tls else { return (nil, []) }
            let opened = tls.open(bytes, into: &decoder)
            sendTLSOutput(opened.output, state: &state)
            return (opened.failure, opened.isNewlyEstablished ? state.tlsHandshake.settle(.success(())) : [])
        }
        for waiter in established { waiter.resume() }
        return failure
    }

    /// The failure to report when the stream ends during the TLS handshake (unless we closed it).
    private func tlsEndOfStream() -> ClusterError? {
        state.withLock { state in state.isShutDown ? nil : state.tls?.endOfStream() }
    }

    /// Why a plaintext connection stopped at TLS bytes (only a worker without TLS gets them,
    /// since a TLS worker speaks first in plaintext).
    private static let unexpectedTLS =
        "the coordinator speaks TLS, but this worker was started without --tls-cert: start it with --tls-cert FILE --tls-key FILE, or remove \"tls\" from the coordinator's cluster.json"

    // MARK: Closing

    /// Whether frames can still be sent.
    public var isOpen: Bool { !state.withLock { $0.isOutputClosed } }

    /// Closes the connection now: wakes the reader (the inbound stream finishes after the frames
    /// already received) and a blocked write (which fails). Frames already handed to the kernel
    /// are still delivered. Idempotent.
    public func close() {
        state.withLock { state in
            guard !state.isReleased, !state.isShutDown else { return }
            state.isShutDown = true
            state.isOutputClosed = true
            socket.shutdown()
        }
    }

    /// Closes the connection gracefully: sends the frames already queued, tells the peer that
    /// nothing more follows (FIN), keeps reading until the peer closes too or `lingering` has
    /// passed, then closes.
    ///
    /// Use it after a last frame the peer must read (`goodbye`, an `error` that ends the
    /// connection); a plain `close()` with unread input could make the kernel reset the
    /// connection and the peer lose that frame.
    public func finish(lingering: Duration = PeerConnection.lingerTimeout) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            startFinishing(lingering: lingering) { continuation.resume() }
        }
    }

    /// `finish(lingering:)` without waiting, for code that cannot suspend (a frame handler, a
    /// request queue): no frame can be sent after the call, those sent before it still go out,
    /// then FIN; `done` runs once the FIN is sent.
    public func startFinishing(
        lingering: Duration = PeerConnection.lingerTimeout,
        then done: @escaping @Sendable () -> Void = {}
    ) {
        state.withLock { state in
            state.isOutputClosed = true
            // Under the lock: after every frame accepted before, before any refused after.
            writes.async { [self] in
                closeOutput()
                done()
            }
        }
        closeAfter(lingering)
    }

    /// Whether `close()` (or a release) has shut the socket down: the end of input is ours.
    private var isShutDown: Bool { state.withLock { $0.isShutDown } }

    /// Half-closes: no more frames from us; the peer reads what was sent, then end of stream.
    private func closeOutput() {
        state.withLock { state in
            guard !state.isReleased, !state.isShutDown else { return }
            state.isOutputClosed = true
            // TLS's own end of data, if the kernel takes it now; the peer reads the end of the
            // stream the same way without it.
            if let alert = state.tls?.closeNotify(), !alert.isEmpty, state.queuedWrites == 0 {
                _ = try? socket.sendWithoutBlocking(alert)
            }
            socket.shutdownOutput()
        }
    }

    private func closeAfter(_ delay: Duration) {
        DispatchQueue.global().asyncAfter(deadline: .now() + delay.timeInterval) { [weak self] in
            self?.close()
        }
    }

    /// Closes the descriptor once the reader has stopped, on the write queue so that no write
    /// is using it.
    private func releaseDescriptor() {
        writes.async { [self] in
            state.withLock { state in
                guard !state.isReleased else { return }
                state.isOutputClosed = true
                state.isShutDown = true
                state.isReleased = true
                // FIN now even if a spawned process inherited the descriptor in the instant
                // before it was marked close-on-exec.
                socket.shutdown()
                socket.close()
            }
        }
    }

    // MARK: The reader thread

    /// Reads and decodes until the peer closes, the connection breaks, or we close it.
    ///
    /// Holds the connection only weakly between reads, so a connection nobody uses any more is
    /// released (its `deinit` wakes this thread, which then closes the descriptor).
    private static func read(from socket: Socket, peer: String, owner: () -> PeerConnection?) {
        var decoder = FrameDecoder()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        /// After a refused frame the stream cannot be trusted: read and discard until the peer
        /// has seen our error frame and closed.
        var refused = false
        while true {
            let count: Int
            do throws(ClusterError) {
                count = try socket.receive(into: &buffer)
            } catch {
                if !refused, let connection = owner(), case .systemCall(_, let code) = error {
                    // After our own close() a failing read is just the end.
                    connection.endInput(
                        connection.isShutDown ? .finished : .failed(.connectionLost(peer: peer, errno: code))
                    )
                }
                break
            }
            guard let connection = owner() else { break }
            if count == 0 {
                if !refused {
                    if let failure = connection.tlsEndOfStream() {
                        connection.endInput(.failed(failure))
                    } else if decoder.hasPartialFrame && !connection.isShutDown {
                        connection.refuseTruncatedStream()
                    } else {
                        connection.endInput(.finished)
                    }
                }
                break
            }
            if refused { continue }
            var tlsFailure: ClusterError?
            if connection.usesTLS {
                tlsFailure = connection.openTLS(buffer[0..<count], into: &decoder)
            } else {
                decoder.append(buffer[0..<count])
            }
            do {
                decoder.limits = connection.state.withLock { $0.readLimits }
                while let frame = try decoder.next() {
                    connection.deliver(frame)
                    decoder.limits = connection.state.withLock { $0.readLimits }
                }
            } catch {
                refused = true
                connection.refuse(error, requestID: decoder.failedRequestID ?? 0)
            }
            // Frames from the records before the one that failed still count; then the end.
            if let tlsFailure, !refused {
                refused = true
                connection.startFinishing()
                connection.endInput(.failed(tlsFailure))
            }
        }
        if let connection = owner() {
            // A write blocked on a peer that stopped reading must not hold the descriptor for
            // ever: it is woken (and fails) after the linger.
            connection.closeAfter(lingerTimeout)
            connection.releaseDescriptor()
        } else {
            socket.close()
        }
    }

    private func deliver(_ frame: Frame) {
        delivery.withLock { _ in
            let (handler, receiver) = state.withLock { state in
                state.handler.map { ($0, nil) } ?? (nil, state.inbox.deliver(frame))
            }
            if let handler {
                handler(.frame(requestID: frame.requestID, message: frame.message))
            } else {
                receiver?.resume(returning: frame)
            }
        }
    }

    private func endInput(_ end: FrameInbox.End) {
        let failure: ClusterError
        switch end {
        case .finished: failure = .connectionClosed(peer: peerDescription)
        case .failed(let error): failure = error
        }
        delivery.withLock { _ in
            let (handler, receivers, tlsWaiters) = state.withLock { state in
                // The handler hears the end once, and is then let go (it may hold this connection).
                let handler = state.inbox.end == nil ? state.handler : nil
                state.handler = nil
                return (handler, state.inbox.finish(end), state.tlsHandshake.settle(.failure(failure)))
            }
            for waiter in tlsWaiters { waiter.resume(throwing: failure) }
            handler?(Inbound(end))
            for receiver in receivers {
                switch end {
                case .finished: receiver.resume(returning: nil)
                case .failed(let error): receiver.resume(throwing: error)
                }
            }
        }
    }

    /// Answers a frame the decoder refused with an `error` frame, then closes (PROTOCOL.md §11).
    ///
    /// The frame is queued before the receivers learn of the failure, so that nothing they do in
    /// response (a `finish()`, a `close()`) can overtake it.
    private func refuse(_ error: ProtocolError, requestID: UInt64) {
        sendLastFrame(.error(code: error.errorCode, message: Self.clipped(error.description)), requestID: requestID)
        // A TLS handshake record (type 22, version 3.x) where a frame belongs: the peer speaks
        // TLS and this side does not, which deserves its own advice.
        if case .badMagic(let bytes) = error, bytes.starts(with: [0x16, 0x03]) {
            endInput(.failed(.tlsFailed(peer: peerDescription, reason: Self.unexpectedTLS)))
        } else {
            endInput(.failed(.protocolViolation(peer: peerDescription, error)))
        }
    }

    /// The peer closed in the middle of a frame. It may only have half-closed and still be
    /// reading, so it is told why its frame was dropped.
    private func refuseTruncatedStream() {
        sendLastFrame(
            .error(code: .malformedFrame, message: "the stream ended inside a frame; the frame was discarded"),
            requestID: 0
        )
        endInput(.failed(.closedMidFrame(peer: peerDescription)))
    }

    /// Sends a frame that ends the connection: from now on `send` fails and `isOpen` is false,
    /// the frame goes out after those already queued, then FIN, then a close after the linger.
    private func sendLastFrame(_ message: Message, requestID: UInt64) {
        _ = try? sendWithoutWaiting(message, requestID: requestID)
        startFinishing()
    }

    /// At most 1,024 UTF-8 bytes, cut at a character boundary: an error message must stay
    /// within the string limit even when it quotes a long field of the peer's.
    static func clipped(_ message: String) -> String {
        guard message.utf8.count > 1024 else { return message }
        var clipped = ""
        for character in message {
            guard clipped.utf8.count + character.utf8.count <= 1020 else { break }
            clipped.append(character)
        }
        return clipped + " ..."
    }
}

extension Duration {
    /// Seconds as a `DispatchTimeInterval`-compatible double.
    var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension PeerConnection.Inbound {
    init(_ end: FrameInbox.End) {
        switch end {
        case .finished: self = .finished
        case .failed(let error): self = .failed(error)
        }
    }
}
