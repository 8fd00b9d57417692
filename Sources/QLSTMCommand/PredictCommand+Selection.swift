import Datasets
import Foundation
import QLSTMCluster

extension PredictCommand {
    /// `predict --selection FILE`: each window is forecast (or, with classifiers, classified) by
    /// the model `qlstm select` chose for the volatility regime at its last input row (the
    /// overall choice before a full volatility window); the CSV says which model and regime
    /// answered.
    static func followSelection(_ path: String, csvPath: String, options: ParsedOptions) async throws -> Int32 {
        let selection = try ModelSelection.read(from: URL(fileURLWithPath: path))
        if options.isSet("horizon") {
            throw CommandLineError.conflict(
                "--horizon does not combine with --selection: the selected models forecast their own horizon"
            )
        }
        let comparison = try selection.comparisonFolder(besides: URL(fileURLWithPath: path))
        var models: [String: LoadedModel] = [:]
        for run in Set(selection.byRegime.map(\.run) + [selection.overallRun]) {
            models[run] = try await LoadedModel.load(comparison.appendingPathComponent(run).path)
        }
        guard let reference = models[selection.overallRun] else { return 1 }
        let data = reference.file.specification.data
        let (series, _) = try series(csvPath, for: reference.file, options: options)
        // With d differences a window takes d more rows than the sequence length.
        let length = data.windows.sequenceLength + reference.file.preprocessing.transform.differenceOrder
        let horizon = data.windows.horizon
        guard series.count >= length else {
            throw CommandLineError.invalidFile(path: csvPath, message: "has \(series.count) rows; the models read windows of \(length)")
        }
        let classes = data.classes
        if let (run, _) = models.first(where: { $0.value.file.specification.data.classes != classes }) {
            throw CommandLineError.invalidFile(
                path: path,
                message:
                    "its model \(run) predicts other classes than \(selection.overallRun) (or values where the other predicts classes): write it again with qlstm select over one comparison"
            )
        }
        let volatility = VolatilityRegimes.rollingVolatility(series.target, window: selection.regimes.window)
        let starts = Array(0...(series.count - length))
        let choices = starts.map { selection.run(forVolatility: volatility[$0 + length - 1]) }
        // Per window, the cells between its times and its model: the forecast and the truth, or
        // a classifier's class, probabilities and true class.
        var answers = [String](repeating: "", count: starts.count)
        for (run, model) in models {
            let indices = starts.indices.filter { choices[$0].run == run }
            guard !indices.isEmpty else { continue }
            let windows = indices.map { start in Array(series.features[start..<(start + length)]) }
            let targets = indices.map { start in Array(series.target[start..<(start + length)]) }
            if let classes {
                for (start, prediction) in zip(indices, try await model.classify(windows, targets: targets)) {
                    answers[start] = classificationCells(
                        prediction, lastRow: start + length - 1, horizon: horizon, of: series, classes: classes
                    )
                }
            } else {
                for (start, prediction) in zip(indices, try await model.forecast(windows, targets: targets)) {
                    let targetRow = start + length - 1 + horizon
                    answers[start] = "\(prediction)," + (targetRow < series.count ? "\(series.target[targetRow])" : "")
                }
            }
        }
        let step = series.count > 1 ? series.time[series.count - 1] - series.time[series.count - 2] : 1
        func time(ofRow row: Int) -> Double {
            row < series.count ? series.time[row] : series.time[series.count - 1] + Double(row - series.count + 1) * step
        }
        let answerHeader = classes.map(classificationHeader) ?? "prediction,truth"
        var csv = "input_end_time,target_time,\(answerHeader),model,regime\n"
        for (start, answer) in answers.enumerated() {
            let last = start + length - 1
            let regime = volatility[last].map { selection.regimes.name(of: selection.regimes.regime(ofVolatility: $0)) } ?? "none"
            csv += "\(time(ofRow: last)),\(time(ofRow: last + horizon)),\(answer),\(choices[start].model),\(regime)\n"
        }
        try write(csv, target: target(of: series, classes: classes), options: options)
        return 0
    }
}
