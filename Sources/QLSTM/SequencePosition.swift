/// Which reading of the sequence, and which step of it, a gate map is evaluated for.
///
/// A sampling map derives its shot seeds from this (never from timing or worker identity), so
/// a run replays bit for bit.
public struct SequencePosition: Sendable, Hashable, Codable {
    /// 0 for the primary reading, 1 for the second reading of a bidirectional model.
    public var direction: Int
    /// The 0-based step in reading order (for a reversed reading, 0 is the last element).
    public var timeStep: Int

    public init(direction: Int, timeStep: Int) {
        self.direction = direction
        self.timeStep = timeStep
    }
}
