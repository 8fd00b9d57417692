import Datasets
import Foundation
import QLSTM
import QLSTMCluster
import Reports

/// `qlstm predict`: forecasts for new data with a trained model, in the series' original units.
enum PredictCommand: Command {
    static let name = "predict"
    static let summary = "forecast a CSV series with a trained model (its scaler and window come from the model file)"
    static let usage =
        "qlstm predict (--model RUN | --selection FILE) --csv FILE [--column C] [--features C1,C2] [--horizon H] [--out FILE]"
    static let options: [OptionSpec] = [
        .value("model", "RUN", "a run directory written by qlstm train, or its model.json"),
        .value(
            "selection", "FILE",
            "a selection.json written by qlstm select: each window forecast by its volatility regime's model"
        ),
        .value("csv", "FILE", "the series to forecast"),
        .value("column", "C", "the target column (default: the model's, or column 0)"),
        .value("features", "C1,C2", "feature columns (default: the model's, or the target column)"),
        .value("time-column", "C", "a column holding the time index (default: the model's, or the row number)"),
        .value("horizon", "H", "steps ahead; beyond the model's own horizon a univariate model forecasts recursively"),
        .value("out", "FILE", "write the CSV here instead of standard output"),
    ]

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(0, usage: usage)
        guard let csvPath = options.string("csv") else {
            throw CommandLineError.missingArgument("--csv FILE", usage: usage)
        }
        if let selection = options.string("selection") {
            if options.isSet("model") {
                throw CommandLineError.conflict("give either --model RUN or --selection FILE, not both")
            }
            return try await followSelection(selection, csvPath: csvPath, options: options)
        }
        guard let modelPath = options.string("model") else {
            throw CommandLineError.missingArgument("--model RUN (or --selection FILE)", usage: usage)
        }
        let loaded = try await LoadedModel.load(modelPath)
        let data = loaded.file.specification.data
        let preprocessing = loaded.file.preprocessing
        let (series, features) = try Self.series(csvPath, for: loaded.file, options: options)
        let length = data.windows.sequenceLength
        let offset = preprocessing.transform.differenceOrder
        guard series.count >= length + offset else {
            throw CommandLineError.invalidFile(
                path: csvPath,
                message: offset == 0
                    ? "has \(series.count) rows; the model reads windows of \(length)"
                    : "has \(series.count) rows; the model reads windows of \(length) values of the transform \(preprocessing.transform), which take \(length + offset) rows"
            )
        }
        let trained = data.windows.horizon
        let horizon = try options.int("horizon", in: 1...100_000) ?? trained
        // Row k of the model's rows is the series' row k + offset (differences drop the first rows).
        let prepared = try preprocessing.prepare(series)
        let rows = prepared.rows
        let step = series.count > 1 ? series.time[series.count - 1] - series.time[series.count - 2] : 1
        func time(ofRow row: Int) -> Double {
            row < series.count
                ? series.time[row] : series.time[series.count - 1] + Double(row - series.count + 1) * step
        }
        var csv = "input_end_time,target_time,prediction,truth\n"
        if let classes = data.classes {
            guard horizon == trained else {
                throw CommandLineError.conflict(
                    "the model classifies the move \(trained) step(s) ahead and a class cannot be fed back as an input: drop --horizon, or retrain with --horizon \(horizon)"
                )
            }
            csv = try await Self.classify(series, with: loaded, classes: classes, time: time(ofRow:))
        } else if horizon == trained {
            // Through LoadedModel.forecast, as `qlstm serve` does, so both give the same bits.
            let rowsPerWindow = length + offset
            let starts = Array(0...(series.count - rowsPerWindow))
            let predictions = try await loaded.forecast(
                starts.map { Array(series.features[$0..<($0 + rowsPerWindow)]) },
                targets: starts.map { Array(series.target[$0..<($0 + rowsPerWindow)]) }
            )
            for (start, prediction) in zip(starts, predictions) {
                let last = start + rowsPerWindow - 1
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
            // Recursive: each scaled prediction becomes the next input (feature and target share
            // a scaler, fitted on the same values), and the transform's continuation adds each
            // forecast change to the levels before it.
            var window = Array(rows[(rows.count - length)...])
            let last = series.count - 1
            var continuation = prepared.target.continuation(afterRow: last)
            for ahead in 1...horizon {
                let scaled = try await loaded.predict([window.flatMap { $0 }])[0]
                let prediction = continuation.advance(by: preprocessing.targetScaler.inverseTransform(scaled))
                let targetRow = last + ahead
                let truth = targetRow < series.count ? "\(series.target[targetRow])" : ""
                csv += "\(time(ofRow: last)),\(time(ofRow: targetRow)),\(prediction),\(truth)\n"
                window.removeFirst()
                window.append([scaled])
            }
        }
        try write(csv, target: Self.target(of: series, classes: data.classes), options: options)
        return 0
    }

    /// What the forecasts of `series` are, for `write`'s message.
    static func target(of series: TimeSeries, classes: MoveClasses?) -> String {
        classes.map { "classes of the next move of \(series.targetName), \($0.count) classes" }
            ?? "\(series.targetName), original units"
    }

    /// The forecasts to `--out` (saying where), or to standard output.
    /// - Parameter target: what the forecasts are, for the message.
    static func write(_ csv: String, target: String, options: ParsedOptions) throws {
        if let out = options.string("out") {
            try AtomicFile.write(csv, to: URL(fileURLWithPath: out))
            let count = csv.split(separator: "\n").count - 1
            print("wrote \(NumberText.count(count, "forecast")) (\(target)) to \(out)")
        } else {
            print(csv, terminator: "")
        }
    }

    /// The CSV's series as the model reads it: its target, feature and time columns (the
    /// options', else the model's), checked against what the model was trained on.
    /// - Returns: the series and the feature columns chosen.
    static func series(_ csvPath: String, for file: ModelFile, options: ParsedOptions) throws -> (TimeSeries, [CSVColumn]) {
        let data = file.specification.data
        let preprocessing = file.preprocessing
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
        if let trained = file.trainedOn {
            try Self.check(
                series,
                against: trained,
                csvPath: csvPath,
                columnGiven: options.isSet("column"),
                levelsMatter: preprocessing.transform.differenceOrder == 0
            )
        }
        guard series.featureCount == preprocessing.featureScalers.count else {
            throw CommandLineError.invalidFile(
                path: csvPath,
                message:
                    "the model reads \(preprocessing.featureScalers.count) feature column(s) but the CSV selection gives \(series.featureCount) (\(series.featureNames.joined(separator: ", "))): choose them with --features"
            )
        }
        return (series, features)
    }

    /// Refuses a target column of another name than the model's (unless `--column` chose it),
    /// and warns, with both ranges, when the series leaves the range the model was fitted on by
    /// more than a tenth of that range: a forecast there is an extrapolation. A model that reads
    /// differences (`levelsMatter` false) never sees levels, so new levels are no warning.
    static func check(
        _ series: TimeSeries,
        against trained: TrainedSeries,
        csvPath: String,
        columnGiven: Bool,
        levelsMatter: Bool = true
    ) throws {
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
        for (name, values, range) in columns where range.count == 2 && levelsMatter {
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
