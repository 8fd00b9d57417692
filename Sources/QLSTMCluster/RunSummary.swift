import Cluster
import Foundation
import QLSTM

/// `summary.json`: a run's final figures, the stable contract that `compare`, reports and tests
/// read. Metrics are in the series' original units, on the test windows, the validation
/// windows (when the run has a validation split) and the training windows: R^2, MSE and MAE
/// for regression; for classification (`--objective classification`) accuracy, balanced
/// accuracy, macro F1, cross-entropy and the confusion matrix instead.
public struct RunSummary: Codable, Equatable, Sendable {
    public var model: String
    public var label: String
    public var task: String
    /// Qubits per sub-VQC (the largest part's); 0 for the classical LSTM.
    public var nQubits: Int
    /// Sub-VQCs per gate (M); 0 for the classical LSTM.
    public var partitions: Int
    public var hiddenSize: Int
    public var depth: Int
    public var parameters: Int
    public var epochs: Int
    public var r2Test: Double?
    public var mseTest: Double?
    public var maeTest: Double?
    public var r2Train: Double?
    public var mseTrain: Double?
    public var maeTrain: Double?
    /// On the validation windows; `nil` without a validation split (`--validation-fraction 0`,
    /// `--paper-protocol`).
    public var r2Validation: Double?
    public var mseValidation: Double?
    public var maeValidation: Double?
    /// Where the circuits ran.
    public var backend: String
    /// Per worker and QPU slot: circuits, shots, busy seconds, retries (cluster runs).
    public var qpuAccounting: ClusterAccounting?
    public var bestTestLoss: Double
    /// The lowest validation loss of any epoch (scaled units).
    public var bestValidationLoss: Double?
    /// The first epoch whose test loss is within 5 % of the run's best (the paper's "testing
    /// epoch convergence", which it leaves undefined).
    public var convergenceEpoch: Int?
    public var trainSeconds: Double
    /// Circuit runs over all epochs (every shifted circuit counts), training and per-epoch testing.
    public var circuitsExecuted: UInt64
    public var shotsExecuted: UInt64
    public var seed: UInt64
    /// The run's `RunIdentity` fingerprint: which settings and data these figures belong to.
    public var fingerprint: String?
    /// The QPU profile the run trained and was tested on (`nil`: the ideal emulator).
    public var profile: String?
    /// With a noisy or sampled profile: the trained weights tested on the ideal emulator.
    public var r2TestIdeal: Double?
    public var mseTestIdeal: Double?
    /// Classification runs: K, the class boundaries of the next move (target units), and
    /// per split the figures of `ClassificationMetrics` (confusion rows are the true class).
    public var classes: Int?
    public var classThresholds: [Double]?
    public var accuracyTest: Double?
    public var balancedAccuracyTest: Double?
    public var macroF1Test: Double?
    public var crossEntropyTest: Double?
    public var confusionTest: ConfusionMatrix?
    public var accuracyValidation: Double?
    public var balancedAccuracyValidation: Double?
    public var macroF1Validation: Double?
    public var crossEntropyValidation: Double?
    public var confusionValidation: ConfusionMatrix?
    public var accuracyTrain: Double?
    public var balancedAccuracyTrain: Double?
    public var macroF1Train: Double?
    public var crossEntropyTrain: Double?
    /// With a noisy or sampled profile: the trained weights classified on the ideal emulator.
    public var balancedAccuracyTestIdeal: Double?
    public var accuracyTestIdeal: Double?

    public enum CodingKeys: String, CodingKey {
        case model, label, task, parameters, epochs, depth, partitions, seed, fingerprint, profile
        case r2TestIdeal = "r2_test_ideal"
        case mseTestIdeal = "mse_test_ideal"
        case nQubits = "n_qubits"
        case hiddenSize = "hidden_size"
        case r2Test = "r2_test"
        case mseTest = "mse_test"
        case maeTest = "mae_test"
        case r2Train = "r2_train"
        case mseTrain = "mse_train"
        case maeTrain = "mae_train"
        case r2Validation = "r2_validation"
        case mseValidation = "mse_validation"
        case maeValidation = "mae_validation"
        case bestValidationLoss = "best_validation_loss"
        case bestTestLoss = "best_test_loss"
        case backend
        case qpuAccounting = "qpu_accounting"
        case convergenceEpoch = "convergence_epoch"
        case trainSeconds = "train_seconds"
        case circuitsExecuted = "circuits_executed"
        case shotsExecuted = "shots_executed"
        case classes
        case classThresholds = "class_thresholds"
        case accuracyTest = "accuracy_test"
        case balancedAccuracyTest = "balanced_accuracy_test"
        case macroF1Test = "macro_f1_test"
        case crossEntropyTest = "cross_entropy_test"
        case confusionTest = "confusion_test"
        case accuracyValidation = "accuracy_validation"
        case balancedAccuracyValidation = "balanced_accuracy_validation"
        case macroF1Validation = "macro_f1_validation"
        case crossEntropyValidation = "cross_entropy_validation"
        case confusionValidation = "confusion_validation"
        case accuracyTrain = "accuracy_train"
        case balancedAccuracyTrain = "balanced_accuracy_train"
        case macroF1Train = "macro_f1_train"
        case crossEntropyTrain = "cross_entropy_train"
        case balancedAccuracyTestIdeal = "balanced_accuracy_test_ideal"
        case accuracyTestIdeal = "accuracy_test_ideal"
    }
}
