import Datasets
import Foundation
import QLSTM
import QLSTMCluster

@main
struct Forecast {
    static func main() async throws {
        // A distributed QLSTM (2 sub-VQCs of 2 qubits per gate) on the damped pendulum, trained
        // in this process; the run directory gets the model, its metrics and its predictions.
        let directory = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "forecast-run")
        let specification = RunSpecification(
            data: .benchmark(.pendulum),
            model: ModelConfiguration(hiddenSize: 3, qubits: 4, partitions: 2),
            training: TrainingSettings(epochs: 3, seed: 7),
            profile: nil
        )
        var run = try await TrainingRun.open(specification, in: directory, replacing: true)
        let summary = try await run.train()
        print("test R^2 \(summary.r2Test ?? .nan), validation R^2 \(summary.r2Validation ?? .nan)")

        // Reloaded from disk: the step after the series' last four values, in original units.
        let model = try await LoadedModel.load(directory.path)
        let series = try BenchmarkTask.pendulum.series(seed: 0)
        let next = try await model.forecast([series.target.suffix(4).map { [$0] }])[0]
        print("next value \(next) after \(series.target.last ?? .nan)")
    }
}
