import Cluster
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 server on the project's own sockets: a thread accepts, and each connection is
/// served by a thread of its own (at most `maxConnections`), which reads with deadlines,
/// parses (`HTTPRequestParser`), hands each complete request to the handler and writes the
/// response, keeping the connection open for the next one unless either side says otherwise.
///
/// Why threads: a connection spends its life blocked in `poll`, `recv` or `send`, which must
/// not sit on Swift's cooperative pool (two threads on a two-core machine); the handler, which
/// is async, runs on that pool while the connection's thread waits for it. A bounded number of
/// threads each holding a few pages of stack is cheap beside a model's prediction.
///
/// ```swift
/// let server = try HTTPServer(configuration: configuration) { request in .json(...) }
/// let port = try server.start()   // bound and listening (port 0 picks a free one)
/// try await server.run()          // returns after stop() once every connection is done
/// ```
///
/// `stop()` (SIGTERM): no new connections; idle ones close at once; a request being received or
/// answered is finished and answered with `Connection: close`; then `run()` returns. The accept
/// and connection threads hold the server until then: a started server lives until stopped.
public final class HTTPServer: Sendable {
    /// Answers one complete request.
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse
    /// Looks at a request's head before its body is read: a response to send instead (such as
    /// 401 without credentials), after which the connection closes, or `nil` to go on.
    public typealias HeadCheck = @Sendable (HTTPRequestHead) -> HTTPResponse?

    public let configuration: HTTPServerConfiguration
    private let handler: Handler
    private let check: HeadCheck?
    private let state = Mutex(State())

    private struct State {
        var listener: Socket?
        var wake: WakePipe?
        var port: UInt16?
        /// The connections being served; `idleSince` is set while one waits between requests.
        var connections: [UInt64: (socket: Socket, idleSince: ContinuousClock.Instant?)] = [:]
        var nextID: UInt64 = 0
        /// Connection threads still running (an evicted connection leaves `connections` first).
        var threads = 0
        var isAccepting = false
        var isStopping = false
        var waiters: [CheckedContinuation<Void, Never>] = []

        var isFinished: Bool { isStopping && !isAccepting && threads == 0 }
    }

    /// - Throws: `HTTPError.invalidConfiguration` for a value out of range.
    public init(
        configuration: HTTPServerConfiguration,
        check: HeadCheck? = nil,
        handler: @escaping Handler
    ) throws(HTTPError) {
        try configuration.validate()
        self.configuration = configuration
        self.check = check
        self.handler = handler
    }

    /// The bound port, once started.
    public var port: UInt16? { state.withLock { $0.port } }

    /// The connections being served, and how many of them wait between requests (the ones
    /// `stop()` closes at once and a new client may displace).
    public var connectionCounts: (open: Int, idle: Int) {
        state.withLock { state in
            (state.connections.count, state.connections.values.filter { $0.idleSince != nil }.count)
        }
    }

