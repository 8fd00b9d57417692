import Cluster
import Testing

/// The terminal's "lost" and "is back" notes come from these events; a watcher polls, so the
/// events must survive a worker lost and back between two polls.
@Suite("connection events from the accounting counters")
struct ConnectionEventsTests {
    let start = ClusterAccounting(
        workers: [.init(name: "w0", address: "127.0.0.1:1"), .init(name: "w1", address: "127.0.0.1:2")]
    )

    @Test("a worker lost and back between two readings: both events, the loss first")
    func lostAndBackWithinOnePoll() {
        var now = start
        now.workers[1].connectionsLost += 1
        now.workers[1].reconnects += 1
        #expect(now.connectionEvents(since: start) == [.lost(worker: 1), .back(worker: 1)])
    }

    @Test("nothing changed, or only work done: no event")
    func quiet() {
        var now = start
        now.workers[0].requests += 5
        #expect(now.connectionEvents(since: start).isEmpty)
        #expect(start.connectionEvents(since: start).isEmpty)
    }

    @Test("two losses of one worker and one of another: every one, in cluster.json order")
    func several() {
        var now = start
        now.workers[0].connectionsLost += 2
        now.workers[0].reconnects += 1
        now.workers[1].connectionsLost += 1
        #expect(
            now.connectionEvents(since: start)
                == [.lost(worker: 0), .lost(worker: 0), .back(worker: 0), .lost(worker: 1)]
        )
    }
}
