/// A time-ordered table: feature columns the model reads and one target column it predicts.
///
/// Rows are time steps. A univariate series (pendulum, a single CSV column) has one feature
/// column that is the target itself: the model sees past values and predicts the next one.
/// The initialiser checks that every column has one value per row, so code that windows or
/// scales a series never meets ragged data.
public struct TimeSeries: Sendable, Codable, Equatable {
    /// Sample time of each row (the row index when the source has no time).
    public let time: [Double]
    /// One row per time step, one value per feature column.
    public let features: [[Double]]
    public let featureNames: [String]
    /// The value to predict, one per row.
    public let target: [Double]
    public let targetName: String

    /// Makes a series after checking its shape.
    ///
    /// - Throws: `DatasetError.lengthMismatch` when a column's length differs from `time`'s or a
    ///   feature row's width differs from `featureNames`; `invalidParameter` without features.
    public init(
        time: [Double],
        features: [[Double]],
        featureNames: [String],
        target: [Double],
        targetName: String
    ) throws(DatasetError) {
        guard !featureNames.isEmpty else {
            throw .invalidParameter(name: "featureNames", value: "[]", expected: "at least one feature column")
        }
        guard features.count == time.count else {
            throw .lengthMismatch(column: "features", expected: time.count, found: features.count)
        }
        guard target.count == time.count else {
            throw .lengthMismatch(column: targetName, expected: time.count, found: target.count)
        }
        if let row = features.firstIndex(where: { $0.count != featureNames.count }) {
            throw .lengthMismatch(
                column: "feature row \(row)",
                expected: featureNames.count,
                found: features[row].count
            )
        }
        self.time = time
        self.features = features
        self.featureNames = featureNames
        self.target = target
        self.targetName = targetName
    }

    /// Makes a univariate series: the one feature column is the target.
    ///
    /// - Parameter time: sample times; the row index when `nil`.
    public init(univariate values: [Double], name: String, time: [Double]? = nil) throws(DatasetError) {
        try self.init(
            time: time ?? values.indices.map(Double.init),
            features: values.map { [$0] },
            featureNames: [name],
            target: values,
            targetName: name
        )
    }

    /// Number of rows (time steps).
    public var count: Int { time.count }

    /// Number of feature columns.
    public var featureCount: Int { featureNames.count }

    /// The values of feature column `index`, one per row.
    public func featureColumn(_ index: Int) -> [Double] {
        features.map { $0[index] }
    }

    private enum CodingKeys: String, CodingKey {
        case time, features, featureNames, target, targetName
    }

    /// Decodes through the checking initialiser, so a hand-edited file cannot make a ragged series.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                time: container.decode([Double].self, forKey: .time),
                features: container.decode([[Double]].self, forKey: .features),
                featureNames: container.decode([String].self, forKey: .featureNames),
                target: container.decode([Double].self, forKey: .target),
                targetName: container.decode(String.self, forKey: .targetName)
            )
        } catch let error as DatasetError {
            throw DecodingError.dataCorruptedError(
                forKey: .features,
                in: container,
                debugDescription: error.description
            )
        }
    }
}
