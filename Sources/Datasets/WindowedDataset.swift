/// A series cut into scaled input windows with their targets, split in time order into a
/// training part and a test part.
///
/// Window i reads feature rows i ..< i + L (L = sequence length) and predicts the target at row
/// i + L + horizon - 1. The first `Int(Double(windowCount) * trainFraction)` windows train, the
/// rest test; windows are never shuffled across the split.
///
/// Scalers (and the PCA) are fitted on the training rows, 0 through the last training window's
/// target row: every row a training window reads or predicts, so nothing after it shapes the
/// scaling. `ScalingScope.wholeSeries` fits on every row instead, as the paper's code does. A
/// feature column that is the target (a univariate series) gets the same scaler as the target,
/// because both are fitted on the same values and rows.
public struct WindowedDataset: Sendable, Equatable {
    /// How to cut, split and scale a series.
    public struct Configuration: Sendable, Codable, Equatable {
        /// L, the time steps in one input window (at least 1).
        public var sequenceLength: Int
        /// How many rows after a window's last row its target lies (1 = the next row).
        public var horizon: Int
        /// Fraction of the windows, from the start, that train; strictly between 0 and 1.
        public var trainFraction: Double
        public var scaling: Scaler.Kind
        public var scalingScope: ScalingScope
        /// Reduce the feature columns to this many principal components; `nil` keeps them.
        public var principalComponents: Int?
        /// Drop the last window, as the authors' code does (N - L - horizon windows instead of
        /// N - L - horizon + 1): the paper's 157 / 78 pendulum and 197 / 98 NARMA splits.
        public var referenceWindowing: Bool

        public init(
            sequenceLength: Int,
            horizon: Int = 1,
            trainFraction: Double = 0.67,
            scaling: Scaler.Kind = .minMax(),
            scalingScope: ScalingScope = .trainingRows,
            principalComponents: Int? = nil,
            referenceWindowing: Bool = false
        ) {
            self.sequenceLength = sequenceLength
            self.horizon = horizon
            self.trainFraction = trainFraction
            self.scaling = scaling
            self.scalingScope = scalingScope
            self.principalComponents = principalComponents
            self.referenceWindowing = referenceWindowing
        }

        /// The paper's settings: windows of 4, the next value, 67 % train, min-max to [-1, 1]
        /// fitted on the whole series, the authors' window count.
        public static let reference = Configuration(
            sequenceLength: 4,
            scalingScope: .wholeSeries,
            referenceWindowing: true
        )
    }

    /// One model input and what it should predict.
    public struct Window: Sendable, Codable, Equatable {
        /// `sequenceLength` rows of scaled (and projected) features, oldest first.
        public let inputs: [[Double]]
        /// The scaled target.
        public let target: Double
        /// The series' row of the target, and its time.
        public let row: Int
        public let time: Double
    }

    public let configuration: Configuration
    public let preprocessing: Preprocessing
    public let train: [Window]
    public let test: [Window]
    /// The training and test targets in the series' own units, window by window.
    public let trainTargets: [Double]
    public let testTargets: [Double]
    /// The rows the scalers and the PCA were fitted on.
    public let fittedRows: Range<Int>

    /// Cuts, scales and splits `series`.
    ///
    /// - Throws: `DatasetError.invalidParameter` for a bad configuration value,
    ///   `.windowsDoNotFit` when the split leaves no training or no test window,
    ///   `.componentCountOutOfRange` for a PCA wider than the features.
    /// - Complexity: O(rows x (features + sequenceLength x inputWidth)).
    public init(_ series: TimeSeries, configuration: Configuration) throws(DatasetError) {
        try Self.validate(configuration)
        let length = configuration.sequenceLength
        let horizon = configuration.horizon
        let lastOffset = length + horizon - 1
        let possible = max(series.count - lastOffset, 0)
        let count = configuration.referenceWindowing ? max(possible - 1, 0) : possible
        let trainCount = Int(Double(count) * configuration.trainFraction)
        guard trainCount >= 1, count - trainCount >= 1 else {
            throw .windowsDoNotFit(
                rows: series.count,
                sequenceLength: length,
                horizon: horizon,
                windows: count,
                train: trainCount,
                test: count - trainCount
            )
        }

        // The last training window starts at trainCount - 1; its target row is that + lastOffset.
        let lastTrainingRow = trainCount - 1 + lastOffset
        let fittedRows = configuration.scalingScope == .wholeSeries ? 0..<series.count : 0..<(lastTrainingRow + 1)
        let targetScaler = Scaler.fit(Array(series.target[fittedRows]), kind: configuration.scaling)
        let featureScalers = (0..<series.featureCount).map { column in
            Scaler.fit(series.features[fittedRows].map { $0[column] }, kind: configuration.scaling)
        }
        let scaledRows = series.features.map { row in zip(featureScalers, row).map { $0.transform($1) } }
        let pca = try configuration.principalComponents.map { (width) throws(DatasetError) in
            try PCA.fit(Array(scaledRows[fittedRows]), componentCount: width)
        }
        let inputRows = pca?.transform(scaledRows) ?? scaledRows

        let windows = (0..<count).map { start in
            let row = start + lastOffset
            return Window(
                inputs: Array(inputRows[start..<(start + length)]),
                target: targetScaler.transform(series.target[row]),
                row: row,
                time: series.time[row]
            )
        }
        self.configuration = configuration
        self.preprocessing = Preprocessing(featureScalers: featureScalers, pca: pca, targetScaler: targetScaler)
        self.train = Array(windows[..<trainCount])
        self.test = Array(windows[trainCount...])
        self.trainTargets = train.map { series.target[$0.row] }
        self.testTargets = test.map { series.target[$0.row] }
        self.fittedRows = fittedRows
    }

    /// Number of model inputs per time step.
    public var inputWidth: Int { preprocessing.inputWidth }

    /// Maps model outputs (scaled) back to the target's units.
    public func unscaleTargets(_ scaled: [Double]) -> [Double] {
        preprocessing.unscaleTargets(scaled)
    }

    private static func validate(_ configuration: Configuration) throws(DatasetError) {
        guard configuration.sequenceLength >= 1 else {
            throw .invalidParameter(
                name: "sequenceLength",
                value: "\(configuration.sequenceLength)",
                expected: "at least 1"
            )
        }
        guard configuration.horizon >= 1 else {
            throw .invalidParameter(name: "horizon", value: "\(configuration.horizon)", expected: "at least 1")
        }
        let fraction = configuration.trainFraction
        guard fraction > 0, fraction < 1 else {
            throw .invalidParameter(
                name: "trainFraction",
                value: "\(fraction)",
                expected: "a number strictly between 0 and 1"
            )
        }
        if case .minMax(let lower, let upper) = configuration.scaling,
            !(lower < upper && lower.isFinite && upper.isFinite)
        {
            throw .invalidParameter(
                name: "scaling range",
                value: "[\(lower), \(upper)]",
                expected: "finite bounds with lower < upper"
            )
        }
    }
}
