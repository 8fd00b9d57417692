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
            var previous = await executor.workerStates()
            var waitingSince: ContinuousClock.Instant?
            let clock = ContinuousClock()
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                let states = await executor.workerStates()
                let accounting = await executor.statistics()
                // Stopped while asking: the run is over and its workers may be going away on
                // purpose; that is no event to report.
                if Task.isCancelled { break }
                for (old, new) in zip(previous, states) where old.isReady != new.isReady {
                    // A quarantine is not "lost, reconnecting"; the executor's log said why.
                    guard new.quarantined == nil else { continue }
                    let ready = states.filter(\.isReady).count
                    if new.isReady {
                        notes.note("worker \(new.name) is back (\(ready) of \(states.count) ready)")
                    } else {
                        notes.note(
                            "worker \(new.name) lost (last error: \(new.lastError ?? "connection closed")): its requests go to the other workers, \(ready) of \(states.count) ready; reconnecting in the background"
                        )
                    }
                }
                previous = states
                let ready = states.filter(\.isReady).count
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
