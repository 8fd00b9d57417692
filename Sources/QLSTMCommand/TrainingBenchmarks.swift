import Cluster
import Datasets
import Foundation
import QLSTM
import QLSTMCluster
import VariationalCircuits

/// The `train` suite: seconds per training epoch, in process, on every core.
///
/// `pendulum_epoch_seconds_*` is the setup the issue compares with PennyLane: a damped pendulum
/// with b/m = 0.3, 300 samples at dt = 0.05, windows of 4 (198 training windows); a QLSTM with
/// a projection in (d_x + d_h -> 4) and out (4 -> d_h), hidden 4, 4 qubits, encoding `arctan`,
/// `ring` CNOTs with `xyz` rotations, depth 1, batch 16, Adam. `paper_*` are the paper's
/// centric 6-qubit and distributed 2 x 3-qubit QLSTMs on its pendulum.
struct TrainingBenchmarks {
    func run(into figures: inout [String: Any]) async throws {
        let pendulum = try DampedPendulum(damping: 0.3, duration: 299 * 0.05, sampleCount: 300).series()
        let speedData = try WindowedDataset(pendulum, configuration: .init(sequenceLength: 4))
        let speedModel = ModelConfiguration(
            inputWidth: 1,
            hiddenSize: 4,
            qubits: 4,
            ansatz: Ansatz(encoding: .arctan, entangler: .ring, rotations: .xyz, depth: 1),
            projection: true
        )
        let adam = OptimizerSettings(kind: .adam, learningRate: 0.01)
        figures["pendulum_train_windows"] = speedData.train.count
        for (key, method) in [("ps", DifferentiationMethod.parameterShift), ("adjoint", .adjoint)] {
            let settings = TrainingSettings(batchSize: 16, optimizer: adam, differentiation: method)
            figures["pendulum_epoch_seconds_\(key)"] = try await epochSeconds(speedModel, settings, speedData)
        }
        let paperData = try WindowedDataset(
            try BenchmarkTask.pendulum.series(),
            configuration: .init(sequenceLength: 4)
        )
        figures["paper_centric_6q_epoch_seconds_ps"] = try await epochSeconds(
            ModelConfiguration(),
            TrainingSettings(),
            paperData
        )
        figures["lstm_epoch_seconds"] = try await epochSeconds(
            ModelConfiguration(kind: .lstm),
            TrainingSettings(),
            paperData
        )

        // The distributed QLSTM in process (two threads) and through 2 local worker processes
        // (one QPU slot each), an epoch of one then an epoch of the other, so that both see the
        // same machine: on a shared VM the speed drifts by a third from one minute to the next.
        let distributed = ModelConfiguration(qubits: 3, partitions: 2)
        let local = try LocalCluster.start(workers: 2, log: .nullDevice)
        defer { local.stop() }
        let backend = try await ExecutionBackend.connect(to: local.configuration, local: local, progress: nil)
        var inProcess = try await EpochTimer(distributed, TrainingSettings(), paperData)
        var cluster = try await EpochTimer(distributed, TrainingSettings(), paperData, executor: backend.executor)
        var ratios: [Double] = []
        for _ in 0..<9 {
            let inProcessSeconds = try await inProcess.timeEpoch()
            ratios.append(try await cluster.timeEpoch() / inProcessSeconds)
        }
        figures["paper_distributed_2x3q_epoch_seconds_ps"] = inProcess.fastest
        figures["cluster_epoch_seconds"] = cluster.fastest
        // The median over pairs of neighbouring epochs: each pair saw the same machine.
        figures["cluster_to_in_process_epoch_ratio"] = ratios.sorted()[ratios.count / 2]
        if let accounting = await backend.accounting() {
            figures["cluster_round_trips_per_evaluate"] =
                Double(accounting.roundTrips) / Double(max(accounting.evaluateCalls, 1))
        }
        await backend.stop(keepingWorkers: true)
    }

    /// The fastest of three epochs after one warm-up epoch.
    private func epochSeconds(
        _ configuration: ModelConfiguration,
        _ settings: TrainingSettings,
        _ data: WindowedDataset
    ) async throws -> Double {
        var timer = try await EpochTimer(configuration, settings, data)
        for _ in 0..<3 { try await timer.timeEpoch() }
        return timer.fastest
    }
}

/// A model ready to train on one executor, timing its epochs (the first, warm-up epoch is not
/// counted: it compiles circuits and fills caches).
private struct EpochTimer {
    private var trainer: Trainer
    /// The fastest counted epoch so far, in seconds.
    private(set) var fastest = Double.infinity

    init(
        _ configuration: ModelConfiguration,
        _ settings: TrainingSettings,
        _ data: WindowedDataset,
        executor: any CircuitExecutor = LocalExecutor()
    ) async throws {
        trainer = try await Trainer.assemble(
            configuration,
            settings: settings,
            executor: executor,
            train: TrainingRun.sequences(data.train, width: data.inputWidth),
            test: TrainingRun.sequences(data.test, width: data.inputWidth)
        )
        _ = try await trainer.trainEpoch()
    }

    /// Trains one epoch; returns its seconds.
    @discardableResult
    mutating func timeEpoch() async throws -> Double {
        let seconds = try await trainer.trainEpoch().seconds
        fastest = min(fastest, seconds)
        return seconds
    }
}
