import Cluster
import Dispatch
import Synchronization
import Testing

@testable import HTTPServer

/// The server on real sockets on 127.0.0.1: keep-alive, pipelining, refusals before the body,
/// deadlines, the connection limit and a graceful stop.
@Suite("HTTP server", .timeLimit(.minutes(1)))
struct HTTPServerTests {
    /// A started server whose handler echoes the method, path and body size, and for `/gate`
    /// first waits until `gate` opens; `check` refuses heads without `Authorization: Bearer good`.
    static func server(
        gate: Gate = Gate(),
        _ configure: (inout HTTPServerConfiguration) -> Void = { _ in }
    ) throws -> (HTTPServer, UInt16, Task<Void, any Error>) {
        var configuration = HTTPServerConfiguration(
            listen: Endpoint(host: "127.0.0.1", port: 0),
            limits: .init(maxBodyBytes: 1000)
        )
        configure(&configuration)
        let server = try HTTPServer(
            configuration: configuration,
            check: { head in
                head.headers["Authorization"] == "Bearer good" ? nil : .error(401, "no token")
            },
            handler: { request in
                if request.path == "/gate" { await gate.pass() }
                return .json(
                    .object([
                        ("method", .string(request.method)), ("path", .string(String(request.path))),
                        ("bytes", .integer(request.body.count)),
                    ])
                )
            }
        )
        let port = try server.start()
        let running = Task { try await server.run() }
        return (server, port, running)
    }

