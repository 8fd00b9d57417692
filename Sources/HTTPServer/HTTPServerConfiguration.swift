import Cluster

/// Where an `HTTPServer` listens and what it allows each client.
public struct HTTPServerConfiguration: Sendable {
    public var listen: Endpoint
    public var limits: HTTPRequestParser.Limits
    /// How long a request may take to arrive, from its first byte to its last, and a response
    /// to be taken by the client: a client that sends its head a byte at a time is answered
    /// 408 and closed then, one that never reads is closed.
    public var requestTimeout: Duration
    /// How long a connection may wait for its first request, or its next one. Waiting
    /// connections are also the ones a new client displaces when all places are taken.
    public var idleTimeout: Duration
    /// Connections served at once, each by its own thread. When all are taken, a new client
    /// takes the place of the connection idle the longest, or, with none idle, is answered 503.
    public var maxConnections: Int
    /// Whether the server may listen on an address other machines reach. `qlstm serve` allows
    /// it only when clients must present the shared secret, or with `--insecure`.
    public var allowsRemoteClients: Bool
    /// One line per server event (listening, stopping, a refused connection); requests are
    /// not logged.
    public var log: @Sendable (String) -> Void

    public static let maxConnectionRange = 1...4096

    public init(
        listen: Endpoint,
        limits: HTTPRequestParser.Limits = .init(),
        requestTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        maxConnections: Int = 64,
        allowsRemoteClients: Bool = false,
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.listen = listen
        self.limits = limits
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.allowsRemoteClients = allowsRemoteClients
        self.log = log
    }

    /// - Throws: `HTTPError.invalidConfiguration` naming the value out of range.
    func validate() throws(HTTPError) {
        guard Self.maxConnectionRange.contains(maxConnections) else {
            throw .invalidConfiguration("maxConnections \(maxConnections) is out of range 1...4096")
        }
        guard requestTimeout > .zero, idleTimeout > .zero else {
            throw .invalidConfiguration("timeouts must be positive")
        }
        guard limits.maxHeadBytes >= 64, limits.maxBodyBytes >= 0, limits.maxHeaderCount >= 1 else {
            throw .invalidConfiguration("limits too small to hold a request")
        }
    }
}
