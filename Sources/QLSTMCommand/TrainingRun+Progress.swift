import Foundation
import QLSTM
import QLSTMCluster

extension TrainingRun {
    /// Trains with the command line's display: the pinned placement as a note, a progress line
    /// per epoch with the losses and the time left, and the cluster's events (`ClusterWatch`).
    /// - Parameters:
    ///   - label: what the progress line calls this run.
    ///   - onEpoch: called after each epoch's checkpoint with the epochs completed (`compare`'s
    ///     overall progress).
    @discardableResult
    mutating func train(
        progress: ProgressLine?,
        label: String? = nil,
        onEpoch: (@Sendable (Int) -> Void)? = nil
    ) async throws -> RunSummary {
        let watch = backend.clusterExecutor.map { ClusterWatch(executor: $0, progress: progress).start() }
        defer {
            watch?.cancel()
            progress?.setStatus(nil)
        }
        let label = label ?? specification.model.label
        let summary = try await train { event in
            switch event {
            case .started(let next, let epochs, let placement):
                if let placement { Notes().note("pinned placement: " + placement.joined(separator: ", ")) }
                progress?.update("\(label) epoch \(next)/\(epochs) running")
            case .epochFinished(let record, let epochs, let secondsLeft):
                onEpoch?(record.epoch)
                // The validation loss is the one to watch; the test loss only where there is none.
                let held =
                    record.validationLoss.map { "  val \(String(format: "%.5f", $0))" }
                    ?? "  test \(String(format: "%.5f", record.testLoss))"
                progress?.update(
                    "\(label) epoch \(record.epoch)/\(epochs)  train \(String(format: "%.5f", record.trainLoss))\(held)"
                        + "  \(String(format: "%.2f", record.seconds)) s/epoch"
                        + "  ETA \(ProgressLine.duration(secondsLeft))"
                )
            }
        }
        progress?.finish()
        return summary
    }
}
