import Datasets

extension LoadedModel {
    /// Forecasts in the target's units for windows in the series' units: each window is
    /// `sequenceLength` rows of one value per feature column, oldest first, prepared (scaled,
    /// projected) by the model's own preprocessing exactly as its training data was.
    ///
    /// `qlstm predict` and `qlstm serve` both forecast through here, so a window gets the same
    /// bits from either: each row is transformed on its own, and a window's prediction does not
    /// depend on the other windows of its batch (the simulator's lanes are bit-identical to
    /// lone evaluation).
    func forecast(_ windows: [[[Double]]]) async throws -> [Double] {
        let preprocessing = file.preprocessing
        let scaled = windows.map { rows in rows.flatMap(preprocessing.transformFeatures) }
        return preprocessing.unscaleTargets(try await predict(scaled))
    }

    /// The number of rows in a window.
    var windowLength: Int { file.specification.data.windows.sequenceLength }

    /// The number of values in a row: the feature columns the model reads (before any PCA).
    var featureCount: Int { file.preprocessing.featureScalers.count }
}
