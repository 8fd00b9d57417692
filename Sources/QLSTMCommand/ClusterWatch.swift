import Cluster
import Foundation

/// Says what happens to a run's cluster while it trains: a worker lost, requests retried on
/// another, a worker back, or no worker left and how long the run will wait for one.
///
/// The executor survives all of these on its own, so without this nothing would show; a run
/// that slows down because half its QPUs are gone should say so. It polls the executor (four
/// times a second: cheaper than a callback on the hot path of every request) and writes a note
/// per event and a status segment on the progress line.
struct ClusterWatch {
    let executor: ClusterExecutor
    let progress: ProgressLine?
    let notes = Notes()

    /// Watches until the returned task is cancelled.
    func start() -> Task<Void, Never> {
        Task {
            let giveUpAfter = await executor.configuration.giveUpAfter
            // Events come from the executor's counters, not from ready flags compared between
            // two polls, which miss a worker lost and back within one poll.
            var previous = await executor.statistics()
            var waitingSince: ContinuousClock.Instant?
            let clock = ContinuousClock()
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                let states = await executor.workerStates()
                let accounting = await executor.statistics()
                // Stopped while asking: the run is over and its workers may be going away on
                // purpose; that is no event to report.
                if Task.isCancelled { break }
                for event in accounting.connectionEvents(since: previous) {
                    if let note = Self.note(for: event, states: states) { notes.note(note) }
                }
                let ready = states.filter(\.isReady).count
                previous = accounting
                if ready == 0 {
                    let since = waitingSince ?? clock.now
                    waitingSince = since
                    let left = giveUpAfter - (clock.now - since)
                    progress?.setStatus(
                        "no worker ready: waiting for one, giving up in \(Int(max(0, left.seconds).rounded(.up))) s"
                    )
                } else {
                    waitingSince = nil
                    progress?.setStatus(Self.status(states: states, accounting: accounting))
                }
            }
        }
    }

    /// The note a connection event gets on the terminal.
    static func note(for event: ClusterAccounting.ConnectionEvent, states: [ClusterExecutor.WorkerState]) -> String? {
        let ready = states.filter(\.isReady).count
        switch event {
        case .lost(let worker):
            let state = states[worker]
            return "worker \(state.name) lost (last error: \(state.lastError ?? "connection closed")): its requests go to the other workers, \(ready) of \(states.count) ready; reconnecting in the background"
        case .back(let worker):
            // A quarantine is not "back"; the executor's log said why.
            guard states[worker].quarantined == nil else { return nil }
            return "worker \(states[worker].name) is back (\(ready) of \(states.count) ready)"
        }
    }

    /// "workers 1/2 ready, 1 lost, 3 requests retried, 0 reconnected" (", 1 quarantined" when
    /// one was), or `nil` while nothing went wrong.
    static func status(states: [ClusterExecutor.WorkerState], accounting: ClusterAccounting) -> String? {
        let ready = states.filter(\.isReady).count
        guard ready < states.count || accounting.connectionsLost > 0 || accounting.requestsRetried > 0 else {
            return nil
        }
        let quarantined = states.filter { $0.quarantined != nil }.count
        return "workers \(ready)/\(states.count) ready, \(accounting.connectionsLost) lost, "
            + "\(accounting.requestsRetried) requests retried, \(accounting.reconnects) reconnected"
            + (quarantined > 0 ? ", \(quarantined) quarantined" : "")
    }
}
