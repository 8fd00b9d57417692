/// What one QPU slot of a worker spent on one `evaluate` request, so the coordinator can report
/// circuits and shots per QPU without asking again.
///
/// Usage is per request, not cumulative: when a request is resent to another worker the
/// coordinator counts only the reply it uses.
public struct SlotUsage: Sendable, Hashable {
    /// The slot index, `0..<qpuSlots`.
    public var slot: UInt16
    /// Circuits executed, shifted circuits for parameter-shift Jacobians included.
    public var circuits: UInt64
    /// Shots sampled (0 for exact expectations).
    public var shots: UInt64
    /// Wall-clock seconds the slot was busy on this request.
    public var busySeconds: Double

    public init(slot: UInt16, circuits: UInt64, shots: UInt64, busySeconds: Double) {
        self.slot = slot
        self.circuits = circuits
        self.shots = shots
        self.busySeconds = busySeconds
    }
}
