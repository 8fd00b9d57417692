import ClusterProtocol

/// The coordinator's view of one worker of cluster.json: its lifecycle is one enum whose cases
/// carry what holds in them, and nothing holds beside it.
struct WorkerLink {
    /// A worker's lifecycle.
    enum State {
        /// Not connected yet, or shut down.
        case idle
        /// A connection attempt is under way; `lastError` is why the one before it failed.
        case connecting(lastError: String?)
        case ready(Ready)
        /// Lost or refused: `keepConnected` tries again after a backoff.
        case down(since: ContinuousClock.Instant, error: String)
        /// Sent an impossible (or, verified, a wrong) reply: used no more in this run, never
        /// reconnected.
        case quarantined(reason: String)
    }

    /// A connected worker and what it holds on this connection (all gone with it).
    struct Ready {
        let connection: any WorkerChannel
        let hello: WorkerHello
        /// Which connection of the worker this is: callbacks of an older one are ignored.
        let generation: Int
        /// Global circuit index -> the worker's own index, for the circuits it holds.
        var localIndex: [Int: Int] = [:]
        var parameterVersion: UInt64?
    }

    let name: String
    let endpoint: Endpoint
    var state: State = .idle
    /// Connections made so far (each one's `generation`).
    var connections = 0

    /// The circuits a ready worker holds (none otherwise); set only while it is ready.
    var localIndex: [Int: Int] {
        get {
            guard case .ready(let ready) = state else { return [:] }
            return ready.localIndex
        }
        set {
            guard case .ready(var ready) = state else { return }
            ready.localIndex = newValue
            state = .ready(ready)
        }
    }

    /// The parameters a ready worker holds (`nil` otherwise); set only while it is ready.
    var parameterVersion: UInt64? {
        get {
            guard case .ready(let ready) = state else { return nil }
            return ready.parameterVersion
        }
        set {
            guard case .ready(var ready) = state else { return }
            ready.parameterVersion = newValue
            state = .ready(ready)
        }
    }

    /// Why the worker is not ready, when there is a reason.
    var lastError: String? {
        switch state {
        case .connecting(let error): error
        case .down(_, let error): error
        case .quarantined(let reason): "quarantined: \(reason)"
        case .idle, .ready: nil
        }
    }

    var hello: WorkerHello? {
        guard case .ready(let ready) = state else { return nil }
        return ready.hello
    }

    var isReady: Bool {
        if case .ready = state { return true }
        return false
    }

    var isConnecting: Bool {
        if case .connecting = state { return true }
        return false
    }

    var isQuarantined: Bool {
        if case .quarantined = state { return true }
        return false
    }
}
