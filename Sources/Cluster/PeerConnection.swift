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
/// `incoming` / `receive()`, and writes run one after another on a private serial queue, so
/// frames sent from many tasks never interleave and a slow peer blocks only that queue.
///
/// A frame the decoder refuses is answered with an `error` frame (code and request id from the
/// decoder) and the connection is closed; the inbound stream then throws
/// `ClusterError.protocolViolation`.
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
    }

    /// Connects to a worker (or any peer) at `endpoint`.
    ///
    /// Name resolution and the connect run on a Dispatch thread, bounded by `timeout`.
    /// - Parameters:
    ///   - endpoint: where to connect.
    ///   - timeout: the longest the connect may take, all addresses of the host together.
    ///   - limits: the limits of this connection's frames after the handshake.
    /// - Throws: `ClusterError.addressResolution`, `.connectFailed` or `.connectTimedOut`.
    public static func connect(
        to endpoint: Endpoint,
        timeout: Duration,
        limits: ProtocolLimits = .standard
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
        return PeerConnection(socket: socket, limits: limits)
    }

    /// Takes ownership of a connected socket and starts reading from it.
    init(socket: Socket, limits: ProtocolLimits) {
        self.socket = socket
        self.limits = limits
        encoder = FrameEncoder(limits: limits)
        let peer = socket.peerAddress?.endpoint?.description ?? "an unknown peer"
        peerDescription = peer
        writes = DispatchQueue(label: "qlstm.peer-connection.writes")
        state = Mutex(State(readLimits: limits.forHandshake))
        let thread = Thread { [weak self] in
            PeerConnection.read(from: socket, peer: peer) { self }
        }
        thread.name = "qlstm reader \(peer)"
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
        let frame: [UInt8]
        do {
            frame = try encoder.encodeChecked(message, requestID: requestID)
        } catch {
            throw ClusterError.messageTooLarge(error)
        }
        try await write(frame)
    }

    /// Queues one message as one frame and returns at once: frames still leave in order, and a
    /// failed write is reported to `onFailure` (on the write queue). A coordinator sending a
    /// request to every worker uses it so that the frames go out in parallel, without waiting
    /// for each write in turn.
    /// - Throws: `ClusterError.messageTooLarge` when the message breaks `limits`.
    public func enqueue(
        _ message: Message,
        requestID: UInt64,
        onFailure: @escaping @Sendable (any Error) -> Void
    ) throws(ClusterError) {
        let frame: [UInt8]
        do {
            frame = try encoder.encodeChecked(message, requestID: requestID)
        } catch {
            throw .messageTooLarge(error)
        }
        writes.async { [self] in
            do {
                try writeNow(frame)
            } catch {
                onFailure(error)
            }
        }
    }

    /// Writes raw bytes on the write queue; for `send` and for tests of what a peer does with
    /// bytes that are not frames.
    func write(_ bytes: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            writes.async { [self] in
                do {
                    try writeNow(bytes)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Runs on `writes` only.
    private func writeNow(_ bytes: [UInt8]) throws(ClusterError) {
        guard !state.withLock({ $0.isOutputClosed }) else { throw .connectionClosed(peer: peerDescription) }
        do {
            try socket.send(bytes)
        } catch {
            let closedByUs = state.withLock { $0.isOutputClosed }
            guard !closedByUs, case .systemCall(_, let code) = error else {
                throw .connectionClosed(peer: peerDescription)
            }
            close()
            throw .connectionLost(peer: peerDescription, errno: code)
        }
    }

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
            writes.async { [self] in
                closeOutput()
                continuation.resume()
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
                    if decoder.hasPartialFrame && !connection.isShutDown {
                        connection.refuseTruncatedStream()
                    } else {
                        connection.endInput(.finished)
                    }
                }
                break
            }
            if refused { continue }
            decoder.append(buffer[0..<count])
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
        state.withLock { $0.inbox.deliver(frame) }?.resume(returning: frame)
    }

    private func endInput(_ end: FrameInbox.End) {
        let receivers = state.withLock { $0.inbox.finish(end) }
        for receiver in receivers {
            switch end {
            case .finished: receiver.resume(returning: nil)
            case .failed(let error): receiver.resume(throwing: error)
            }
        }
    }

    /// Answers a frame the decoder refused with an `error` frame, then closes (PROTOCOL.md §11).
    ///
    /// The frame is queued before the receivers learn of the failure, so that nothing they do in
    /// response (a `finish()`, a `close()`) can overtake it.
    private func refuse(_ error: ProtocolError, requestID: UInt64) {
        sendLastFrame(.error(code: error.errorCode, message: Self.clipped(error.description)), requestID: requestID)
        endInput(.failed(.protocolViolation(peer: peerDescription, error)))
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
        let frame = encoder.encode(message, requestID: requestID)
        state.withLock { $0.isOutputClosed = true }
        writes.async { [self] in
            if state.withLock({ !$0.isShutDown && !$0.isReleased }) { try? socket.send(frame) }
            closeOutput()
        }
        closeAfter(Self.lingerTimeout)
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
