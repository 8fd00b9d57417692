import Cluster
import Datasets
import Dispatch
import Foundation
import QLSTM
import QLSTMCluster
import QPUProfiles
import VariationalCircuits

/// The `cluster` suite: does the coordinator keep every emulated QPU busy?
///
/// The paper's distributed QLSTM (2 x 3 qubits: 8 sub-VQCs) trains on 1, 2, 4 and 8 local
/// workers whose profile models a 2 ms job overhead and microsecond gates, with emulated timing
/// (workers sleep through each job's modelled time). Placement is pinned, so 8 workers hold one
/// sub-VQC each. `step_seconds_N` is one mini-batch's forward and backward pass (its circuits
/// and parameter-shift Jacobians over 4 time steps); `speedup_N` is `step_seconds_1` over it.
struct ClusterBenchmarks {
    /// The emulated QPU: no noise, exact expectations, a 2 ms job and gate times that make a
    /// 3-qubit sub-VQC of depth 5 last 470 us.
    static let profile = QPUProfile(
        name: "bench-2ms-job",
        qubits: 3,
        gateSeconds1q: 10e-6,
        gateSeconds2q: 40e-6,
        jobSeconds: 2e-3,
        source: "qlstm bench --suite cluster"
    )

    func run(into figures: inout [String: Any]) async throws {
        let data = try WindowedDataset(try BenchmarkTask.pendulum.series(), configuration: .init(sequenceLength: 4))
        let windows = TrainingRun.sequences(Array(data.train.prefix(2)), width: data.inputWidth)
        figures["cluster_profile"] = Self.profile.jsonObject
        figures["cluster_batch_windows"] = windows.targets.count
        var steps: [Int: Double] = [:]
        for workers in [1, 2, 4, 8] {
            steps[workers] = try await stepSeconds(workers: workers, windows: windows)
            figures["step_seconds_\(workers)"] = steps[workers]
        }
        for workers in [2, 4, 8] { figures["speedup_\(workers)"] = steps[1]! / steps[workers]! }
    }

    /// The fastest of three mini-batch steps (after one warm-up) on `workers` timed workers.
    private func stepSeconds(workers: Int, windows: SequenceData) async throws -> Double {
        let local = try LocalCluster.start(workers: workers, profile: Self.profile, timingScale: 1, log: .nullDevice)
        defer { local.stop() }
        let backend = try await ExecutionBackend.connect(to: local.configuration, local: local, progress: nil)
        let model = try TrainableModel.make(
            ModelConfiguration(qubits: 3, partitions: 2),
            seed: 0,
            executor: backend.executor
        )
        try await backend.executor.load(model.circuits.map(\.circuit))
        try await backend.executor.setParameters(model.circuits.map(\.parameters), version: 0)
        var fastest = Double.infinity
        for round in 0..<4 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try await model.lossAndGradient(
                .mse,
                sequences: windows.inputs.flatMap { $0 },
                targets: windows.targets,
                context: EvaluationContext(method: .parameterShift)
            )
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if round > 0 { fastest = min(fastest, seconds) }
        }
        await backend.stop(keepingWorkers: true)
        return fastest
    }
}
