import Dispatch
import Synchronization

/// The memory a worker may commit to its connections, shared by all of them: what each
/// connection keeps between requests (its circuits, compiled circuits and reusable workspaces)
/// and what requests in progress need (queued requests, workspaces, results, reply frames).
///
/// Every amount is reserved from an estimate before it is allocated (`RequestCost`), so the
/// worker never starts work it has no memory for: an allocation that fails aborts the whole
/// process, every connection with it. A reservation that does not fit now may wait for
/// requests in progress to finish; one that could not fit even then (the rest is kept by
/// connections between their requests, or held by the waiting connection itself) is refused at
/// once, and no wait outlasts its deadline, so that waits can never close a cycle.
final class MemoryBudget: Sendable {
    /// The most that may be reserved at once, in bytes.
    let limit: Int
    private let state = Mutex(State())

    private struct State {
        /// Reserved by connections between requests; released when they change or close.
        var kept = 0
        /// Reserved by requests in progress; always released within their run.
        var inProgress = 0
        /// Threads waiting for a reservation, woken at each release to try again.
        var waiting: [DispatchSemaphore] = []
    }

    init(limit: Int) {
        self.limit = limit
    }

    /// The outcome of asking for memory.
    enum Reservation: Equatable {
        /// Reserved: release it with `release(inProgress:keptChange:)`.
        case granted
        /// Requests in progress held the memory until the deadline.
        case busy
        /// It would not fit even once every other request in progress had finished.
        case exhausted
    }

    /// Reserves `bytes` for a request in progress.
    /// - Parameters:
    ///   - deadline: how long to wait for requests in progress to free enough: `.now()` on a
    ///     reader's fast path, a bound on a request queue, `.distantFuture` for a reader that
    ///     holds its peer back and holds nothing itself.
    ///   - stuck: bytes in progress that cannot be freed while the caller waits (its own
    ///     connection's queued requests, behind the caller).
    func reserve(_ bytes: Int, until deadline: DispatchTime, stuck: Int = 0) -> Reservation {
        while true {
            let next: (Reservation?, DispatchSemaphore?) = state.withLock { state in
                if state.kept + state.inProgress + bytes <= limit {
                    state.inProgress += bytes
                    return (.granted, nil)
                }
                if state.kept + stuck + bytes > limit { return (.exhausted, nil) }
                guard deadline > .now() else { return (.busy, nil) }
                let semaphore = DispatchSemaphore(value: 0)
                state.waiting.append(semaphore)
                return (nil, semaphore)
            }
            if let reservation = next.0 { return reservation }
            // A timed-out semaphore stays in `waiting` until the next release signals it.
            _ = next.1?.wait(timeout: deadline)
        }
    }

    /// Ends a request: releases `inProgress` bytes it reserved and changes what its connection
    /// keeps by `keptChange` (which may be negative), then wakes every waiting reservation.
    func release(inProgress: Int, keptChange: Int = 0) {
        let waiting = state.withLock { state in
            state.inProgress -= inProgress
            state.kept += keptChange
            defer { state.waiting = [] }
            return state.waiting
        }
        for semaphore in waiting { semaphore.signal() }
    }
}
