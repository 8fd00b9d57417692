import Datasets

extension CompareCommand {
    /// `--season N`: the seasonal naive baseline's period.
    static let baselineSpecs: [OptionSpec] = [
        .value("season", "N", "add the seasonal naive baseline: the value N rows before the target (default: none)")
    ]

    /// Persistence, the seasonal naive forecast with `--season`, and the linear autoregression,
    /// measured before any training so that a bad `--season` stops the command with nothing
    /// written.
    static func baselines(
        _ options: ParsedOptions,
        loaded: (series: TimeSeries, dataset: WindowedDataset)
    ) throws -> [ComparisonReport.BaselineResult] {
        let season = try options.int("season", in: 1...100_000)
        let baselines: [Baseline] =
            [.persistence] + (season.map { [.seasonalNaive(period: $0)] } ?? []) + [.linearAutoregression]
        do {
            return try ComparisonReport.BaselineResult.measure(
                baselines,
                series: loaded.series,
                dataset: loaded.dataset
            )
        } catch {
            if case .invalidParameter(let name, let value, let expected) = error, name == "season" {
                throw CommandLineError.invalidValue(option: "--season", value: value, expected: expected)
            }
            throw error
        }
    }
}
