/// The fitted transforms between a series' units and the model's: feature scalers, an optional
/// PCA and the target scaler.
///
/// Saved with a trained model, it prepares new data for `predict` exactly as the training data
/// was prepared, and maps predictions back to the series' units.
public struct Preprocessing: Sendable, Codable, Equatable {
    /// One scaler per feature column of the series.
    public let featureScalers: [Scaler]
    /// Applied after the feature scalers, when the inputs are reduced.
    public let pca: PCA?
    public let targetScaler: Scaler

    public init(featureScalers: [Scaler], pca: PCA?, targetScaler: Scaler) {
        self.featureScalers = featureScalers
        self.pca = pca
        self.targetScaler = targetScaler
    }

    /// Number of model inputs per time step: the PCA width, or the feature count.
    public var inputWidth: Int { pca?.components.count ?? featureScalers.count }

    /// Scales one feature row column by column, then projects it when there is a PCA.
    public func transformFeatures(_ row: [Double]) -> [Double] {
        let scaled = zip(featureScalers, row).map { $0.transform($1) }
        return pca?.transform(scaled) ?? scaled
    }

    /// Maps model outputs back to the target's units.
    public func unscaleTargets(_ scaled: [Double]) -> [Double] {
        targetScaler.inverseTransform(scaled)
    }
}
