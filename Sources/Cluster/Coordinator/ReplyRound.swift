import ClusterProtocol
import Synchronization

/// The answers to one round of requests (one per worker in an `evaluate`), which arrive in any
/// order on the connections' reader threads or fail on a heartbeat or a lost connection.
///
/// Answers go from the reader thread straight into the round, with no hop through the
/// executor's actor, and the waiting task wakes once, when the last one is in: on a busy
/// machine every hop and every wake-up is about 10 us.
final class ReplyRound: Sendable {
    private struct State {
        var answers: [Result<Message, any Error>?]
        /// When each answer came in, for per-worker round-trip accounting.
        var arrivals: [ContinuousClock.Instant?]
        var missing: Int
        var waiter: CheckedContinuation<[Result<Message, any Error>], Never>?
    }

    private let state: Mutex<State>

    init(requests: Int) {
        state = Mutex(
            State(
                answers: Array(repeating: nil, count: requests),
                arrivals: Array(repeating: nil, count: requests),
                missing: requests
            )
        )
    }

    /// Records the answer to request `index` (only its first answer counts).
    func fulfil(_ index: Int, with answer: Result<Message, any Error>) {
        let ready: (CheckedContinuation<[Result<Message, any Error>], Never>, [Result<Message, any Error>])? =
            state.withLock { state in
                guard state.answers[index] == nil else { return nil }
                state.answers[index] = answer
                state.arrivals[index] = .now
                state.missing -= 1
                guard state.missing == 0, let waiter = state.waiter else { return nil }
                state.waiter = nil
                return (waiter, state.answers.map { $0! })
            }
        if let (waiter, answers) = ready { waiter.resume(returning: answers) }
    }

    /// When each answer arrived (`nil` for one still missing).
    func arrivals() -> [ContinuousClock.Instant?] { state.withLock { $0.arrivals } }

    /// Waits for every answer; they come back in request order.
    func answers() async -> [Result<Message, any Error>] {
        await withCheckedContinuation { continuation in
            let answers: [Result<Message, any Error>]? = state.withLock { state in
                guard state.missing > 0 else { return state.answers.map { $0! } }
                state.waiter = continuation
                return nil
            }
            if let answers { continuation.resume(returning: answers) }
        }
    }
}

/// The requests in flight on a cluster's connections, by request id.
final class ReplyRegistry: Sendable {
    struct Entry: Sendable {
        let worker: Int
        let round: ReplyRound
        /// The request's place in its round.
        let index: Int
        let deadline: ContinuousClock.Instant
        let timeout: Duration

        /// Hands the request its answer.
        func fulfil(_ answer: Result<Message, any Error>) { round.fulfil(index, with: answer) }
    }

    private let entries = Mutex([UInt64: Entry]())

    func insert(_ entry: Entry, for id: UInt64) { entries.withLock { $0[id] = entry } }

    /// Removes and returns the entry of `id` (nil when it was answered or failed already).
    func take(_ id: UInt64) -> Entry? { entries.withLock { $0.removeValue(forKey: id) } }

    /// Removes and returns the entry of `id` only when its request went to `worker`: a reply
    /// is accepted from the connection its request was sent on, and from no other.
    func take(_ id: UInt64, from worker: Int) -> Entry? {
        entries.withLock { entries in
            guard entries[id]?.worker == worker else { return nil }
            return entries.removeValue(forKey: id)
        }
    }

    /// Removes and returns every entry that matches.
    func takeAll(where matches: (Entry) -> Bool) -> [Entry] {
        entries.withLock { entries in
            let taken = entries.filter { matches($0.value) }
            for id in taken.keys { entries[id] = nil }
            return Array(taken.values)
        }
    }
}
