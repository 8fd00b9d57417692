import ClusterProtocol
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A QPU worker: listens for coordinators and serves each connection with its own circuits,
/// parameters and executor.
///
/// Use it in two steps, so that a caller can publish the port before serving (port 0 picks a
/// free one):
///
/// ```swift
/// let server = try WorkerServer(configuration: configuration)
/// let port = try server.start()      // bound and listening
/// print("listening on 127.0.0.1:\(port)")
/// try await server.run()              // serves until stop() and every connection is done
/// ```
///
/// A dedicated thread accepts connections (a blocking `poll` must not sit on the cooperative
/// pool); each connection is served by its own task. As in swift-nio's `NIOTCPEchoServer`,
/// errors stay with the connection that caused them: a peer that sends garbage is answered
/// with an `error` frame and disconnected, and every other connection carries on.
///
/// Connections still authenticating and authenticated ones are counted apart
/// (`maxPendingHandshakes`, `maxConnections`), so that sockets that never authenticate cannot
/// take coordinators' places, and those authenticating are also counted per client machine,
/// so that a flood from one machine cannot keep others from connecting. All connections share
/// one `MemoryBudget` of `memoryLimit` bytes.
public final class WorkerServer: Sendable {
    public let configuration: WorkerConfiguration
    private let state = Mutex(State())
    private let budget: MemoryBudget

    private struct State {
        var listener: Listener?
        /// The accepted sockets, until `run()` takes them (only one `run()` serves).
        var accepted: AsyncStream<Socket>?
        var name: String?
        var endpoint: Endpoint?
        /// Every connection being served, authenticating or not.
        var sessions: [UInt64: WorkerSession] = [:]
        /// The connections still in their handshake, oldest first, with their client machine.
        var pending: [(id: UInt64, client: [UInt8])] = []
        /// The connections that completed it; the rest of `sessions` are closing.
        var authenticated: Set<UInt64> = []
        var nextSessionID: UInt64 = 0
        var isStopping = false
    }

    /// The listening socket (closed by the accept thread as it leaves) and the pipe that wakes
    /// that thread.
    private struct Listener: Sendable {
        var socket: Socket
        var wake: WakePipe
    }

    /// A worker that will listen as `configuration` says.
    /// - Throws: `ClusterError.invalidWorkerConfiguration` for a value out of range.
    public init(configuration: WorkerConfiguration) throws(ClusterError) {
        try configuration.validate()
        self.configuration = configuration
        budget = MemoryBudget(limit: configuration.memoryLimit)
    }

    deinit {
        // A server dropped without stop() must not leave its accept thread and port behind.
        state.withLock { $0.listener?.wake.signal() }
    }

    /// The worker's name in `hello` (the configured one, else `hostname:port`), once started.
    public var name: String? { state.withLock { $0.name } }

    /// The listening endpoint with the bound port, once started.
    public var endpoint: Endpoint? { state.withLock { $0.endpoint } }

