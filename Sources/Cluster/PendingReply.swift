import ClusterProtocol
import Synchronization

/// The answer to one request, which may arrive before or after someone waits for it.
///
/// Replies are handed over from the connection's reader straight to the waiting request, with
/// no hop through the executor's actor: on a busy machine every hop is a thread wake-up.
final class PendingReply: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Message, any Error>?)
        case done(Result<Message, any Error>)
    }

    private let state = Mutex(State.waiting(nil))

    /// Delivers the answer (only the first delivery counts).
    func fulfil(_ result: Result<Message, any Error>) {
        let waiter: CheckedContinuation<Message, any Error>? = state.withLock { state in
            guard case .waiting(let continuation) = state else { return nil }
            state = .done(result)
            return continuation
        }
        waiter?.resume(with: result)
    }

    /// Waits for the answer.
    func value() async throws -> Message {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Message, any Error>? = state.withLock { state in
                switch state {
                case .done(let result): return result
                case .waiting:
                    state = .waiting(continuation)
                    return nil
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

/// The requests in flight on a cluster's connections, by request id.
final class ReplyRegistry: Sendable {
    struct Entry: Sendable {
        let worker: Int
        let reply: PendingReply
        let deadline: ContinuousClock.Instant
        let timeout: Duration
    }

    private let entries = Mutex([UInt64: Entry]())

    func insert(_ entry: Entry, for id: UInt64) { entries.withLock { $0[id] = entry } }

    /// Removes and returns the entry of `id` (nil when it was answered or failed already).
    func take(_ id: UInt64) -> Entry? { entries.withLock { $0.removeValue(forKey: id) } }

    /// Removes and returns every entry that matches.
    func takeAll(where matches: (Entry) -> Bool) -> [Entry] {
        entries.withLock { entries in
            let taken = entries.filter { matches($0.value) }
            for id in taken.keys { entries[id] = nil }
            return Array(taken.values)
        }
    }
}