    /// Waits until the server has `open` connections of which `idle` wait between requests
    /// (the server sees a client's bytes a moment after they are sent).
    static func waitFor(_ server: HTTPServer, open: Int, idle: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while server.connectionCounts != (open, idle) {
            guard ContinuousClock.now < deadline else {
                Issue.record("the server has \(server.connectionCounts), not (\(open), \(idle))")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    static func get(_ path: String, extra: String = "") -> String {
        "GET \(path) HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer good\r\n\(extra)\r\n"
    }

    @Test("pipelined requests are answered in order on one kept-alive connection; Connection: close ends it")
    func keepAliveAndPipelining() async throws {
        let (server, port, running) = try Self.server()
        let client = try await TestClient.connect(port: port)
        try await client.send(Self.get("/a") + Self.get("/b"))
        let first = try #require(try await client.response())
        let second = try #require(try await client.response())
        #expect(first.status == 200 && first.body.contains("\"path\":\"/a\""), "\(first)")
        #expect(second.body.contains("\"path\":\"/b\"") && second.headers["connection"] == "keep-alive")
        try await client.send(
            "POST /c HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer good\r\nContent-Length: 3\r\nConnection: close\r\n\r\nxyz"
        )
        let last = try #require(try await client.response())
        #expect(last.body.contains("\"bytes\":3") && last.headers["connection"] == "close", "\(last)")
        #expect(try await client.isClosedByServer())
        server.stop()
        try await running.value
    }

    @Test("401, 411 and 413 are answered from the head alone, without waiting for a body, and close")
    func refusalsBeforeTheBody() async throws {
        let (server, port, running) = try Self.server()
        let cases = [
            ("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n", 401),
            ("POST /p HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer bad\r\nContent-Length: 10\r\n\r\n", 401),
            ("POST /p HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer good\r\nContent-Length: 1001\r\n\r\n", 413),
            ("POST /p HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer good\r\n\r\n", 411),
            ("GET /p HTTP/1.1\r\nAuthorization: Bearer good\r\n\r\n", 400),
        ]
        for (request, status) in cases {
            let client = try await TestClient.connect(port: port)
            try await client.send(request)
            let response = try #require(try await client.response())
            #expect(response.status == status, "\(request.debugDescription): \(response)")
            #expect(response.headers["content-type"] == "application/json")
            #expect(response.body.hasPrefix("{\"error\":\""), "\(response.body)")
            #expect(try await client.isClosedByServer())
        }
        server.stop()
        try await running.value
    }

    @Test("Expect: 100-continue gets 100 Continue before the body is sent")
    func continueBeforeTheBody() async throws {
        let (server, port, running) = try Self.server()
        let client = try await TestClient.connect(port: port)
        try await client.send(
            "POST /p HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer good\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
        )
        #expect(try await client.response()?.status == 100)
        try await client.send("ok")
        let response = try #require(try await client.response())
        #expect(response.status == 200 && response.body.contains("\"bytes\":2"))
        server.stop()
        try await running.value
    }

    @Test("a client that sends its head too slowly gets 408 and is closed")
    func slowHead() async throws {
        let (server, port, running) = try Self.server {
            $0.requestTimeout = .milliseconds(500)
            $0.idleTimeout = .seconds(60)
        }
        let slow = try await TestClient.connect(port: port)
        try await slow.send("GET /a HTTP/1.1\r\nHo")
        let clock = ContinuousClock()
        let start = clock.now
        let late = try #require(try await slow.response())
        #expect(late.status == 408 && late.body.contains("did not arrive within 0.5 s"), "\(late)")
        #expect(try await slow.isClosedByServer())
        #expect(clock.now - start < .seconds(30), "the request timeout, not the idle timeout, ended it")
        server.stop()
        try await running.value
    }

    @Test("a connection that waits for its first request, or its next, is closed after the idle timeout")
    func idleConnections() async throws {
        let (server, port, running) = try Self.server { $0.idleTimeout = .milliseconds(300) }
        let silent = try await TestClient.connect(port: port)
        #expect(try await silent.isClosedByServer())
        let idle = try await TestClient.connect(port: port, sending: Self.get("/a"))
        #expect(try await idle.response()?.status == 200)
        #expect(try await idle.isClosedByServer())
        try await Self.waitFor(server, open: 0, idle: 0)
        server.stop()
        try await running.value
    }

    @Test("stop(): the request in progress is answered with Connection: close, idle connections close, run() returns")
    func gracefulStop() async throws {
        let gate = Gate()
        let (server, port, running) = try Self.server(gate: gate)
        let idle = try await TestClient.connect(port: port)
        try await idle.send(Self.get("/a"))
        #expect(try await idle.response()?.status == 200)
        let busy = try await TestClient.connect(port: port)
        try await busy.send(Self.get("/gate"))
        while gate.arrivals == 0 { try await Task.sleep(for: .milliseconds(5)) }
        server.stop()
        #expect(try await idle.isClosedByServer())
        gate.open()
        let answer = try #require(try await busy.response())
        #expect(answer.status == 200 && answer.headers["connection"] == "close", "\(answer)")
        try await running.value
        await #expect(throws: (any Error).self) { _ = try await TestClient.connect(port: port) }
    }

    @Test("at the connection limit a new client takes an idle connection's place, or gets 503 when none is idle")
    func connectionLimit() async throws {
        let (server, port, running) = try Self.server {
            $0.maxConnections = 1
            $0.requestTimeout = .seconds(60)
        }
        let first = try await TestClient.connect(port: port)
        try await first.send("GET /a HTTP/1.1\r\n")  // a request in progress: not idle
        try await Self.waitFor(server, open: 1, idle: 0)
        let refused = try await TestClient.connect(port: port)
        let busy = try #require(try await refused.response())
        #expect(busy.status == 503 && busy.body.contains("1 connections"), "\(busy)")

        try await first.send("Host: t\r\nAuthorization: Bearer good\r\n\r\n")
        #expect(try await first.response()?.status == 200)
        try await Self.waitFor(server, open: 1, idle: 1)
        let second = try await TestClient.connect(port: port)
        try await second.send(Self.get("/b"))
        #expect(try await second.response()?.status == 200)
        #expect(try await first.isClosedByServer(), "the idle connection made room")
        server.stop()
        try await running.value
    }

    @Test("without authentication the server refuses to listen beyond loopback")
    func loopbackOnly() throws {
        let server = try HTTPServer(configuration: HTTPServerConfiguration(listen: Endpoint(host: "0.0.0.0", port: 0)))
        {
            _ in .error(500, "unused")
        }
        #expect(throws: HTTPError.authenticationRequired(listen: Endpoint(host: "0.0.0.0", port: 0))) {
            try server.start()
        }
    }
}

/// A door the handler waits at until the test opens it: a request is then certainly in
/// progress, however loaded the machine.
final class Gate: Sendable {
    private let state = Mutex<(isOpen: Bool, arrivals: Int, waiting: [CheckedContinuation<Void, Never>])>(
        (false, 0, [])
    )

    /// Requests that have reached the gate.
    var arrivals: Int { state.withLock { $0.arrivals } }

    func pass() async {
        await withCheckedContinuation { continuation in
            let isOpen = state.withLock { state in
                state.arrivals += 1
                if !state.isOpen { state.waiting.append(continuation) }
                return state.isOpen
            }
            if isOpen { continuation.resume() }
        }
    }

    func open() {
        let waiting = state.withLock { state in
            state.isOpen = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
