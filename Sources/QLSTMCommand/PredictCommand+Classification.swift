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
        var csv = "input_end_time,target_time," + classificationHeader(classes) + "\n"
        for (start, prediction) in zip(starts, predictions) {
            let last = start + rowsPerWindow - 1
            let targetRow = last + horizon
            csv +=
                "\(time(last)),\(time(targetRow)),"
                + classificationCells(prediction, lastRow: last, horizon: horizon, of: series, classes: classes) + "\n"
        }
        return csv
    }

    /// The columns of a classifier's answer: `predicted_class,probability_0,...,truth_class`.
    static func classificationHeader(_ classes: MoveClasses) -> String {
        "predicted_class," + (0..<classes.count).map { "probability_\($0)" }.joined(separator: ",") + ",truth_class"
    }

    /// One window's cells under `classificationHeader`: the true class is empty when the target
    /// row lies past the series.
    /// - Parameter lastRow: the window's last row in `series`.
    static func classificationCells(
        _ prediction: (predicted: Int, probabilities: [Double]),
        lastRow: Int,
        horizon: Int,
        of series: TimeSeries,
        classes: MoveClasses
    ) -> String {
        let targetRow = lastRow + horizon
        let truth =
            targetRow < series.count
            ? "\(classes.label(ofMove: series.target[targetRow] - series.target[lastRow]))" : ""
        let probabilities = prediction.probabilities.map { "\($0)" }.joined(separator: ",")
        return "\(prediction.predicted),\(probabilities),\(truth)"
    }
}
