import ClusterProtocol
import QPUProfiles

/// What a QPU worker offers and how it listens: the settings behind `qlstm worker`.
public struct WorkerConfiguration: Sendable {
    /// Where to listen; port 0 lets the kernel pick a free port (`WorkerServer.start()` returns it).
    public var listen: Endpoint
    /// QPU slots: circuits evaluated at once, one thread each (`1...1024`).
    public var slots: Int
    /// The widest circuit accepted, in qubits (`1...25`); wider ones get `capacityExceeded`.
    public var maxQubits: Int
    /// The worker's name in `hello`; `nil` means `hostname:port` with the bound port.
    public var name: String?
    /// The emulated QPU: its noise and default shots shape every result, its name is announced
    /// in `hello`, its timing is held with `timingScale`.
    public var profile: QPUProfile
    /// When set, each `evaluate` reply is held until the profile's modelled time for it, times
    /// this scale, has passed (`--emulate-timing`); `nil` answers as fast as the emulator can.
    public var timingScale: Double?
    /// The shared secret coordinators must prove they know; `nil` accepts every coordinator,
    /// which `start()` allows only on a loopback address unless `allowsRemoteWithoutSecret`.
    public var secret: SharedSecret?
    /// Serve clients on other machines without a secret (`--insecure`): anyone who reaches the
    /// port can then use the worker's cores and memory.
    public var allowsRemoteWithoutSecret: Bool
    /// TLS for every connection (a worker's certificate, and a CA for client certificates);
    /// `nil`: plaintext.
    public var tls: TLSContext?
    /// The limits frames are held to after the handshake (before it, `limits.forHandshake`).
    public var limits: ProtocolLimits
    /// Inputs evaluated together in one state buffer (see `LocalExecutor`).
    public var lanes: Int
    /// The software version announced in `hello`, for the coordinator's logs and manifest.
    public var softwareVersion: String
    /// How long a new connection has to complete its handshake, so that a silent or foreign
    /// client cannot hold a connection (and a thread) for long. A coordinator needs one round
    /// trip and two HMACs, but one whose cores are busy training may be slow to answer; sockets
    /// that never answer are dropped for newer ones sooner anyway (`maxPendingHandshakes`).
    public var handshakeTimeout: Duration
    /// Authenticated connections served at once; more are refused, so that clients cannot
    /// exhaust the process's threads or memory.
    public var maxConnections: Int
    /// Connections still in their handshake at once. They have their own pool, apart from
    /// `maxConnections`, so sockets that never authenticate cannot take coordinators' places.
    public var maxPendingHandshakes: Int
    /// Connections in their handshake at once from one client machine (one IPv4 address, one
    /// IPv6 /64). A machine's next one replaces its own oldest, and a full pool drops the
    /// oldest of the machine with the most: a flood from one machine only ever displaces
    /// itself, so it cannot keep coordinators on other machines from connecting.
    public var maxPendingHandshakesPerClient: Int
    /// How long an authenticated connection may stay silent (no frame, pings included, and no
    /// request computing) before the worker says goodbye and closes it.
    public var idleTimeout: Duration
    /// Requests a connection may have waiting behind the one running. When they are this many,
    /// the worker stops reading that connection until one finishes, so TCP holds back a
    /// coordinator that sends faster than the worker computes.
    public var maxQueuedRequests: Int
    /// The memory, in bytes, that every connection's requests together may use: circuits,
    /// workspaces, queued requests, results and replies. A request that could never fit is
    /// refused at once; one that fits waits until the memory is free. The default is
    /// `defaultMemoryLimit`.
    public var memoryLimit: Int
    /// Receives one line per connection event (connected, authenticated, loaded N circuits,
    /// closed, refused: reason) with the worker's name; `qlstm worker` writes them to stderr.
    public var log: @Sendable (_ workerName: String, _ event: String) -> Void

