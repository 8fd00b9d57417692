import Cluster
import Foundation
import VariationalCircuits

/// Where a run's circuits are evaluated: in this process, on the workers of a cluster file, or
/// on worker processes started for the run (`--local-workers`).
enum ExecutionBackend: Sendable, CustomStringConvertible {
    case inProcess(LocalExecutor)
    case cluster(ClusterExecutor, local: LocalCluster?)

    /// Chooses and starts the backend the options ask for.
    /// - Parameter log: where local workers write their log lines.
    static func start(
        options: ParsedOptions,
        log: @autoclosure () throws -> FileHandle
    ) async throws -> ExecutionBackend {
        let threads = try options.int("threads", in: 1...1024)
        let workers = try options.int("local-workers", in: 1...64)
        let file = options.string("cluster")
        if workers != nil && file != nil {
            throw CommandLineError.conflict("give either --cluster FILE or --local-workers N, not both")
        }
        if threads != nil && (workers != nil || file != nil) {
            throw CommandLineError.conflict(
                "--threads applies to in-process runs; workers are given their slots with 'qlstm worker --slots'"
            )
        }
        if let file {
            let configuration: ClusterConfiguration
            do {
                configuration = try ClusterConfiguration(contentsOf: URL(fileURLWithPath: file))
            } catch let error as ClusterError {
                throw CommandLineError.invalidFile(path: file, message: "\(error)")
            }
            return try await connect(to: configuration, local: nil)
        }
        if let workers {
            let local = try LocalCluster.start(workers: workers, log: try log())
            do {
                return try await connect(to: local.configuration, local: local)
            } catch {
                local.stop()
                throw error
            }
        }
        return .inProcess(LocalExecutor(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount))
    }

    /// A backend on the workers of `configuration` (started, at least one worker ready).
    static func connect(to configuration: ClusterConfiguration, local: LocalCluster?) async throws -> ExecutionBackend {
        let executor = try ClusterExecutor(configuration: configuration)
        try await executor.start()
        return .cluster(executor, local: local)
    }

    var executor: any CircuitExecutor {
        switch self {
        case .inProcess(let executor): executor
        case .cluster(let executor, _): executor
        }
    }

    var description: String {
        switch self {
        case .inProcess(let executor): "in-process state-vector emulator (\(executor.threadCount) threads)"
        case .cluster(_, local: .some): "local worker processes over TCP"
        case .cluster: "cluster workers over TCP"
        }
    }

    /// One line per worker: name, address, slots, qubit capacity, profile, version.
    func topology() async -> [String] {
        switch self {
        case .inProcess(let executor): ["in-process: \(executor.threadCount) threads"]
        case .cluster(let executor, _): await executor.topology()
        }
    }

    func accounting() async -> ClusterAccounting? {
        guard case .cluster(let executor, _) = self else { return nil }
        return await executor.statistics()
    }

    /// Says goodbye to workers and, unless `keepingWorkers`, stops local worker processes.
    func stop(keepingWorkers: Bool = false) async {
        guard case .cluster(let executor, let local) = self else { return }
        await executor.shutdown()
        if !keepingWorkers { local?.stop() }
    }
}
