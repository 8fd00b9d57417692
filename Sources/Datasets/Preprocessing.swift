/// The fitted transforms between a series' units and the model's: the series transform
/// (logarithms, differences), feature scalers, an optional PCA and the target scaler.
///
/// Saved with a trained model, it prepares new data for `predict` exactly as the training data
/// was prepared, and maps predictions back to the series' units.
public struct Preprocessing: Sendable, Codable, Equatable {
    /// One scaler per feature column of the series.
    public let featureScalers: [Scaler]
    /// Applied after the feature scalers, when the inputs are reduced.
    public let pca: PCA?
    public let targetScaler: Scaler
    /// Applied to every column before the scalers.
    public let transform: SeriesTransform

    public init(featureScalers: [Scaler], pca: PCA?, targetScaler: Scaler, transform: SeriesTransform = .none) {
        self.featureScalers = featureScalers
        self.pca = pca
        self.targetScaler = targetScaler
        self.transform = transform
    }

    /// Decodes a preprocessing; one saved before transforms existed has none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            featureScalers: try container.decode([Scaler].self, forKey: .featureScalers),
            pca: try container.decodeIfPresent(PCA.self, forKey: .pca),
            targetScaler: try container.decode(Scaler.self, forKey: .targetScaler),
            transform: try container.decodeIfPresent(SeriesTransform.self, forKey: .transform) ?? .none
        )
    }

    /// Number of model inputs per time step: the PCA width, or the feature count.
    public var inputWidth: Int { pca?.components.count ?? featureScalers.count }

    /// Scales one feature row (in the transform's units) column by column, then projects it
    /// when there is a PCA.
    public func transformFeatures(_ row: [Double]) -> [Double] {
        let scaled = zip(featureScalers, row).map { $0.transform($1) }
        return pca?.transform(scaled) ?? scaled
    }

    /// Maps one model output back to the series' units: unscaled, then through the inverse
    /// transform from `anchor`, the anchor of the window it was forecast from.
    public func originalUnits(_ scaled: Double, anchor: Double) -> Double {
        SeriesTransform.level(
            targetScaler.inverseTransform(scaled),
            anchor: anchor,
            takesLogarithm: transform.takesLogarithm
        )
    }

    /// New data prepared as the training data was: what `predict` feeds the model.
    public struct PreparedSeries: Sendable {
        /// Model inputs, one row per series row from `offset` on (row k is the series' row
        /// k + offset): transformed, scaled and projected.
        public let rows: [[Double]]
        /// d: the first series rows, which have no difference.
        public let offset: Int
        /// The target column through the transform: anchors and recursive continuations.
        public let target: SeriesTransform.Column
    }

    /// Carries a series through the transform, the scalers and the PCA.
    ///
    /// - Throws: `DatasetError.nonPositiveValue` where the transform takes logarithms of a
    ///   value <= 0.
    public func prepare(_ series: TimeSeries) throws(DatasetError) -> PreparedSeries {
        let (target, features) = try transform.apply(to: series)
        let offset = transform.differenceOrder
        let rows = (offset..<max(series.count, offset)).map { t in
            transformFeatures(features.map { $0.input(atRow: t) })
        }
        return PreparedSeries(rows: rows, offset: offset, target: target)
    }
}
