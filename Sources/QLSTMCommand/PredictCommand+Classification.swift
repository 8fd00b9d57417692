import Datasets
import QLSTM
import QLSTMCluster

extension PredictCommand {
    /// A classifier's forecasts: for every window of the series, the class of its next move,
    /// the probability of each class and, where the series holds the target row, the true class.
    /// - Parameter time: the time of a row, extrapolated past the last one.
    /// - Returns: the CSV, `input_end_time,target_time,predicted_class,probability_0,...,truth_class`.
    static func classify(
        _ series: TimeSeries,
        with loaded: LoadedModel,
        classes: MoveClasses,
        time: (Int) -> Double
    ) async throws -> String {
        let horizon = loaded.file.specification.data.windows.horizon
        // Windows in original units, as `forecast` (and `qlstm serve`) take them.
        let rowsPerWindow = loaded.windowLength
        let starts = Array(0...(series.count - rowsPerWindow))
        let predictions = try await loaded.classify(
            starts.map { Array(series.features[$0..<($0 + rowsPerWindow)]) },
            targets: starts.map { Array(series.target[$0..<($0 + rowsPerWindow)]) }
        )
        var csv = "input_end_time,target_time,predicted_class,"
        csv += (0..<classes.count).map { "probability_\($0)" }.joined(separator: ",") + ",truth_class\n"
        for (start, prediction) in zip(starts, predictions) {
            let last = start + rowsPerWindow - 1
            let targetRow = last + horizon
            let truth =
                targetRow < series.count
                ? "\(classes.label(ofMove: series.target[targetRow] - series.target[last]))" : ""
            let probabilities = prediction.probabilities.map { "\($0)" }.joined(separator: ",")
            csv += "\(time(last)),\(time(targetRow)),\(prediction.predicted),\(probabilities),\(truth)\n"
        }
        return csv
    }
}
