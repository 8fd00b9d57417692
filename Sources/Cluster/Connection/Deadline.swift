/// Bounds an async operation in time: the operation and a timer race, and whichever ends
/// first decides. The loser is cancelled (a `PeerConnection.receive()` in the operation ends
/// at once on cancellation).
enum Deadline {
    /// Runs `operation`, or throws `failure` once `timeout` has passed.
    static func run<Result: Sendable>(
        within timeout: Duration,
        failure: ClusterError,
        _ operation: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        try await withThrowingTaskGroup(of: Result.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw failure
            }
            defer { group.cancelAll() }
            // Both children either return or throw, so the first result is always there.
            return try await group.next()!
        }
    }
}