    /// Binds and listens, and starts accepting connections (they wait for `run()`).
    ///
    /// Calling it again returns the same port.
    /// - Returns: the bound port (the kernel's choice when the configuration asks for port 0).
    /// - Throws: `ClusterError.listenFailed` (such as address in use), `.addressResolution`,
    ///   `.secretRequired` (no secret, not loopback, not `allowsRemoteWithoutSecret`), or
    ///   `.systemCall`.
    @discardableResult
    public func start() throws(ClusterError) -> UInt16 {
        let result: Result<UInt16, ClusterError> = state.withLock { state in
            if let endpoint = state.endpoint { return .success(endpoint.port) }
            do throws(ClusterError) {
                let socket = try Socket.listen(on: configuration.listen)
                let listener: Listener
                do throws(ClusterError) {
                    // Checked on the bound address, so that a host name that resolves to a
                    // public address is caught as well as 0.0.0.0.
                    if configuration.secret == nil && !configuration.allowsRemoteWithoutSecret
                        && socket.localAddress?.isLoopback != true
                    {
                        throw ClusterError.secretRequired(listen: configuration.listen)
                    }
                    listener = Listener(socket: socket, wake: try WakePipe())
                } catch {
                    socket.close()
                    throw error
                }
                let port = socket.localAddress?.endpoint?.port ?? configuration.listen.port
                let (accepted, continuation) = AsyncStream<Socket>.makeStream()
                let name = configuration.name ?? Self.hostName() + ":\(port)"
                let report: @Sendable (String) -> Void = { [log = configuration.log] in log(name, $0) }
                let thread = Thread {
                    SystemCall.nameCurrentThread("qlstm-accept")
                    Self.accept(on: listener, into: continuation, report: report)
                }
                thread.start()
                state.listener = listener
                state.accepted = accepted
                state.endpoint = Endpoint(host: configuration.listen.host, port: port)
                state.name = name
                if state.isStopping { listener.wake.signal() }
                return .success(port)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Serves connections until `stop()`, then waits for every connection to finish; starts the
    /// server first if `start()` has not been called.
    ///
    /// Returns at once when another `run()` is already serving.
    /// - Throws: what `start()` throws; nothing once serving.
    public func run() async throws {
        try start()
        let taken: (AsyncStream<Socket>, String)? = state.withLock { state in
            defer { state.accepted = nil }
            return state.accepted.map { ($0, state.name ?? "worker") }
        }
        guard let (accepted, name) = taken else { return }
        let address = endpoint.map(String.init(describing:)) ?? "?"
        configuration.log(name, "listening on \(address)")
        configuration.log(
            name,
            "limits: memory \(ByteCount(configuration.memoryLimit)), \(configuration.maxConnections) connections "
                + "(and \(configuration.maxPendingHandshakes) authenticating, \(configuration.maxPendingHandshakesPerClient) per client, "
                + "\(configuration.handshakeTimeout) each), "
                + "idle timeout \(configuration.idleTimeout)"
        )
        if configuration.secret == nil {
            configuration.log(
                name,
                configuration.allowsRemoteWithoutSecret
                    ? "WARNING: no shared secret and --insecure: anyone who reaches \(address) can use this worker"
                    : "warning: no shared secret: any local user can use this worker (give --secret-file to require one)"
            )
        }
        await withDiscardingTaskGroup { group in
            for await socket in accepted {
                let client = socket.peerAddress?.hostPrefix ?? []
                let connection = PeerConnection(
                    socket: socket,
                    limits: configuration.limits,
                    tls: configuration.tls,
                    tlsTimeout: configuration.handshakeTimeout
                )
                let session = WorkerSession(
                    connection: connection,
                    configuration: configuration,
                    workerName: name,
                    budget: budget
                )
                switch admit(session, from: client) {
                case .admitted(let id, let evicted):
                    evicted?.evict()
                    group.addTask {
                        await session.serve { self.authenticated(id) }
                        self.state.withLock { state in
                            state.sessions[id] = nil
                            state.pending.removeAll { $0.id == id }
                            state.authenticated.remove(id)
                        }
                    }
                case .refused(let code, let reason):
                    group.addTask { await session.refuse(code: code, reason: reason) }
                }
            }
        }
        configuration.log(name, "stopped")
    }

    private enum Admission {
        /// Taken into the pool of connections authenticating; `evicted` is the oldest one,
        /// dropped to make room.
        case admitted(UInt64, evicted: WorkerSession?)
        case refused(ErrorCode, String)
    }

    /// Takes a new connection into the handshake pool. A client machine at its own limit loses
    /// its oldest pending connection; a full pool loses the oldest of the machine with the
    /// most. A coordinator completes its handshake in a round trip, so the oldest is the
    /// likeliest to be a socket that will never authenticate.
    private func admit(_ session: WorkerSession, from client: [UInt8]) -> Admission {
        state.withLock { state in
            if state.isStopping {
                return .refused(.shuttingDown, "the worker is stopping: connect to another worker")
            }
            var counts: [[UInt8]: Int] = [:]
            for entry in state.pending { counts[entry.client, default: 0] += 1 }
            var victim: Int?
            if counts[client, default: 0] >= configuration.maxPendingHandshakesPerClient {
                victim = state.pending.firstIndex { $0.client == client }
            } else if state.pending.count >= configuration.maxPendingHandshakes {
                let most = counts.values.max() ?? 0
                victim = state.pending.firstIndex { counts[$0.client] == most }
            }
            let evicted = victim.flatMap { state.sessions[state.pending.remove(at: $0).id] }
            state.nextSessionID += 1
            state.sessions[state.nextSessionID] = session
            state.pending.append((state.nextSessionID, client))
            return .admitted(state.nextSessionID, evicted: evicted)
        }
    }

    /// Moves an authenticated connection out of the handshake pool, or says why it is refused.
    private func authenticated(_ id: UInt64) -> (code: ErrorCode, reason: String)? {
        state.withLock { state in
            if state.isStopping { return (.shuttingDown, "the worker is stopping: connect to another worker") }
            guard state.sessions[id] != nil, state.pending.contains(where: { $0.id == id }) else {
                return (.internalError, "the connection was dropped during its handshake: connect again")
            }
            guard state.authenticated.count < configuration.maxConnections else {
                return (
                    .internalError,
                    "the worker already serves \(configuration.maxConnections) connections: try again later or use another worker"
                )
            }
            state.pending.removeAll { $0.id == id }
            state.authenticated.insert(id)
            return nil
        }
    }

    /// Stops gracefully (for SIGTERM): no new connections; each connection finishes the request
    /// it is running and those already queued, answers later ones with `shuttingDown`, says
    /// `goodbye` and closes. `run()` returns once all are done. Idempotent.
    public func stop() {
        let stopping: (sessions: [WorkerSession], name: String)? = state.withLock { state in
            guard !state.isStopping else { return nil }
            state.isStopping = true
            state.listener?.wake.signal()
            return (Array(state.sessions.values), state.name ?? "worker")
        }
        guard let stopping else { return }
        configuration.log(stopping.name, "stopping: finishing \(stopping.sessions.count) connections")
        for session in stopping.sessions { session.stop() }
    }

    /// The accept loop: waits on the listener and the wake pipe, accepts every pending
    /// connection, and hands it to `run()`. A failing accept (out of descriptors) is reported
    /// and retried after a pause instead of ending the server.
    private static func accept(
        on listener: Listener,
        into accepted: AsyncStream<Socket>.Continuation,
        report: @Sendable (String) -> Void
    ) {
        var descriptors = [
            pollfd(fd: listener.socket.descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: listener.wake.reader, events: Int16(POLLIN), revents: 0),
        ]
        serving: while true {
            let ready = poll(&descriptors, 2, -1)
            if ready == -1 {
                if errno == EINTR { continue }
                report("stopped listening: \(ClusterError.systemCall(call: "poll", errno: errno))")
                break
            }
            if descriptors[1].revents != 0 { break }
            if descriptors[0].revents & Int16(POLLERR | POLLNVAL) != 0 {
                report("stopped listening: the listening socket failed")
                break
            }
            while true {
                do {
                    guard let socket = try listener.socket.accept() else { break }
                    if case .terminated = accepted.yield(socket) {
                        socket.close()
                        break serving
                    }
                } catch {
                    report("\(error); still listening")
                    usleep(100_000)
                    break
                }
            }
        }
        listener.socket.close()
        accepted.finish()
    }

    /// This machine's host name, for the default worker name.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
