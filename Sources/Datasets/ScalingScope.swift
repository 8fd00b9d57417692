/// Which rows the scalers are fitted on.
public enum ScalingScope: String, Sendable, Codable, CaseIterable {
    /// Only rows that training windows use: rows 0 through the last training target row.
    /// The default, so that nothing about the test part leaks into training.
    case trainingRows
    /// Every row of the series, as the paper's reference code does. The test part's range then
    /// leaks into the scaling; offered only to reproduce the paper's numbers.
    case wholeSeries
}
