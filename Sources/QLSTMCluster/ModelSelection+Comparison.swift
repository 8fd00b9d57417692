import Datasets
import Foundation
import Reports

extension ModelSelection {
    /// The selection among the finished runs of a `qlstm compare` folder (`DIR/runs/*`).
    /// - Parameters:
    ///   - regimeCount: volatility regimes, fitted on the training rows of the comparison's series.
    ///   - volatilityWindow: one-step changes per rolling standard deviation.
    public static func choose(
        comparison: URL,
        regimeCount: Int = 2,
        volatilityWindow: Int = 10
    ) throws -> ModelSelection {
        let runsFolder = comparison.appendingPathComponent("runs")
        let names =
            ((try? FileManager.default.contentsOfDirectory(atPath: runsFolder.path)) ?? []).sorted()
        let finished = names.map { RunDirectory(runsFolder.appendingPathComponent($0)) }.filter(\.isFinished)
        guard let reference = finished.first else { throw SelectionError.noRuns }
        let referenceName = "runs/" + reference.url.lastPathComponent
        let data = try reference.model().specification.data
        let (series, dataset) = try data.load()
        var scores: [RunScores] = []
        for run in finished {
            let name = "runs/" + run.url.lastPathComponent
            let runData = try run.model().specification.data
            if (runData.classes == nil) != (data.classes == nil) {
                throw data.classes == nil
                    ? SelectionError.mixedObjectives(classifier: name, regressor: referenceName)
                    : SelectionError.mixedObjectives(classifier: referenceName, regressor: name)
            }
            guard runData == data else { throw SelectionError.differentData(run: name, other: referenceName) }
            scores.append(try validationScores(of: run, named: name, classes: data.classes?.count))
        }
        guard !dataset.validation.isEmpty else {
            throw SelectionError.noValidationWindows(run: scores[0].directory)
        }
        let trainingRows = 0..<((dataset.train.last?.row ?? 0) + 1)
        let regimes = try VolatilityRegimes(
            fitting: series.target,
            rows: trainingRows,
            regimes: regimeCount,
            window: volatilityWindow
        )
        let rowRegimes = regimes.regimes(of: series.target)
        let horizon = data.windows.horizon
        // A window's regime is the one at its last input row; before a full volatility window,
        // the lowest regime (the windows selection sees all lie after the training rows).
        let windowRegimes = dataset.validation.map { rowRegimes[$0.row - horizon] ?? 0 }
        return try ModelSelection(
            comparison: comparison.standardizedFileURL.path,
            target: series.targetName,
            runs: scores,
            regimes: regimes,
            windowRegimes: windowRegimes
        )
    }

    /// A run's model, seed and the validation rows of its predictions.csv:
    /// `time,truth,prediction,split`, or a classifier's
    /// `time,move,truth,prediction,probability_0,...,probability_{K-1},split`.
    /// - Parameter name: the run's directory as the selection names it.
    static func validationScores(of run: RunDirectory, named name: String, classes: Int?) throws -> RunScores {
        let summary = try run.summary()
        let url = run.file(RunDirectory.File.predictions)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw RunFileError.unreadable(path: url.path)
        }
        let fieldCount = classes.map { 5 + $0 } ?? 4
        // A classifier's truth and prediction follow its move.
        let first = classes == nil ? 1 : 2
        var scores = RunScores(directory: name, model: summary.label, seed: summary.seed, truths: [], predictions: [])
        var probabilities: [[Double]] = []
        for (index, line) in text.split(separator: "\n").enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == fieldCount else {
                throw RunFileError.invalid(path: url.path, message: "line \(index + 1) does not have \(fieldCount) fields")
            }
            guard fields[fieldCount - 1] == "validation" else { continue }
            let numbers = fields[first..<(fieldCount - 1)].compactMap { Double($0) }
            guard numbers.count == fieldCount - 1 - first else {
                throw RunFileError.invalid(path: url.path, message: "line \(index + 1) has a value that is not a number")
            }
            // Double("nan") parses; a score of NaN would rank nothing and cannot be written.
            guard numbers.allSatisfy(\.isFinite) else {
                throw RunFileError.invalid(
                    path: url.path,
                    message:
                        "line \(index + 1) has a value that is not finite: retrain that run or move it out of runs/"
                )
            }
            scores.truths.append(numbers[0])
            scores.predictions.append(numbers[1])
            probabilities.append(Array(numbers.dropFirst(2)))
        }
        if classes != nil { scores.probabilities = probabilities }
        return scores
    }

    /// Writes the selection as sorted, indented JSON, atomically.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(self), to: url)
    }

    /// Reads a selection.json written by `qlstm select`.
    public static func read(from url: URL) throws -> ModelSelection {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw RunFileError.unreadable(path: url.path)
        }
        do {
            let selection = try JSONDecoder().decode(ModelSelection.self, from: data)
            guard selection.format == "qlstm-selection" else {
                throw RunFileError.invalid(path: url.path, message: "not a selection written by qlstm select")
            }
            // A hand-edited file must not make a forecast index past its regimes or slice a
            // series by a negative window.
            let thresholds = selection.regimes.thresholds
            guard selection.regimes.window >= 2,
                thresholds.allSatisfy(\.isFinite), zip(thresholds, thresholds.dropFirst()).allSatisfy({ $0 < $1 }),
                selection.byRegime.count == selection.regimes.count
            else {
                throw RunFileError.invalid(
                    path: url.path,
                    message:
                        "its regimes do not fit together (a window of at least 2 rows, increasing finite thresholds, one choice per regime): write it again with qlstm select"
                )
            }
            return selection
        } catch let error as RunFileError {
            throw error
        } catch {
            throw RunFileError.invalid(path: url.path, message: "damaged selection: \(ModelFile.describe(error))")
        }
    }
}
