import Datasets
import Foundation
import QLSTM

/// Where a run started (`qlstm train --warm-start RUN`): a trained model whose weights are the
/// run's first weights and, unless `--refit-scaler`, whose scalers prepare the run's data.
///
/// Kept in the run's specification, so model.json, manifest.json and the run's fingerprint all
/// say which weights it began from: retraining from other weights, or another scaler, is
/// another run.
public struct WarmStart: Sendable, Equatable, Codable {
    /// The run directory or model.json given, its symbolic links resolved. Left out of the
    /// fingerprint (a moved run is the same start): the three values below identify the weights.
    public var path: String?
    /// The starting model's run fingerprint.
    public var fingerprint: String
    /// The epochs the starting model had completed.
    public var epochs: Int
    /// FNV-1a (128 bits) of the starting parameters' bit patterns: exactly the weights begun from.
    public var parameterDigest: String
    /// True with `--refit-scaler`: the scalers were fitted on this run's training rows.
    public var refitScaler: Bool
    /// The starting model's scalers (and PCA), which this run keeps; `nil` with `refitScaler`.
    public var preprocessing: Preprocessing?

    public init(
        path: String?,
        fingerprint: String,
        epochs: Int,
        parameterDigest: String,
        refitScaler: Bool,
        preprocessing: Preprocessing?
    ) {
        self.path = path
        self.fingerprint = fingerprint
        self.epochs = epochs
        self.parameterDigest = parameterDigest
        self.refitScaler = refitScaler
        self.preprocessing = preprocessing
    }

    /// `RunIdentity.hash` of the parameters' bit patterns, little-endian.
    public static func digest(_ parameters: [Double]) -> String {
        var bytes = Data(capacity: parameters.count * 8)
        for value in parameters { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return RunIdentity.hash(bytes)
    }
}

extension RunSpecification {
    /// The series and its windows, prepared with a warm start's kept scalers when there are
    /// some; a warm start's data must give the model its input width.
    public func loadData() throws -> (series: TimeSeries, dataset: WindowedDataset) {
        guard let warmStart else { return try data.load() }
        let series = try data.series()
        if let kept = warmStart.preprocessing, kept.featureScalers.count != series.featureCount {
            throw WarmStartError.columns(reads: kept.featureScalers.count, given: series.featureNames)
        }
        let dataset = try WindowedDataset(series, configuration: data.windows, preprocessing: warmStart.preprocessing)
        guard dataset.inputWidth == model.inputWidth else {
            throw WarmStartError.inputWidth(reads: model.inputWidth, given: dataset.inputWidth, columns: series.featureNames)
        }
        return (series, dataset)
    }
}

/// Data a warm-started model cannot read.
public enum WarmStartError: Error, Equatable, CustomStringConvertible {
    case columns(reads: Int, given: [String])
    case inputWidth(reads: Int, given: Int, columns: [String])

    public var description: String {
        switch self {
        case .columns(let reads, let given):
            "the model of --warm-start reads \(reads) column(s) per step, but the data gives \(given.count) (\(given.joined(separator: ", "))): choose its columns with --column and --features"
        case .inputWidth(let reads, let given, let columns):
            "the model of --warm-start reads \(reads) input(s) per step, but the data gives \(given) (\(columns.joined(separator: ", "))): choose its columns with --features, or --pca"
        }
    }
}
