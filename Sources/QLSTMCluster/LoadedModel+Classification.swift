import Datasets
import QLSTM

extension LoadedModel {
    /// A classifier's predictions: per window, the class of its next move and the probability
    /// of each class.
    ///
    /// - Parameters: as `forecast`'s: windows in the series' original units.
    /// - Throws: `ForecastError.notAClassifier` for a model that forecasts values; what
    ///   `forecast` throws for windows of the wrong shape.
    public func classify(
        _ windows: [[[Double]]],
        targets: [[Double]]? = nil
    ) async throws -> [(predicted: Int, probabilities: [Double])] {
        guard let classes = file.specification.data.classes else { throw ForecastError.notAClassifier }
        let logits = try await predict(try prepare(windows, targets: targets).inputs)
        return windows.indices.map { index in
            let row = logits[index * classes.count..<(index + 1) * classes.count]
            return (Softmax.predictedClass(row), Softmax.probabilities(row))
        }
    }
}
