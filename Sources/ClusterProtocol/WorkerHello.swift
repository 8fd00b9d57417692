/// What a worker announces as soon as a coordinator connects: who it is, what it can run, and
/// the nonce the coordinator must answer to authenticate.
public struct WorkerHello: Sendable, Hashable {
    /// The highest protocol version the worker speaks (room for negotiation in later versions; in
    /// version 1 it equals the frame's version).
    public var protocolVersion: UInt16
    /// The worker's software version, for logs and the run manifest (such as `"0.4.0"`).
    public var softwareVersion: String
    /// The worker's name, unique in a cluster (such as `"qpu-a"`).
    public var workerName: String
    /// The number of circuits the worker evaluates at once (its QPU slots, one per core).
    public var qpuSlots: UInt16
    /// The widest circuit, in qubits, that the worker accepts.
    public var qubitCapacity: UInt8
    /// The name of the QPU profile the worker emulates (gate set, noise), for placement and logs.
    public var profile: String
    /// The worker's fresh random nonce for this connection.
    public var nonce: AuthenticationNonce
    /// Whether the worker has a shared secret and so refuses a coordinator without a valid MAC.
    public var requiresAuthentication: Bool

    public init(
        protocolVersion: UInt16 = ProtocolVersion.current,
        softwareVersion: String,
        workerName: String,
        qpuSlots: UInt16,
        qubitCapacity: UInt8,
        profile: String,
        nonce: AuthenticationNonce,
        requiresAuthentication: Bool
    ) {
        self.protocolVersion = protocolVersion
        self.softwareVersion = softwareVersion
        self.workerName = workerName
        self.qpuSlots = qpuSlots
        self.qubitCapacity = qubitCapacity
        self.profile = profile
        self.nonce = nonce
        self.requiresAuthentication = requiresAuthentication
    }
}
