import Datasets
import Foundation
import QLSTM
import Reports

extension TrainingRun {
    /// Windows as the trainer reads them: each target the scaled value, or with classes the
    /// class index of the window's next move.
    public static func sequences(
        _ windows: [WindowedDataset.Window],
        of data: (series: TimeSeries, dataset: WindowedDataset),
        classes: MoveClasses?
    ) -> SequenceData {
        var sequences = sequences(windows, width: data.dataset.inputWidth)
        if let classes {
            sequences.targets = classes.labels(
                of: windows,
                in: data.series,
                horizon: data.dataset.configuration.horizon
            ).map(Double.init)
        }
        return sequences
    }

    /// A classification run's predictions.csv (per window its time, move in the target's units,
    /// true class, predicted class and the probability of each class) and its metrics on every
    /// split, added to `summary`.
    func addClassificationResults(_ classes: MoveClasses, to summary: inout RunSummary) async throws {
        let data = (series, dataset)
        let horizon = dataset.configuration.horizon
        var csv = "time,move,truth,prediction,"
        csv += (0..<classes.count).map { "probability_\($0)" }.joined(separator: ",") + ",split\n"
        var metrics: [String: ClassificationMetrics] = [:]
        for (split, windows, pass) in [
            ("train", dataset.train, EvaluationPass.final(.train)),
            ("validation", dataset.validation, .final(.validation)),
            ("test", dataset.test, .final(.test)),
        ] where !windows.isEmpty {
            let sequences = Self.sequences(windows, of: data, classes: classes)
            let logits = try await trainer.predict(sequences, pass: pass)
            let labels = sequences.targets.map { Int($0) }
            metrics[split] = ClassificationMetrics(logits: logits, labels: labels, classes: classes.count)
            let moves = MoveClasses.moves(of: windows, in: series, horizon: horizon)
            for (index, window) in windows.enumerated() {
                let row = logits[index * classes.count..<(index + 1) * classes.count]
                let probabilities = Softmax.probabilities(row).map { "\($0)" }.joined(separator: ",")
                csv +=
                    "\(window.time),\(moves[index]),\(labels[index]),\(Softmax.predictedClass(row)),\(probabilities),\(split)\n"
            }
        }
        try AtomicFile.write(Data(csv.utf8), to: run.file(RunDirectory.File.predictions))
        summary.classes = classes.count
        summary.classThresholds = classes.thresholds
        let (train, validation, test) = (metrics["train"], metrics["validation"], metrics["test"])
        summary.accuracyTest = test?.accuracy
        summary.balancedAccuracyTest = test?.balancedAccuracy
        summary.macroF1Test = test?.macroF1
        summary.crossEntropyTest = test?.crossEntropy
        summary.confusionTest = test?.confusion
        summary.accuracyValidation = validation?.accuracy
        summary.balancedAccuracyValidation = validation?.balancedAccuracy
        summary.macroF1Validation = validation?.macroF1
        summary.crossEntropyValidation = validation?.crossEntropy
        summary.confusionValidation = validation?.confusion
        summary.accuracyTrain = train?.accuracy
        summary.balancedAccuracyTrain = train?.balancedAccuracy
        summary.macroF1Train = train?.macroF1
        summary.crossEntropyTrain = train?.crossEntropy
        if let logits = try await idealTestOutputs() {
            let labels = classes.labels(of: dataset.test, in: series, horizon: horizon)
            let ideal = ClassificationMetrics(logits: logits, labels: labels, classes: classes.count)
            summary.balancedAccuracyTestIdeal = ideal.balancedAccuracy
            summary.accuracyTestIdeal = ideal.accuracy
        }
    }
}

extension RunSummary {
    /// The test figures of `train`'s result line: the objective's own metrics.
    public var testFigures: String {
        if let balanced = balancedAccuracyTest {
            return "test balanced accuracy \(String(format: "%.4f", balanced)), accuracy "
                + "\(String(format: "%.4f", accuracyTest ?? .nan)), macro F1 \(String(format: "%.4f", macroF1Test ?? .nan)), "
                + "cross-entropy \(String(format: "%.4g", crossEntropyTest ?? .nan)) (\(classes ?? 0) classes)"
        }
        return "test R^2 \(String(format: "%.4f", r2Test ?? .nan)), test MSE \(String(format: "%.4g", mseTest ?? .nan))"
    }
}
