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
    /// The shared secret coordinators must prove they know; `nil` accepts every coordinator.
    public var secret: SharedSecret?
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
    /// client cannot hold a connection (and a thread) for ever.
    public var handshakeTimeout: Duration
    /// Connections served at once; more are refused, so that a flood of clients cannot exhaust
    /// the process's threads or memory.
    public var maxConnections: Int
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
        self.log = log
    }

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
        guard handshakeTimeout > .zero else {
            throw refuse("a handshake timeout of \(handshakeTimeout): give a positive time")
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
