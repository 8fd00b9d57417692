import Datasets
import Foundation
import QLSTM
import Reports

/// `qlstm predict`: forecasts for new data with a trained model, in the series' original units.
enum PredictCommand: Command {
    static let name = "predict"
    static let summary = "forecast a CSV series with a trained model (its scaler and window come from the model file)"
    static let usage =
        "qlstm predict --model RUN --csv FILE [--column C] [--features C1,C2] [--horizon H] [--out FILE]"
    static let options: [OptionSpec] = [
        .value("model", "RUN", "a run directory written by qlstm train, or its model.json"),
        .value("csv", "FILE", "the series to forecast"),
        .value("column", "C", "the target column (default: the model's, or column 0)"),
        .value("features", "C1,C2", "feature columns (default: the model's, or the target column)"),
        .value("time-column", "C", "a column holding the time index (default: the model's, or the row number)"),
        .value("horizon", "H", "steps ahead; beyond the model's own horizon a univariate model forecasts recursively"),
        .value("out", "FILE", "write the CSV here instead of standard output"),
    ]

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(0, usage: usage)
        guard let modelPath = options.string("model") else {
            throw CommandLineError.missingArgument("--model RUN", usage: usage)
        }
        guard let csvPath = options.string("csv") else {
            throw CommandLineError.missingArgument("--csv FILE", usage: usage)
        }
        let loaded = try await LoadedModel.load(modelPath)
        let data = loaded.file.specification.data
        let preprocessing = loaded.file.preprocessing
        let target = options.string("column").map(CSVColumn.init(argument:)) ?? data.targetColumn ?? .index(0)
        let features =
            options.string("features").map { $0.split(separator: ",").map { CSVColumn(argument: String($0)) } }
            ?? (data.task == nil ? data.featureColumns : [])
        let timeColumn =
            options.string("time-column").map(CSVColumn.init(argument:)) ?? (data.task == nil ? data.timeColumn : nil)
        let series = try TimeSeries(
            contentsOfCSV: URL(fileURLWithPath: csvPath),
            target: target,
            features: features,
            time: timeColumn
        )
        if let trained = loaded.file.trainedOn {
            try Self.check(series, against: trained, csvPath: csvPath, columnGiven: options.isSet("column"))
        }
        guard series.featureCount == preprocessing.featureScalers.count else {
            throw CommandLineError.invalidFile(
                path: csvPath,
                message:
                    "the model reads \(preprocessing.featureScalers.count) feature column(s) but the CSV selection gives \(series.featureCount) (\(series.featureNames.joined(separator: ", "))): choose them with --features"
            )
        }
        let length = data.windows.sequenceLength
        guard series.count >= length else {
            throw CommandLineError.invalidFile(
                path: csvPath,
                message: "has \(series.count) rows; the model reads windows of \(length)"
            )
        }
        let trained = data.windows.horizon
        let horizon = try options.int("horizon", in: 1...100_000) ?? trained
        let step = series.count > 1 ? series.time[series.count - 1] - series.time[series.count - 2] : 1
        func time(ofRow row: Int) -> Double {
            row < series.count
                ? series.time[row] : series.time[series.count - 1] + Double(row - series.count + 1) * step
        }
        var csv = "input_end_time,target_time,prediction,truth\n"
        if horizon == trained {
            let windows = (0...(series.count - length)).map { Array(series.features[$0..<($0 + length)]) }
            let predictions = try await loaded.forecast(windows)
            for (start, prediction) in predictions.enumerated() {
                let last = start + length - 1
                let targetRow = last + horizon
                let truth = targetRow < series.count ? "\(series.target[targetRow])" : ""
                csv += "\(time(ofRow: last)),\(time(ofRow: targetRow)),\(prediction),\(truth)\n"
            }
        } else {
            let univariate = series.featureCount == 1 && features.isEmpty && preprocessing.pca == nil
            guard univariate, trained == 1, horizon > 1 else {
                throw CommandLineError.conflict(
                    "the model predicts \(trained) step(s) ahead; --horizon \(horizon) needs a univariate model trained with --horizon 1 (forecast recursively), or retrain with --horizon \(horizon)"
                )
            }
            // Recursive: each scaled prediction becomes the next input (feature and target share a scaler).
            var window = series.features[(series.count - length)...].map(preprocessing.transformFeatures)
            let last = series.count - 1
            for ahead in 1...horizon {
                let scaled = try await loaded.predict([window.flatMap { $0 }])[0]
                let prediction = preprocessing.unscaleTargets([scaled])[0]
                let targetRow = last + ahead
                let truth = targetRow < series.count ? "\(series.target[targetRow])" : ""
                csv += "\(time(ofRow: last)),\(time(ofRow: targetRow)),\(prediction),\(truth)\n"
                window.removeFirst()
                window.append([scaled])
            }
        }
        if let out = options.string("out") {
            try AtomicFile.write(csv, to: URL(fileURLWithPath: out))
            let count = csv.split(separator: "\n").count - 1
            print("wrote \(NumberText.count(count, "forecast")) (\(series.targetName), original units) to \(out)")
        } else {
            print(csv, terminator: "")
        }
        return 0
    }

    /// Refuses a target column of another name than the model's (unless `--column` chose it),
    /// and warns, with both ranges, when the series leaves the range the model was fitted on by
    /// more than a tenth of that range: a forecast there is an extrapolation.
    static func check(_ series: TimeSeries, against trained: TrainedSeries, csvPath: String, columnGiven: Bool) throws {
        if series.targetName != trained.target && !columnGiven {
            throw CommandLineError.invalidFile(
                path: csvPath,
                message:
                    "its column '\(series.targetName)' is not the model's target '\(trained.target)': choose the column holding \(trained.target) with --column (giving --column says it is the same quantity)"
            )
        }
        var columns = [(series.targetName, series.target, trained.targetRange)]
        for (index, name) in series.featureNames.enumerated()
        where index < trained.featureRanges.count && name != series.targetName {
            columns.append((name, series.features.map { $0[index] }, trained.featureRanges[index]))
        }
        for (name, values, range) in columns where range.count == 2 {
            guard let low = values.min(), let high = values.max() else { continue }
            let margin = 0.1 * (range[1] - range[0])
            if low < range[0] - margin || high > range[1] + margin {
                Notes().note(
                    "warning: \(name) in \(csvPath) ranges from \(format(low)) to \(format(high)), but the model was fitted on \(format(range[0])) to \(format(range[1])): forecasts outside that range are extrapolations"
                )
            }
        }
    }

    private static func format(_ value: Double) -> String { String(format: "%.6g", value) }
}
