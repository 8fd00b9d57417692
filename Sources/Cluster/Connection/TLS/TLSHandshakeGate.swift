/// Senders waiting for a connection's TLS handshake, and its outcome once known: frames may be
/// sealed only after it, and a failure must reach everyone who waits.
///
/// Kept inside the connection's `Mutex`; like `FrameInbox`, it never resumes a continuation
/// itself but returns the ones to resume outside the lock.
struct TLSHandshakeGate {
    typealias Waiter = CheckedContinuation<Void, any Error>

    /// `nil` while the handshake runs; then success, or why it failed.
    private(set) var outcome: Result<Void, ClusterError>?
    private var waiters: [(id: UInt64, continuation: Waiter)] = []
    private var nextWaiterID: UInt64 = 0

    /// A fresh id for a waiter, so that its cancellation handler can find it.
    mutating func makeWaiterID() -> UInt64 {
        nextWaiterID += 1
        return nextWaiterID
    }

    mutating func wait(_ waiter: Waiter, id: UInt64) {
        waiters.append((id, waiter))
    }

    /// Removes a cancelled waiter; `nil` when it has already been resumed.
    mutating func removeWaiter(id: UInt64) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index).continuation
    }

    /// Records the outcome once; returns the waiters to resume with it.
    mutating func settle(_ outcome: Result<Void, ClusterError>) -> [Waiter] {
        guard self.outcome == nil else { return [] }
        self.outcome = outcome
        defer { waiters = [] }
        return waiters.map(\.continuation)
    }
}
