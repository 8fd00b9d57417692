import Datasets
import QLSTM

extension PredictCommand {
    /// A classifier's forecasts: for every window of the series, the class of its next move,
    /// the probability of each class and, where the series holds the target row, the true class.
    /// - Parameters:
    ///   - rows: the series' feature rows, prepared as the model's were.
    ///   - time: the time of a row, extrapolated past the last one.
    /// - Returns: the CSV, `input_end_time,target_time,predicted_class,probability_0,...,truth_class`.
    static func classify(
        _ series: TimeSeries,
        rows: [[Double]],
        with loaded: LoadedModel,
        classes: MoveClasses,
        time: (Int) -> Double
    ) async throws -> String {
        let length = loaded.file.specification.data.windows.sequenceLength
        let horizon = loaded.file.specification.data.windows.horizon
        let windows = (0...(series.count - length)).map { start in rows[start..<(start + length)].flatMap { $0 } }
        let logits = try await loaded.predict(windows)
        var csv = "input_end_time,target_time,predicted_class,"
        csv += (0..<classes.count).map { "probability_\($0)" }.joined(separator: ",") + ",truth_class\n"
        for start in windows.indices {
            let last = start + length - 1
            let targetRow = last + horizon
            let row = logits[start * classes.count..<(start + 1) * classes.count]
            let probabilities = Softmax.probabilities(row).map { "\($0)" }.joined(separator: ",")
            let truth =
                targetRow < series.count
                ? "\(classes.label(ofMove: series.target[targetRow] - series.target[last]))" : ""
            csv += "\(time(last)),\(time(targetRow)),\(Softmax.predictedClass(row)),\(probabilities),\(truth)\n"
        }
        return csv
    }
}
