import Cluster
import Foundation
import QLSTM

/// `summary.json`: a run's final figures, the stable contract that `compare`, reports and tests
/// read. Metrics are in the series' original units, on the test windows, the validation
/// windows (when the run has a validation split) and the training windows: R^2, MSE and MAE
/// for regression; for classification (`--objective classification`) accuracy, balanced
/// accuracy, macro F1, cross-entropy and the confusion matrix instead.
struct RunSummary: Codable, Equatable, Sendable {
    var model: String
    var label: String
    var task: String
    /// Qubits per sub-VQC (the largest part's); 0 for the classical LSTM.
    var nQubits: Int
    /// Sub-VQCs per gate (M); 0 for the classical LSTM.
    var partitions: Int
    var hiddenSize: Int
    var depth: Int
    var parameters: Int
    var epochs: Int
    var r2Test: Double?
    var mseTest: Double?
    var maeTest: Double?
    var r2Train: Double?
    var mseTrain: Double?
    var maeTrain: Double?
    /// On the validation windows; `nil` without a validation split (`--validation-fraction 0`,
    /// `--paper-protocol`).
    var r2Validation: Double?
    var mseValidation: Double?
    var maeValidation: Double?
    /// Where the circuits ran.
    var backend: String
    /// Per worker and QPU slot: circuits, shots, busy seconds, retries (cluster runs).
    var qpuAccounting: ClusterAccounting?
    var bestTestLoss: Double
    /// The lowest validation loss of any epoch (scaled units).
    var bestValidationLoss: Double?
    /// The first epoch whose test loss is within 5 % of the run's best (the paper's "testing
    /// epoch convergence", which it leaves undefined).
    var convergenceEpoch: Int?
    var trainSeconds: Double
    /// Circuit runs over all epochs (every shifted circuit counts), training and per-epoch testing.
    var circuitsExecuted: UInt64
    var shotsExecuted: UInt64
    var seed: UInt64
    /// The run's `RunIdentity` fingerprint: which settings and data these figures belong to.
    var fingerprint: String?
    /// The QPU profile the run trained and was tested on (`nil`: the ideal emulator).
    var profile: String?
    /// With a noisy or sampled profile: the trained weights tested on the ideal emulator.
    var r2TestIdeal: Double?
    var mseTestIdeal: Double?
    /// Classification runs: K, the class boundaries of the next move (target units), and
    /// per split the figures of `ClassificationMetrics` (confusion rows are the true class).
    var classes: Int?
    var classThresholds: [Double]?
    var accuracyTest: Double?
    var balancedAccuracyTest: Double?
    var macroF1Test: Double?
    var crossEntropyTest: Double?
    var confusionTest: ConfusionMatrix?
    var accuracyValidation: Double?
    var balancedAccuracyValidation: Double?
    var macroF1Validation: Double?
    var crossEntropyValidation: Double?
    var confusionValidation: ConfusionMatrix?
    var accuracyTrain: Double?
    var balancedAccuracyTrain: Double?
    var macroF1Train: Double?
    var crossEntropyTrain: Double?
    /// With a noisy or sampled profile: the trained weights classified on the ideal emulator.
    var balancedAccuracyTestIdeal: Double?
    var accuracyTestIdeal: Double?

    enum CodingKeys: String, CodingKey {
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