    public init(
        listen: Endpoint,
        slots: Int,
        maxQubits: Int = 25,
        name: String? = nil,
        profile: QPUProfile = .ideal,
        timingScale: Double? = nil,
        secret: SharedSecret? = nil,
        tls: TLSContext? = nil,
        limits: ProtocolLimits = .standard,
        lanes: Int = 16,
        softwareVersion: String = "unknown",
        handshakeTimeout: Duration = .seconds(10),
        maxConnections: Int = 64,
        maxPendingHandshakes: Int = 64,
        maxPendingHandshakesPerClient: Int = 8,
        idleTimeout: Duration = .seconds(300),
        maxQueuedRequests: Int = 8,
        memoryLimit: Int = WorkerConfiguration.defaultMemoryLimit,
        allowsRemoteWithoutSecret: Bool = false,
        log: @escaping @Sendable (_ workerName: String, _ event: String) -> Void = { _, _ in }
    ) {
        self.listen = listen
        self.slots = slots
        self.maxQubits = maxQubits
        self.name = name
        self.profile = profile
        self.timingScale = timingScale
        self.secret = secret
        self.tls = tls
        self.limits = limits
        self.lanes = lanes
        self.softwareVersion = softwareVersion
        self.handshakeTimeout = handshakeTimeout
        self.maxConnections = maxConnections
        self.maxPendingHandshakes = maxPendingHandshakes
        self.maxPendingHandshakesPerClient = maxPendingHandshakesPerClient
        self.idleTimeout = idleTimeout
        self.maxQueuedRequests = maxQueuedRequests
        self.memoryLimit = memoryLimit
        self.allowsRemoteWithoutSecret = allowsRemoteWithoutSecret
        self.log = log
    }

    /// Three quarters of this machine's physical memory (or of its cgroup's limit), and at most
    /// half of an address-space limit (`ulimit -v`): see `SystemMemory.defaultWorkerLimit`.
    public static let defaultMemoryLimit = SystemMemory.defaultWorkerLimit(under: SystemMemory.current())

    /// The smallest memory limit: below it a worker could not hold its own circuits.
    public static let minimumMemoryLimit = 16 << 20

    /// The range of `slots`: a `result` reports one usage entry per slot, within the protocol's
    /// limit on usage entries.
    public static let slotRange = 1...1024
    /// The range of `maxQubits`: what the emulator simulates.
    public static let qubitRange = 1...25

    /// Checks every value against its range.
    /// - Throws: `ClusterError.invalidWorkerConfiguration` naming the value and its range.
    public func validate() throws(ClusterError) {
        func refuse(_ reason: String) -> ClusterError { .invalidWorkerConfiguration(reason) }
        guard Self.slotRange.contains(slots) else {
            throw refuse("\(slots) slots: use \(Self.slotRange.lowerBound) to \(Self.slotRange.upperBound)")
        }
        guard Self.qubitRange.contains(maxQubits) else {
            throw refuse(
                "a capacity of \(maxQubits) qubits: use \(Self.qubitRange.lowerBound) to \(Self.qubitRange.upperBound)"
            )
        }
        guard lanes >= 1 else { throw refuse("\(lanes) lanes: use at least 1") }
        guard maxConnections >= 1 else { throw refuse("at most \(maxConnections) connections: allow at least 1") }
        guard maxPendingHandshakes >= 1, maxPendingHandshakesPerClient >= 1 else {
            throw refuse(
                "at most \(maxPendingHandshakes) pending handshakes, \(maxPendingHandshakesPerClient) per client: allow at least 1"
            )
        }
        guard maxQueuedRequests >= 1 else {
            throw refuse("at most \(maxQueuedRequests) queued requests: allow at least 1")
        }
        guard handshakeTimeout > .zero else {
            throw refuse("a handshake timeout of \(handshakeTimeout): give a positive time")
        }
        guard idleTimeout > .zero else { throw refuse("an idle timeout of \(idleTimeout): give a positive time") }
        guard memoryLimit >= Self.minimumMemoryLimit else {
            throw refuse(
                "a memory limit of \(ByteCount(memoryLimit)): give at least \(ByteCount(Self.minimumMemoryLimit))"
            )
        }
        do {
            try profile.validate()
        } catch {
            throw refuse("\(error)")
        }
        if let timingScale, !(timingScale > 0 && timingScale <= 1e6) {
            throw refuse("a timing scale of \(timingScale): use a number above 0 (1 is real time)")
        }
        for (label, text) in [("name", name ?? "-"), ("profile", profile.name), ("software version", softwareVersion)] {
            guard !text.isEmpty else { throw refuse("the \(label) is empty") }
            guard text.utf8.count <= limits.maxStringBytes else {
                throw refuse("the \(label) has \(text.utf8.count) bytes, above the limit of \(limits.maxStringBytes)")
            }
        }
    }
}
