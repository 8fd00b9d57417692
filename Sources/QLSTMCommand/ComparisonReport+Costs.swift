import Cluster
import Datasets
import QLSTM
import QLSTMCluster
import Reports

extension ComparisonReport {
    /// Where a QLSTM's training time went, from its workers' accounting, averaged over seeds.
    struct TimeSplit {
        /// QPU slots busy running circuits (summed over slots, so it can exceed wall time).
        var busy: Double
        /// Send to answer of every request, as the coordinator saw it.
        var roundTrips: Double
        /// Round trips minus busy time: network, queues and hand-offs.
        var waiting: Double

        init?(_ summaries: [RunSummary]) {
            let accounts = summaries.compactMap(\.qpuAccounting)
            guard !accounts.isEmpty else { return nil }
            let count = Double(accounts.count)
            busy = accounts.map { $0.workers.map(\.busySeconds).reduce(0, +) }.reduce(0, +) / count
            roundTrips = accounts.map { $0.workers.map(\.roundTripSeconds).reduce(0, +) }.reduce(0, +) / count
            waiting = accounts.map { $0.workers.map(\.waitingSeconds).reduce(0, +) }.reduce(0, +) / count
        }
    }

    /// Training time with its spread over seeds, and where it went: circuits on the QPU slots,
    /// transport and queues between them and the coordinator, and the rest (the classical
    /// LSTM arithmetic, optimiser, checkpoints) in the coordinator.
    func timeBlocks() -> [ReportBlock] {
        var table = Table(
            headers: [
                "model", "train time (s)", "lowest - highest (s)", "per epoch (s)", "QPU slots busy (s)",
                "round trips (s)", "transport and queues (s)",
            ],
            alignments: [.left, .right, .right, .right, .right, .right, .right],
            caption:
                "mean ± standard deviation over \(NumberText.count(seeds, "seed")); busy time is summed over QPU slots, round trips over workers (from summary.json's qpu_accounting)"
        )
        var sentences: [String] = []
        for row in rows {
            let seconds = row.summaries.map(\.trainSeconds)
            let split = TimeSplit(row.summaries)
            table.append([
                row.variant.title,
                Self.statistics(seconds, decimals: 1),
                "\(NumberText.fixed(seconds.min() ?? 0, decimals: 1)) - \(NumberText.fixed(seconds.max() ?? 0, decimals: 1))",
                NumberText.fixed(
                    (seconds.reduce(0, +) / Double(max(seconds.count, 1))) / Double(max(epochs, 1)),
                    decimals: 3
                ),
                split.map { NumberText.fixed($0.busy, decimals: 1) } ?? "-",
                split.map { NumberText.fixed($0.roundTrips, decimals: 1) } ?? "-",
                split.map { NumberText.fixed($0.waiting, decimals: 1) } ?? "-",
            ])
            if let split, split.roundTrips > 0, let mean = SampleStatistics(seconds)?.mean {
                let workers = row.summaries.compactMap(\.qpuAccounting).first?.workers.count ?? 0
                let share = { (part: Double) in NumberText.fixed(100 * part / split.roundTrips, decimals: 0) }
                sentences.append(
                    "\(row.variant.title): \(NumberText.fixed(mean, decimals: 1)) s of training; its requests to the \(NumberText.count(workers, "worker")) took \(NumberText.fixed(split.roundTrips, decimals: 1)) s from send to answer, summed over workers (who work side by side, so the sum can exceed the training time): \(share(split.busy)) % circuits on the QPU slots (\(NumberText.fixed(split.busy, decimals: 1)) s), \(share(split.waiting)) % transport and queues (\(NumberText.fixed(split.waiting, decimals: 1)) s)."
                )
            }
        }
        let note =
            "The LSTM and the ablation run no circuits and train in the coordinator; every QLSTM runs its circuits on the cluster's workers."
        return [.heading("Training time", level: 2), .paragraph(note), .table(table)] + sentences.map { .paragraph($0) }
    }

    /// The paper's estimate (eqs. 10-12) for each QLSTM beside what its runs executed.
    func resourceBlocks() -> [ReportBlock] {
        var table = Table(
            headers: [
                "model", "P_VQC per sub-VQC (eq. 10)", "P_gates (eq. 11)", "P_total (eq. 12)", "classical parameters",
                "qubits per QPU", "QPUs (M)", "circuits per epoch (estimate)", "circuits per run (estimate)",
                "circuits per run (counted)",
            ],
            alignments: [.left] + Array(repeating: .right, count: 9),
            caption:
                "estimate from the model's shape and the split (\(windowCounts.train) training windows with Jacobians, \(windowCounts.validation + windowCounts.test) validation and test windows evaluated after each epoch, \(NumberText.count(data.windows.sequenceLength, "time step")) each); counted: summary.json's circuits_executed"
        )
        var mismatches: [String] = []
        for row in rows where row.variant.model.kind == .qlstm {
            guard
                let estimate = try? ResourceEstimate(
                    model: row.variant.model,
                    training: training,
                    trainWindows: windowCounts.train,
                    evaluatedWindows: windowCounts.validation + windowCounts.test,
                    timeSteps: data.windows.sequenceLength
                )
            else { continue }
            let perRun = estimate.circuitsPerEpoch * epochs
            let counted = Set(row.summaries.map(\.circuitsExecuted))
            if counted != [UInt64(perRun)] { mismatches.append(row.variant.title) }
            table.append([
                row.variant.title,
                Set(estimate.parametersPerSubVQC).count == 1
                    ? "\(estimate.parametersPerSubVQC[0]) (each of \(estimate.parametersPerSubVQC.count))"
                    : estimate.parametersPerSubVQC.map(String.init).joined(separator: ", "),
                "\(estimate.gateParameters)",
                "\(estimate.totalCircuitParameters)",
                "\(estimate.classicalParameters)",
                estimate.qubitsPerQPU.map(String.init).joined(separator: " + "),
                "\(estimate.qpus)",
                "\(estimate.circuitsPerEpoch)",
                "\(perRun)",
                counted.sorted().map(String.init).joined(separator: ", "),
            ])
        }
        guard !table.rows.isEmpty else { return [] }
        let verdict =
            mismatches.isEmpty
            ? "Every run executed exactly the estimated number of circuits."
            : "The counted circuits differ from the estimate for \(mismatches.joined(separator: ", "))."
        return [
            .heading("Resources (the paper's eqs. 10-12)", level: 2),
            .paragraph(
                "P_VQC is one sub-VQC's trainable angles; P_gates = 4 M P_VQC the circuits' parameters of one cell; P_total adds the second reading of a bidirectional model. A training circuit run is one of the 1 + 2 g runs of a parameter-shift Jacobian (g differentiable rotations). \(verdict)"
            ),
            .table(table),
        ]
    }
}
