import Datasets
import QLSTM
import QLSTMCluster
import Reports

extension ComparisonReport {
    /// Element-wise mean, lowest and highest of equally long (or truncated to the shortest)
    /// columns: one per seed.
    static func envelope(_ columns: [[Double]]) -> (mean: [Double], lower: [Double], upper: [Double]) {
        let length = columns.map(\.count).min() ?? 0
        var mean: [Double] = []
        var lower: [Double] = []
        var upper: [Double] = []
        for index in 0..<length {
            let values = columns.map { $0[index] }
            mean.append(values.reduce(0, +) / Double(values.count))
            lower.append(values.min() ?? .nan)
            upper.append(values.max() ?? .nan)
        }
        return (mean, lower, upper)
    }

    /// Test R^2 against qubits per QPU: centric and distributed (one line per number of QPUs),
    /// mean ± standard deviation over seeds, each line's points moved sideways by a few
    /// hundredths so equal qubit counts do not hide each other; the models without qubits as
    /// level lines.
    func r2Chart() -> LineChart {
        var series: [LineSeries] = []
        let quantum = rows.enumerated().filter { $0.element.variant.model.kind == .qlstm }
        let qubitCounts = quantum.map { Double($0.element.summaries[0].nQubits) }
        let span = (qubitCounts.min() ?? 2, qubitCounts.max() ?? 6)
        let ends = [span.0 - 0.5, span.1 + 0.5]
        let groups = Dictionary(grouping: quantum) { $0.element.summaries[0].partitions }
        for (group, partitions) in groups.keys.sorted().enumerated() {
            let dodge = (Double(group) - Double(groups.count - 1) / 2) * 0.08
            let members = (groups[partitions] ?? []).sorted {
                $0.element.summaries[0].nQubits < $1.element.summaries[0].nQubits
            }
            var x: [Double] = []
            var y: [Double] = []
            var lower: [Double] = []
            var upper: [Double] = []
            for (_, row) in members {
                let statistics = SampleStatistics(row.summaries.compactMap(headlineTest))
                let mean = statistics?.mean ?? .nan
                let deviation = statistics?.standardDeviation ?? .nan
                x.append(Double(row.summaries[0].nQubits) + dodge)
                y.append(mean)
                lower.append(mean - deviation)
                upper.append(mean + deviation)
            }
            series.append(
                LineSeries(
                    name: partitions == 1 ? "centric (1 QPU)" : "distributed (\(partitions) QPUs)",
                    x: x,
                    y: y,
                    colour: Self.colour(ofRow: members[0].offset),
                    spread: .init(lower: lower, upper: upper, style: .errorBars)
                )
            )
        }
        for (index, row) in rows.enumerated() where row.variant.model.kind != .qlstm {
            let mean = SampleStatistics(row.summaries.compactMap(headlineTest))?.mean ?? .nan
            series.append(
                LineSeries(
                    name: row.variant.model.kind == .lstm ? "classical LSTM" : "ablation",
                    x: ends,
                    y: [mean, mean],
                    stroke: .dashed,
                    colour: Self.colour(ofRow: index)
                )
            )
        }
        return LineChart(
            title:
                "Test \(headlineName) against qubits per QPU, mean ± standard deviation over \(NumberText.count(seeds, "seed"))",
            xLabel: "qubits per QPU",
            yLabel: "test \(headlineName)",
            series: series,
            xTickStep: 1
        )
    }

    /// Training loss, and validation loss (test loss without a validation split), per model:
    /// the mean over seeds with a band from the lowest to the highest seed.
    func lossCharts() -> [(chart: LineChart, fileName: String)] {
        func chart(_ title: String, _ value: (EpochRecord) -> Double?) -> LineChart {
            let series = rows.enumerated().map { index, row in
                let curves = row.runs.map { $0.history.map { value($0) ?? .nan } }
                let (mean, lower, upper) = Self.envelope(curves)
                return LineSeries(
                    name: row.variant.title,
                    y: mean,
                    colour: Self.colour(ofRow: index),
                    spread: seeds > 1 ? .init(lower: lower, upper: upper, style: .band) : nil
                )
            }
            return LineChart(
                title: title,
                xLabel: "epoch",
                yLabel: isClassification
                    ? "cross-entropy (nats)" : "\(training.loss.rawValue.uppercased()) (scaled units)",
                series: series,
                yScale: .logarithmic
            )
        }
        let band = seeds > 1 ? ", band: lowest to highest seed" : ""
        var charts = [(chart("Training loss, mean over seeds\(band)", { $0.trainLoss }), "loss-curves.svg")]
        if hasValidation {
            charts.append(
                (chart("Validation loss, mean over seeds\(band)", { $0.validationLoss }), "validation-loss.svg")
            )
        } else {
            charts.append((chart("Test loss, mean over seeds\(band)", { $0.testLoss }), "test-loss.svg"))
        }
        return charts
    }

    /// The mean test prediction of each model over seeds, by time.
    func meanPredictions(_ row: Row) -> [(x: Double, y: Double)] {
        let (mean, _, _) = Self.envelope(row.runs.map { $0.testPredictions.map(\.y) })
        return zip(row.runs.first?.testPredictions ?? [], mean).map { ($0.x, $1) }
    }

    private var yLabel: String { data.task == .pendulum ? "angular velocity (rad/s)" : targetName }

    /// The test span: ground truth and each model's mean prediction over seeds.
    func predictionChart() -> LineChart {
        var series = [
            LineSeries(name: "ground truth", points: truth, stroke: .solid, colour: Colour(red: 0, green: 0, blue: 0))
        ]
        for (index, row) in rows.enumerated() {
            series.append(
                LineSeries(
                    name: row.variant.title,
                    points: meanPredictions(row),
                    stroke: .dashed,
                    colour: Self.colour(ofRow: index)
                )
            )
        }
        series += persistenceSeries()
        return LineChart(
            title: "Test span: ground truth and mean prediction over seeds",
            xLabel: "time",
            yLabel: yLabel,
            series: series
        )
    }

    /// Mean prediction minus truth on the test span, per model: where and how each one misses.
    func residualChart() -> LineChart {
        let truthByTime = Dictionary(truth.map { ($0.x, $0.y) }, uniquingKeysWith: { first, _ in first })
        var series = [
            LineSeries(
                name: "zero",
                x: [truth.first?.x ?? 0, truth.last?.x ?? 1],
                y: [0, 0],
                stroke: .dotted,
                colour: Colour(red: 0, green: 0, blue: 0)
            )
        ]
        for (index, row) in rows.enumerated() {
            series.append(
                LineSeries(
                    name: row.variant.title,
                    points: meanPredictions(row).map { ($0.x, $0.y - (truthByTime[$0.x] ?? .nan)) },
                    colour: Self.colour(ofRow: index)
                )
            )
        }
        return LineChart(
            title: "Residuals on the test span: mean prediction - truth",
            xLabel: "time",
            yLabel: "residual (\(yLabel))",
            series: series
        )
    }
}
