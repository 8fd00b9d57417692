/// A series cut into scaled input windows with their targets, split in time order into a
/// training part, an optional validation part and a test part.
///
/// Window i reads feature rows i ..< i + L (L = sequence length) and predicts the target at row
/// i + L + horizon - 1. With a `SeriesTransform` the rows are those of the transformed series
/// (Δ^d x drops the first d rows) and the target is the change from the window's last row;
/// windows keep the original series' row numbers, and `originalUnits(_:of:)` maps forecasts
/// back to the series' units. The first `Int(Double(windowCount) * trainFraction)` windows are the
/// training windows, the rest test; the last `Int(Double(trainingWindows) * validationFraction)`
/// training windows are set aside for validation, so model choices can be made on windows that
/// neither the optimiser nor the test sees. Windows are never shuffled across the splits.
///
/// Scalers (and the PCA) are fitted on the rows of the windows that train, 0 through the last
/// of them's target row: every row a training window reads or predicts, so nothing after it
/// (validation or test) shapes the scaling. `ScalingScope.wholeSeries` fits on every row instead, as the paper's code does. A
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
        /// Fraction of the training windows, from their end, kept for validation; 0 (none) up
        /// to but excluding 1.
        public var validationFraction: Double
        public var scaling: Scaler.Kind
        public var scalingScope: ScalingScope
        /// Reduce the feature columns to this many principal components; `nil` keeps them.
        public var principalComponents: Int?
        /// Drop the last window, as the authors' code does (N - L - horizon windows instead of
        /// N - L - horizon + 1): the paper's 157 / 78 pendulum and 197 / 98 NARMA splits.
        public var referenceWindowing: Bool
        /// Logarithms and differences applied to every column before scaling.
        public var transform: SeriesTransform

        public init(
            sequenceLength: Int,
            horizon: Int = 1,
            trainFraction: Double = 0.67,
            validationFraction: Double = 0,
            scaling: Scaler.Kind = .minMax(),
            scalingScope: ScalingScope = .trainingRows,
            principalComponents: Int? = nil,
            referenceWindowing: Bool = false,
            transform: SeriesTransform = .none
        ) {
            self.sequenceLength = sequenceLength
            self.horizon = horizon
            self.trainFraction = trainFraction
            self.validationFraction = validationFraction
            self.scaling = scaling
            self.scalingScope = scalingScope
            self.principalComponents = principalComponents
            self.referenceWindowing = referenceWindowing
            self.transform = transform
        }

        /// The paper's settings: windows of 4, the next value, 67 % train, no validation,
        /// min-max to [-1, 1] fitted on the whole series, the authors' window count.
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
        /// What an unscaled forecast is added to before leaving the transform's units: the
        /// `SeriesTransform.Column.anchor` of the window's last row (0 without differences).
        public let anchor: Double
    }

    public let configuration: Configuration
    public let preprocessing: Preprocessing
    /// The windows the model is fitted on.
    public let train: [Window]
    /// The windows after them, before the test windows (empty with no validation fraction).
    public let validation: [Window]
    public let test: [Window]
    /// The targets in the series' own units, window by window.
    public let trainTargets: [Double]
    public let validationTargets: [Double]
    public let testTargets: [Double]
    /// The series' rows whose values shaped the scalers and the PCA (through the transform,
    /// when there is one); with preprocessing fitted before, the rows they would have been
    /// fitted on (those the training windows read and predict).
    public let fittedRows: Range<Int>

    /// Cuts, scales and splits `series`.
    ///
    /// - Parameter reused: scalers and PCA fitted before (a warm start keeps its model's), used
    ///   instead of fitting new ones on this series; one feature scaler per feature column, and
    ///   the configuration's transform.
    /// - Throws: `DatasetError.invalidParameter` for a bad configuration value or a `fitted`
    ///   preprocessing of another width,
    ///   `.windowsDoNotFit` when the split leaves no training or no test window,
    ///   `.componentCountOutOfRange` for a PCA wider than the features.
    /// - Complexity: O(rows x (features + sequenceLength x inputWidth)).
    public init(
        _ series: TimeSeries,
        configuration: Configuration,
        preprocessing reused: Preprocessing? = nil
    ) throws(DatasetError) {
        try Self.validate(configuration)
        let transform = configuration.transform
        let (targetColumn, featureColumns) = try transform.apply(to: series)
        // Transformed row k is the series' row k + d: Δ^d x has no value for the first d rows.
        let offset = transform.differenceOrder
        let rows = series.count - offset
        let length = configuration.sequenceLength
        let horizon = configuration.horizon
        let lastOffset = length + horizon - 1
        let possible = max(rows - lastOffset, 0)
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

        let validationCount = Int(Double(trainCount) * configuration.validationFraction)
        let fitCount = trainCount - validationCount
        guard configuration.validationFraction == 0 || (validationCount >= 1 && fitCount >= 1) else {
            throw .validationDoesNotFit(
                trainingWindows: trainCount,
                fraction: configuration.validationFraction,
                validation: validationCount
            )
        }

        // Model units, by transformed row: the inputs Δ^d x of every feature column, and the
        // target of a window ending `horizon` rows earlier (defined once that window's anchor
        // is: from transformed row horizon - 1 on when there are differences).
        let features = (0..<rows).map { k in featureColumns.map { $0.input(atRow: k + offset) } }
        let firstTarget = offset > 0 ? horizon - 1 : 0
        let targets = (0..<rows).map { k in
            k >= firstTarget ? targetColumn.target(atRow: k + offset, horizon: horizon) : .nan
        }

        // The last window that trains starts at fitCount - 1; its target row is that + lastOffset.
        let lastTrainingRow = fitCount - 1 + lastOffset
        let fitted = configuration.scalingScope == .wholeSeries ? 0..<rows : 0..<(lastTrainingRow + 1)
        if let reused, reused.transform != transform {
            throw .invalidParameter(
                name: "preprocessing",
                value: "transform \(reused.transform)",
                expected: "the configuration's transform \(transform)"
            )
        }
        let targetScaler =
            reused?.targetScaler
            ?? Scaler.fit(
                Array(targets[max(fitted.lowerBound, firstTarget)..<fitted.upperBound]),
                kind: configuration.scaling
            )
        let featureScalers =
            reused?.featureScalers
            ?? (0..<series.featureCount).map { column in
                Scaler.fit(features[fitted].map { $0[column] }, kind: configuration.scaling)
            }
        guard featureScalers.count == series.featureCount else {
            throw .invalidParameter(
                name: "preprocessing",
                value: "\(featureScalers.count) feature scalers",
                expected: "one per feature column (\(series.featureCount))"
            )
        }
        let scaledRows = features.map { row in zip(featureScalers, row).map { $0.transform($1) } }
        let pca: PCA?
        if let reused {
            pca = reused.pca
        } else {
            pca = try configuration.principalComponents.map { (width) throws(DatasetError) in
                try PCA.fit(Array(scaledRows[fitted]), componentCount: width)
            }
        }
        let inputRows = pca?.transform(scaledRows) ?? scaledRows

        let windows = (0..<count).map { start in
            let k = start + lastOffset
            return Window(
                inputs: Array(inputRows[start..<(start + length)]),
                target: targetScaler.transform(targets[k]),
                row: k + offset,
                time: series.time[k + offset],
                anchor: targetColumn.anchor(atRow: k + offset - horizon)
            )
        }
        self.configuration = configuration
        self.preprocessing = Preprocessing(
            featureScalers: featureScalers,
            pca: pca,
            targetScaler: targetScaler,
            transform: transform
        )
        self.train = Array(windows[..<fitCount])
        self.validation = Array(windows[fitCount..<trainCount])
        self.test = Array(windows[trainCount...])
        self.trainTargets = train.map { series.target[$0.row] }
        self.validationTargets = validation.map { series.target[$0.row] }
        self.testTargets = test.map { series.target[$0.row] }
        self.fittedRows = 0..<(fitted.upperBound + offset)
    }

    /// Number of model inputs per time step.
    public var inputWidth: Int { preprocessing.inputWidth }

    /// Maps model outputs (scaled) for `windows` back to the series' units: unscaled, then
    /// through the inverse transform from each window's anchor.
    ///
    /// - Precondition: one output per window.
    public func originalUnits(_ scaled: [Double], of windows: [Window]) -> [Double] {
        precondition(scaled.count == windows.count, "one output per window")
        return zip(scaled, windows).map { preprocessing.originalUnits($0, anchor: $1.anchor) }
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
        guard configuration.validationFraction >= 0, configuration.validationFraction < 1 else {
            throw .invalidParameter(
                name: "validationFraction",
                value: "\(configuration.validationFraction)",
                expected: "a number from 0 up to but excluding 1"
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

extension WindowedDataset.Configuration {
    private enum CodingKeys: String, CodingKey {
        case sequenceLength, horizon, trainFraction, validationFraction, scaling, scalingScope
        case principalComponents, referenceWindowing, transform
    }

    /// Decodes a configuration; one written before validation splits (or transforms) existed
    /// has none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            sequenceLength: try container.decode(Int.self, forKey: .sequenceLength),
            horizon: try container.decode(Int.self, forKey: .horizon),
            trainFraction: try container.decode(Double.self, forKey: .trainFraction),
            validationFraction: try container.decodeIfPresent(Double.self, forKey: .validationFraction) ?? 0,
            scaling: try container.decode(Scaler.Kind.self, forKey: .scaling),
            scalingScope: try container.decode(ScalingScope.self, forKey: .scalingScope),
            principalComponents: try container.decodeIfPresent(Int.self, forKey: .principalComponents),
            referenceWindowing: try container.decode(Bool.self, forKey: .referenceWindowing),
            transform: try container.decodeIfPresent(SeriesTransform.self, forKey: .transform) ?? .none
        )
    }

    /// Leaves out an identity transform, so a run without one keeps the fingerprint it had
    /// before transforms existed.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequenceLength, forKey: .sequenceLength)
        try container.encode(horizon, forKey: .horizon)
        try container.encode(trainFraction, forKey: .trainFraction)
        try container.encode(validationFraction, forKey: .validationFraction)
        try container.encode(scaling, forKey: .scaling)
        try container.encode(scalingScope, forKey: .scalingScope)
        try container.encodeIfPresent(principalComponents, forKey: .principalComponents)
        try container.encode(referenceWindowing, forKey: .referenceWindowing)
        if !transform.isIdentity { try container.encode(transform, forKey: .transform) }
    }
}
