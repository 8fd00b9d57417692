import Cluster
import Foundation
import QPUProfiles
import QuantumSimulator
import VariationalCircuits

/// Processes started for one run (the `qlstm` tool's `--local-workers`), stopped with it.
public protocol RunWorkerProcesses: Sendable {
    func stop()
}

/// Where a run's circuits are evaluated: in this process, or on the workers of a cluster
/// (possibly worker processes started for the run).
public enum ExecutionBackend: Sendable, CustomStringConvertible {
    case inProcess(LocalExecutor)
    case cluster(ClusterExecutor, local: (any RunWorkerProcesses)?)

    /// The in-process emulator of `profile` (ideal when `nil`). Its shots come with each batch
    /// (the run's `--shots`, by default the profile's), so `--shots exact` is honoured here.
    public static func inProcessExecutor(threads: Int, profile: QPUProfile?) -> LocalExecutor {
        LocalExecutor(threads: threads, noise: profile?.noiseModel ?? .ideal)
    }

    /// The cluster's executor, for watching its workers; `nil` in process.
    public var clusterExecutor: ClusterExecutor? {
        if case .cluster(let executor, _) = self { return executor }
        return nil
    }

    public var executor: any CircuitExecutor {
        switch self {
        case .inProcess(let executor): executor
        case .cluster(let executor, _): executor
        }
    }

    public var description: String {
        switch self {
        case .inProcess(let executor): "in-process emulator (\(executor.threadCount) threads)"
        case .cluster(_, local: .some): "local worker processes over TCP"
        case .cluster: "cluster workers over TCP"
        }
    }

    /// One line per worker: name, address, slots, qubit capacity, profile, version.
    public func topology() async -> [String] {
        switch self {
        case .inProcess(let executor): ["in-process: \(executor.threadCount) threads"]
        case .cluster(let executor, _): await executor.topology()
        }
    }

    /// Each sub-VQC's QPU when the cluster pins placement.
    public func placement() async -> [String]? {
        guard case .cluster(let executor, _) = self else { return nil }
        return await executor.pinnedPlacement()
    }

    public func accounting() async -> ClusterAccounting? {
        guard case .cluster(let executor, _) = self else { return nil }
        return await executor.statistics()
    }

    /// Says goodbye to workers and, unless `keepingWorkers`, stops local worker processes.
    public func stop(keepingWorkers: Bool = false) async {
        guard case .cluster(let executor, let local) = self else { return }
        await executor.shutdown()
        if !keepingWorkers { local?.stop() }
    }
}
