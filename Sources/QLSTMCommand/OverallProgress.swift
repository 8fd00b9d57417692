import Foundation
import Synchronization

/// `compare`'s progress over all its runs: a bar and an ETA on the progress line.
///
/// Runs differ a hundredfold in cost (a classical LSTM's epoch against a 6-qubit QLSTM's
/// parameter-shift Jacobians), so each epoch counts with a weight: its circuit runs for a
/// QLSTM (the paper's resource estimate), a token weight for models without circuits. The ETA
/// assumes the remaining weight goes as fast as the weight done so far.
final class OverallProgress: Sendable {
    private let total: Double
    private let done = Mutex(0.0)
    private let started = Date()
    private let progress: ProgressLine

    /// - Parameter total: the weight of every epoch still to train.
    init(total: Double, progress: ProgressLine) {
        self.total = total
        self.progress = progress
        draw(0)
    }

    /// Counts `weight` more as done and redraws.
    func add(_ weight: Double) {
        draw(
            done.withLock { done in
                done += weight
                return done
            }
        )
    }

    private func draw(_ done: Double) {
        guard total > 0 else { return }
        let fraction = done / total
        let elapsed = Date().timeIntervalSince(started)
        let eta = fraction > 0 ? " ETA " + ProgressLine.duration(elapsed * (1 - fraction) / fraction) : ""
        progress.setOverall("all " + ProgressLine.bar(fraction, width: 16) + eta)
    }
}
