import ClusterProtocol

/// The workers ready with the current parameters, as `WorkerSupervisor` saw them at one
/// moment: what `BatchScheduler` places a round of requests on.
///
/// A snapshot rather than live links, so that placement reads one consistent picture; a
/// request built from it names the connection it saw (`generation`), and the supervisor
/// refuses to send it on a later one, whose circuit numbering may differ.
struct ReadyWorkers: Sendable {
    struct Worker: Sendable {
        /// The worker's index in cluster.json order.
        let index: Int
        /// Which connection of the worker this is.
        let generation: Int
        let hello: WorkerHello
        /// Global circuit index -> the worker's own index, for the circuits it holds.
        let localIndex: [Int: Int]
    }

    /// In cluster.json order.
    let workers: [Worker]
    /// How many times a worker had changed state: `WorkerSupervisor.stateChange(after:before:)`
    /// then returns at once for a change the snapshot did not see.
    let changes: Int
    /// How many times the circuits workers hold had changed (installed again, or a worker lost
    /// or quarantined): a placement computed under another layout is stale.
    let layout: Int

    /// The workers' indices, in cluster.json order.
    var indices: [Int] { workers.map(\.index) }

    /// Worker `index` when it is ready, `nil` otherwise.
    subscript(index: Int) -> Worker? { workers.first { $0.index == index } }
}
