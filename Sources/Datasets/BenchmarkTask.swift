/// The built-in benchmark series, by the names the command line and run manifests use.
public enum BenchmarkTask: String, CaseIterable, Sendable, Codable {
    /// The damped pendulum's angular velocity, 240 samples over 20 s.
    case pendulum
    /// NARMA-2, NARMA-5 and NARMA-10 with the paper's sinusoidal input, T = 300.
    case narma2, narma5, narma10
    /// NARMA-10 driven by seeded u ~ Uniform[0, 0.5), T = 300.
    case narma10Random = "narma10-random"

    /// Generates the series with its recipe's defaults.
    ///
    /// - Parameter seed: seeds the input of `narma10-random`; the other tasks ignore it.
    /// - Throws: never for these defaults; typed so callers handle it like any other dataset error.
    public func series(seed: UInt64 = 0) throws(DatasetError) -> TimeSeries {
        switch self {
        case .pendulum: try DampedPendulum().series()
        case .narma2: try NARMA(order: 2).series()
        case .narma5: try NARMA(order: 5).series()
        case .narma10: try NARMA(order: 10).series()
        case .narma10Random: try NARMA(order: 10, input: .uniform(seed: seed)).series()
        }
    }
}