    /// Binds, listens and starts accepting. Calling it again returns the same port.
    /// - Returns: the bound port (the kernel's choice for port 0).
    /// - Throws: `HTTPError.listenFailed`, or `.authenticationRequired` when the bound address
    ///   is not loopback and `allowsRemoteClients` is false.
    @discardableResult
    public func start() throws(HTTPError) -> UInt16 {
        let result: Result<UInt16, HTTPError> = state.withLock { state in
            if let port = state.port { return .success(port) }
            do throws(HTTPError) {
                let socket: Socket
                do throws(ClusterError) {
                    socket = try Socket.listen(on: configuration.listen)
                } catch {
                    throw .listenFailed(error)
                }
                let wake: WakePipe
                do throws(HTTPError) {
                    // Checked on the bound address, so a host name that resolves to a public
                    // address is caught as well as 0.0.0.0.
                    if !configuration.allowsRemoteClients && socket.localAddress?.isLoopback != true {
                        throw .authenticationRequired(listen: configuration.listen)
                    }
                    do throws(ClusterError) { wake = try WakePipe() } catch { throw .listenFailed(error) }
                } catch {
                    socket.close()
                    throw error
                }
                let port = socket.localAddress?.endpoint?.port ?? configuration.listen.port
                state.listener = socket
                state.wake = wake
                state.port = port
                state.isAccepting = true
                if state.isStopping { wake.signal() }
                let thread = Thread { [self] in
                    SystemCall.nameCurrentThread("qlstm-http")
                    acceptConnections(on: socket, wake: wake)
                }
                thread.start()
                return .success(port)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Serves until `stop()` and every connection has finished; starts the server first if
    /// `start()` has not been called.
    public func run() async throws(HTTPError) {
        let port = try start()
        configuration.log(
            "listening on \(Endpoint(host: configuration.listen.host, port: port)) "
                + "(at most \(configuration.maxConnections) connections, bodies up to \(configuration.limits.maxBodyBytes) bytes, "
                + "requests within \(configuration.requestTimeout.secondsText))"
        )
        await withCheckedContinuation { continuation in
            let finished = state.withLock { state in
                if state.isFinished { return true }
                state.waiters.append(continuation)
                return false
            }
            if finished { continuation.resume() }
        }
        configuration.log("stopped")
    }

    /// Stops gracefully: see the type's description. Idempotent.
    public func stop() {
        let (first, busy): (Bool, Int) = state.withLock { state in
            guard !state.isStopping else { return (false, 0) }
            state.isStopping = true
            state.wake?.signal()
            var busy = 0
            for (_, connection) in state.connections {
                // Under the lock: a connection's thread closes its socket only after leaving
                // `connections`, so this descriptor is still the connection's.
                if connection.idleSince != nil { connection.socket.shutdown() } else { busy += 1 }
            }
            return (true, busy)
        }
        guard first else { return }
        configuration.log("stopping: finishing \(busy) request(s) in progress")
        finishIfDone()
    }

    // MARK: Accepting

    private func acceptConnections(on listener: Socket, wake: WakePipe) {
        var descriptors = [
            pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wake.reader, events: Int16(POLLIN), revents: 0),
        ]
        accepting: while true {
            let ready = poll(&descriptors, 2, -1)
            if ready == -1 {
                if errno == EINTR { continue }
                configuration.log("stopped listening: \(ClusterError.systemCall(call: "poll", errno: errno))")
                break
            }
            if descriptors[1].revents != 0 { break }
            while true {
                let socket: Socket
                do {
                    guard let accepted = try listener.accept() else { break }
                    socket = accepted
                } catch {
                    configuration.log("\(error); still listening")
                    usleep(100_000)
                    break
                }
                if !admit(socket) { continue accepting }
            }
        }
        listener.close()
        state.withLock { $0.isAccepting = false }
        finishIfDone()
    }

    /// Registers a new connection and starts its thread; at the limit, first makes room by
    /// closing the connection idle the longest, or refuses with 503.
    /// - Returns: false once the server is stopping.
    private func admit(_ socket: Socket) -> Bool {
        enum Admission {
            case admitted(UInt64)
            case full
            case stopping
        }
        let admission: Admission = state.withLock { state in
            if state.isStopping { return .stopping }
            if state.connections.count >= configuration.maxConnections {
                let idle = state.connections.filter { $0.value.idleSince != nil }
                guard let oldest = idle.min(by: { $0.value.idleSince! < $1.value.idleSince! }) else { return .full }
                // Its thread wakes from `poll`, finds the connection closed and leaves.
                oldest.value.socket.shutdown()
                state.connections[oldest.key] = nil
            }
            state.nextID += 1
            state.connections[state.nextID] = (socket, ContinuousClock.now)
            state.threads += 1
            return .admitted(state.nextID)
        }
        switch admission {
        case .stopping:
            socket.close()
            return false
        case .full:
            let refusal = HTTPResponse.error(
                503,
                "the server is answering \(configuration.maxConnections) connections: try again shortly"
            )
            _ = try? socket.sendWithoutBlocking(refusal.serialized(keepAlive: false))
            socket.close()
            configuration.log("refused a connection: \(configuration.maxConnections) connections are open")
            return true
        case .admitted(let id):
            let thread = Thread { [self] in
                SystemCall.nameCurrentThread("qlstm-http-conn")
                serve(socket, id: id)
            }
            thread.start()
            return true
        }
    }

    private func finishIfDone() {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            guard state.isFinished else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    // MARK: One connection

    /// Serves one connection until either side closes it, a deadline passes or the server stops.
    private func serve(_ socket: Socket, id: UInt64) {
        defer {
            state.withLock { state in
                state.connections[id] = nil
                state.threads -= 1
            }
            socket.close()
            finishIfDone()
        }
        let connection = Connection(socket: socket, timeout: configuration.requestTimeout)
        var parser = HTTPRequestParser(limits: configuration.limits)
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        // Waiting for a request, the first or the next, is idling: bounded by the idle timeout,
        // and such a connection gives way to a new client when all places are taken.
        var deadline = ContinuousClock.now + configuration.idleTimeout
        while true {
            do throws(HTTPError) {
                while let event = try parser.next() {
                    switch event {
                    case .head(let head):
                        if let refusal = check?(head) {
                            connection.send(refusal, keepAlive: false, includeBody: head.method != "HEAD")
                            return
                        }
                        if head.expectsContinue && parser.bufferedByteCount < head.contentLength {
                            guard connection.send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return }
                        }
                    case .request(let request):
                        let response = respond(to: request)
                        let keepAlive = request.head.keepAlive && !state.withLock { $0.isStopping }
                        guard
                            connection.send(response, keepAlive: keepAlive, includeBody: request.method != "HEAD"),
                            keepAlive
                        else { return }
                        if parser.isIdle {
                            guard markIdle(id) else { return }
                            deadline = ContinuousClock.now + configuration.idleTimeout
                        } else {
                            deadline = ContinuousClock.now + configuration.requestTimeout
                        }
                    }
                }
            } catch {
                connection.send(.error(error.status ?? 400, error.description), keepAlive: false, includeBody: true)
                return
            }
            guard let count = connection.receive(into: &chunk, until: deadline) else {
                // Bytes that came in time but were not read yet (a busy machine) still count.
                let late = connection.receiveAvailable(into: &chunk)
                if late > 0 { parser.append(chunk[0..<late]) }
                if !parser.isIdle {
                    let late = HTTPError.requestTimedOut(after: configuration.requestTimeout)
                    connection.send(.error(408, late.description), keepAlive: false, includeBody: true)
                }
                return
            }
            guard count > 0 else { return }
            if parser.isIdle {
                markBusy(id)
                deadline = ContinuousClock.now + configuration.requestTimeout
            }
            parser.append(chunk[0..<count])
        }
    }

    /// Records that a connection waits between requests (so `stop()` may close it).
    /// - Returns: false when it should close instead: the server is stopping, or the connection
    ///   was closed to make room.
    private func markIdle(_ id: UInt64) -> Bool {
        state.withLock { state in
            guard !state.isStopping, state.connections[id] != nil else { return false }
            state.connections[id]?.idleSince = ContinuousClock.now
            return true
        }
    }

    private func markBusy(_ id: UInt64) {
        state.withLock { $0.connections[id]?.idleSince = nil }
    }

    /// Runs the async handler from the connection's thread, which waits for it.
    private func respond(to request: HTTPRequest) -> HTTPResponse {
        let response = Mutex<HTTPResponse?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task { [handler] in
            let answer = await handler(request)
            response.withLock { $0 = answer }
            done.signal()
        }
        done.wait()
        return response.withLock { $0! }
    }
}

/// A connection's socket with the deadlines of `HTTPServer`: reads wait in `poll` until a
/// deadline, writes are non-blocking and give up when the client has not taken the bytes
/// within the request timeout.
private struct Connection {
    let socket: Socket
    let timeout: Duration

    /// Reads what is available, waiting until `deadline`.
    /// - Returns: the byte count (0 when the client closed, or the connection broke), or `nil`
    ///   when the deadline passed first.
    func receive(into buffer: inout [UInt8], until deadline: ContinuousClock.Instant) -> Int? {
        var descriptor = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return nil }
            let ready = poll(&descriptor, 1, remaining.pollMilliseconds)
            if ready == -1 && errno != EINTR { return 0 }
            if ready > 0 { break }
        }
        return (try? socket.receive(into: &buffer)) ?? 0
    }

    /// Reads what has already arrived, without waiting: 0 when nothing has.
    func receiveAvailable(into buffer: inout [UInt8]) -> Int {
        var descriptor = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return 0 }
        return (try? socket.receive(into: &buffer)) ?? 0
    }

    @discardableResult
    func send(_ response: HTTPResponse, keepAlive: Bool, includeBody: Bool) -> Bool {
        send(response.serialized(keepAlive: keepAlive, includeBody: includeBody))
    }

    /// Sends every byte, or gives up (false) when the client stops taking them for `timeout`.
    func send(_ bytes: [UInt8]) -> Bool {
        let deadline = ContinuousClock.now + timeout
        var offset = 0
        while offset < bytes.count {
            guard let sent = try? socket.sendWithoutBlocking(bytes, from: offset) else { return false }
            offset += sent
            if offset == bytes.count { break }
            var descriptor = pollfd(fd: socket.descriptor, events: Int16(POLLOUT), revents: 0)
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return false }
            if poll(&descriptor, 1, remaining.pollMilliseconds) == -1 && errno != EINTR { return false }
        }
        return true
    }
}
