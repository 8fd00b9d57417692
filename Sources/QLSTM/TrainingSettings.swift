import Foundation
import VariationalCircuits

/// The optimiser a run uses, by name and hyperparameters (torch's names and defaults).
public struct OptimizerSettings: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case sgd, rmsprop, adam
    }

    public var kind: Kind
    public var learningRate: Double
    /// SGD's momentum.
    public var momentum: Double = 0
    /// RMSProp's smoothing constant.
    public var alpha: Double = 0.99
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var epsilon: Double = 1e-8

    public init(kind: Kind, learningRate: Double) {
        self.kind = kind
        self.learningRate = learningRate
    }

    /// The paper's: RMSProp, lr 0.01, alpha 0.99, eps 1e-8.
    public static let paper = OptimizerSettings(kind: .rmsprop, learningRate: 0.01)

    /// A fresh optimiser with these settings.
    public func make() -> Optimizer {
        switch kind {
        case .sgd: .sgd(SGD(learningRate: learningRate, momentum: momentum))
        case .rmsprop: .rmsProp(RMSProp(learningRate: learningRate, alpha: alpha, epsilon: epsilon))
        case .adam: .adam(Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon))
        }
    }
}

/// How the learning rate moves over a run.
public enum LearningRateSchedule: String, Sendable, Hashable, Codable, CaseIterable {
    /// The same rate at every step, as the paper's reference code.
    case constant
    /// Cosine annealing from the rate to zero over all the run's steps, so the last epochs
    /// settle instead of jittering at the optimiser's step size.
    case cosine

    /// The rate for step `step` (0-based) of `total`.
    public func rate(base: Double, step: Int, total: Int) -> Double {
        switch self {
        case .constant: base
        case .cosine: base * 0.5 * (1 + cos(Double.pi * Double(min(step, total)) / Double(max(total, 1))))
        }
    }
}

/// How a model is trained: the paper's setup by default.
public struct TrainingSettings: Sendable, Hashable, Codable {
    public var epochs: Int
    public var batchSize: Int
    public var loss: Loss
    public var optimizer: OptimizerSettings
    public var seed: UInt64
    /// How circuit derivatives are computed (quantum models).
    public var differentiation: DifferentiationMethod
    /// `nil` for exact expectations.
    public var shots: Int?
    /// Whether training windows are visited in a new seeded order every epoch.
    public var shuffle: Bool
    public var schedule: LearningRateSchedule

    public init(
        epochs: Int = 100,
        batchSize: Int = 10,
        loss: Loss = .mse,
        optimizer: OptimizerSettings = .paper,
        seed: UInt64 = 0,
        differentiation: DifferentiationMethod = .parameterShift,
        shots: Int? = nil,
        shuffle: Bool = true,
        schedule: LearningRateSchedule = .cosine
    ) {
        self.schedule = schedule
        self.epochs = epochs
        self.batchSize = batchSize
        self.loss = loss
        self.optimizer = optimizer
        self.seed = seed
        self.differentiation = differentiation
        self.shots = shots
        self.shuffle = shuffle
    }
}

/// One line of a run's history.
public struct EpochRecord: Sendable, Hashable, Codable {
    public var epoch: Int
    /// The mean training loss over the epoch's mini-batches (scaled units).
    public var trainLoss: Double
    /// The loss on the validation windows after the epoch (scaled units); `nil` without a
    /// validation split.
    public var validationLoss: Double?
    /// The loss on the test windows after the epoch (scaled units).
    public var testLoss: Double
    public var seconds: Double
    /// Circuit runs during the epoch (shifted circuits included), training and testing.
    public var circuits: UInt64
    /// Shots drawn during the epoch (zero in exact mode).
    public var shots: UInt64

    public init(
        epoch: Int,
        trainLoss: Double,
        validationLoss: Double? = nil,
        testLoss: Double,
        seconds: Double,
        circuits: UInt64 = 0,
        shots: UInt64 = 0
    ) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.testLoss = testLoss
        self.seconds = seconds
        self.circuits = circuits
        self.shots = shots
    }

    enum CodingKeys: String, CodingKey {
        case epoch, seconds, circuits, shots
        case trainLoss = "train_loss"
        case validationLoss = "validation_loss"
        case testLoss = "test_loss"
    }
}

/// Windows as the models read them: each window `T x d_x` flat, with its target.
public struct SequenceData: Sendable, Hashable {
    public var inputs: [[Double]]
    public var targets: [Double]
    public var timeSteps: Int
    public var inputWidth: Int

    public init(inputs: [[Double]], targets: [Double], timeSteps: Int, inputWidth: Int) {
        self.inputs = inputs
        self.targets = targets
        self.timeSteps = timeSteps
        self.inputWidth = inputWidth
    }

    public var count: Int { targets.count }
}

extension EpochRecord {
    /// The paper's "testing epoch convergence", which it does not define; this project defines
    /// it as the first epoch whose test loss is within 5 % of the best test loss of the run.
    public static func convergenceEpoch(_ history: [EpochRecord], tolerance: Double = 0.05) -> Int? {
        guard let best = history.map(\.testLoss).min() else { return nil }
        return history.first { $0.testLoss <= best * (1 + tolerance) }?.epoch
    }
}
