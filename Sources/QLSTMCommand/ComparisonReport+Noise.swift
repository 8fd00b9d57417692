import Foundation
import QLSTM
import QLSTMCluster
import QPUProfiles
import Reports

extension ComparisonReport {
    /// Noisy vs ideal test R^2 (balanced accuracy for classifiers) of every QLSTM trained on
    /// the profile (the same weights, tested on the profile and on the ideal emulator).
    func noiseTable(_ study: NoiseStudy) -> Table {
        var table = Table(
            headers: [
                "model", "qubits per QPU", "QPUs", "test \(headlineName) on \(study.profile.name)",
                "same weights, ideal",
                "ideal - noisy", "gradient variance (ideal)", "gradient variance (\(study.profile.name))",
            ],
            alignments: [.left, .right, .right, .right, .right, .right, .right, .right],
            caption:
                "mean ± standard deviation over \(seeds) seed\(seeds == 1 ? "" : "s"); gradient variances over \(study.samples) random initialisations"
        )
        for row in rows where row.variant.model.kind == .qlstm {
            let noisy = row.summaries.compactMap(headlineTest)
            let ideal = row.summaries.compactMap(headlineTestIdeal)
            let gap = zip(ideal, noisy).map { $0 - $1 }
            let variance = study.rows.first { $0.label == row.variant.label }
            table.append([
                row.variant.title,
                "\(row.summaries[0].nQubits)",
                "\(row.summaries[0].partitions)",
                SampleStatistics(noisy).map { $0.formatted(decimals: 4) } ?? "-",
                SampleStatistics(ideal).map { $0.formatted(decimals: 4) } ?? "-",
                SampleStatistics(gap).map { $0.formatted(decimals: 4) } ?? "-",
                variance.map { String(format: "%.3g", $0.ideal) } ?? "-",
                variance.map { String(format: "%.3g", $0.noisy) } ?? "-",
            ])
        }
        return table
    }

    /// Gradient variance at initialisation against qubits per QPU, centric and distributed,
    /// ideal and noisy.
    func gradientChart(_ study: NoiseStudy) -> LineChart {
        var series: [LineSeries] = []
        for (index, (distributed, name)) in [(false, "centric"), (true, "distributed")].enumerated() {
            let points = study.rows.filter { $0.distributed == distributed }.sorted {
                $0.qubitsPerQPU < $1.qubitsPerQPU
            }
            guard !points.isEmpty else { continue }
            let colour = Colour.palette[index % Colour.palette.count]
            series.append(
                LineSeries(
                    name: "\(name), ideal",
                    points: points.map { (Double($0.qubitsPerQPU), $0.ideal) },
                    stroke: .solid,
                    colour: colour
                )
            )
            series.append(
                LineSeries(
                    name: "\(name), \(study.profile.name)",
                    points: points.map { (Double($0.qubitsPerQPU), $0.noisy) },
                    stroke: .dashed,
                    colour: colour
                )
            )
        }
        return LineChart(
            title: "Variance of the loss gradient at initialisation (\(study.samples) samples)",
            xLabel: "qubits per QPU",
            yLabel: "mean Var[dL/dθ]",
            series: series,
            yScale: .logarithmic
        )
    }

    func noiseBlocks(_ study: NoiseStudy) -> [ReportBlock] {
        let p = study.profile
        // The manifest's "name, shots" without the name the sentence already gives.
        let shotsText =
            rows.first { $0.variant.model.kind == .qlstm }?.manifest?.qpuProfile.split(separator: ", ", maxSplits: 1).last
            .map(String.init) ?? ""
        return [
            .heading("Noise: profile \(p.name)", level: 2),
            .paragraph(
                "Every QLSTM trained and was tested on the emulated QPU \(p.name) (p1 \(p.gateError1q), p2 \(p.gateError2q), T1 \(p.t1Seconds.map { "\($0) s" } ?? "none"), T2 \(p.t2Seconds.map { "\($0) s" } ?? "none"), readout \(p.readoutError0to1) / \(p.readoutError1to0), \(shotsText)); the same trained weights were then tested on the ideal emulator. The gradient variance is the variance over \(study.samples) random initialisations (circuit angles uniform in [0, 2π), exact expectations, the \(isClassification ? "cross-entropy" : "MSE") on \(study.windows) training windows) of each circuit angle's derivative, averaged over the angles: the barren-plateau measure behind partitioning onto small QPUs."
            ),
            .table(noiseTable(study)),
            .chart(gradientChart(study), fileName: "gradient-variance.svg"),
        ]
    }
}
