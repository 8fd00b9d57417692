import Foundation

/// A chain of transforms between a series' levels and what a model reads: logarithms and
/// differences, applied in order, before scaling.
///
/// A model fitted on levels cannot forecast a level it never saw, so a trending series defeats
/// it; its changes stay in range. The chain is a logarithm (`log`, or the `log` inside
/// `log-return`) at most once and first, then any number of differences: `log,difference` is
/// `log-return`, `difference,difference` the second difference. Logarithms of changes (negative
/// as often as not) are refused.
///
/// With d differences, a model reads Δ^d x (x the levels or their logarithms) and predicts the
/// change of its target from the last row it observed: T = x_r - sum_{j<d} Δ^j x_l, where l is
/// the window's last row and r = l + horizon. With horizon 1 that is Δ^d x_r, so a univariate
/// model's target is its input column. The inverse adds the window's anchor sum_{j<d} Δ^j x_l
/// back (and exponentiates after a logarithm), so forecasts return to the series' units from
/// values observed up to row l only. A forecast of no change is persistence (d = 1) or the
/// last step's trend continued (d = 2).
public struct SeriesTransform: Sendable, Equatable, CustomStringConvertible {
    /// One transform of the chain.
    public enum Step: String, Sendable, Codable, CaseIterable {
        /// x_t - x_{t-1}.
        case difference
        /// ln(x_t / x_{t-1}): the logarithm, then the difference.
        case logReturn = "log-return"
        /// ln(x_t), for values above 0.
        case log
    }

    /// The steps as given, in order.
    public let steps: [Step]

    /// No transform: the model reads the scaled levels.
    public static let none = SeriesTransform(checked: [])

    private init(checked steps: [Step]) {
        self.steps = steps
    }

    /// Makes a chain after checking its order.
    ///
    /// - Throws: `DatasetError.invalidParameter` when `log` or `log-return` follows another
    ///   step: after a difference it would take logarithms of changes, after a logarithm of
    ///   logarithms.
    public init(_ steps: [Step]) throws(DatasetError) {
        if let late = steps.dropFirst().firstIndex(where: { $0 != .difference }) {
            throw .invalidParameter(
                name: "transform",
                value: steps.map(\.rawValue).joined(separator: ","),
                expected:
                    "\(steps[late].rawValue) only as the first step (a logarithm of levels, then differences), such as log,difference"
            )
        }
        self.init(checked: steps)
    }

    /// Reads a comma-separated chain such as `log,difference`; empty text is no transform.
    ///
    /// - Throws: `DatasetError.invalidParameter` for an unknown step or a bad order.
    public init(parsing text: String) throws(DatasetError) {
        var steps: [Step] = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let step = Step(rawValue: trimmed) else {
                throw .invalidParameter(
                    name: "transform",
                    value: "'\(trimmed)'",
                    expected: "difference, log-return or log, several in order separated by commas (log,difference)"
                )
            }
            steps.append(step)
        }
        try self.init(steps)
    }

    public var isIdentity: Bool { steps.isEmpty }

    /// Whether levels are replaced by their natural logarithms first.
    public var takesLogarithm: Bool { steps.first == .log || steps.first == .logReturn }

    /// d, the number of differences (each `difference` and each `log-return`).
    public var differenceOrder: Int { steps.filter { $0 != .log }.count }

    /// `log,difference`, or `none`.
    public var description: String {
        isIdentity ? "none" : steps.map(\.rawValue).joined(separator: ",")
    }

    /// One column of a series carried through the chain.
    public struct Column: Sendable, Equatable {
        /// `differences[j][t]` is Δ^j x_t, NaN for t < j (x: the levels, or their logarithms).
        public let differences: [[Double]]
        public let takesLogarithm: Bool

        /// d.
        public var order: Int { differences.count - 1 }

        /// What the model reads at row t: Δ^d x_t (NaN for t < d).
        public func input(atRow t: Int) -> Double { differences[order][t] }

        /// The sum of Δ^j x_l over j < d: the level, in transformed units, that a change
        /// forecast from a window ending at row l is added to (0 without differences).
        public func anchor(atRow l: Int) -> Double {
            var sum = 0.0
            for j in 0..<order { sum += differences[j][l] }
            return sum
        }

        /// The target at row r of a window ending at row r - horizon: x_r minus that window's
        /// anchor. Defined for r - horizon >= d - 1.
        public func target(atRow r: Int, horizon: Int) -> Double {
            differences[0][r] - anchor(atRow: r - horizon)
        }

        /// The level, in the series' units, of a target value `change` forecast from a window
        /// whose anchor is `anchor`: the inverse of `target(atRow:horizon:)`.
        public func level(_ change: Double, anchor: Double) -> Double {
            SeriesTransform.level(change, anchor: anchor, takesLogarithm: takesLogarithm)
        }

        /// The state from which forecasts continue after row `l`, one step at a time.
        public func continuation(afterRow l: Int) -> Continuation {
            Continuation(
                differences: (0..<order).map { differences[$0][l] },
                takesLogarithm: takesLogarithm
            )
        }
    }

    /// Recursive forecasting in transformed units: the last Δ^0 x ... Δ^(d-1) x, advanced by
    /// each forecast Δ^d x of the next row.
    public struct Continuation: Sendable, Equatable {
        public private(set) var differences: [Double]
        public let takesLogarithm: Bool

        /// The anchor of a window ending at the current row.
        public var anchor: Double { differences.reduce(0, +) }

        /// Appends a forecast Δ^d x of the next row; returns that row's level in the series' units.
        public mutating func advance(by change: Double) -> Double {
            var carried = change
            for j in differences.indices.reversed() {
                differences[j] += carried
                carried = differences[j]
            }
            return SeriesTransform.level(
                differences.isEmpty ? change : differences[0],
                anchor: 0,
                takesLogarithm: takesLogarithm
            )
        }
    }

    /// `change + anchor`, exponentiated after a logarithm.
    static func level(_ change: Double, anchor: Double, takesLogarithm: Bool) -> Double {
        let x = change + anchor
        return takesLogarithm ? Foundation.exp(x) : x
    }

    /// Carries one column through the chain.
    ///
    /// - Parameters:
    ///   - values: the column, one value per row.
    ///   - name: the column's name, for the error.
    ///   - times: each row's time, for the error.
    /// - Throws: `DatasetError.nonPositiveValue` at the first value <= 0 when the chain takes
    ///   logarithms.
    /// - Complexity: O(rows x d).
    public func apply(toColumn values: [Double], named name: String, times: [Double]) throws(DatasetError) -> Column {
        var levels = values
        if takesLogarithm {
            if let row = values.firstIndex(where: { !($0 > 0) }) {
                throw .nonPositiveValue(
                    column: name,
                    row: row,
                    time: row < times.count ? times[row] : Double(row),
                    value: values[row],
                    transform: description
                )
            }
            levels = values.map { Foundation.log($0) }
        }
        var differences = [levels]
        for j in 0..<differenceOrder {
            let previous = differences[j]
            differences.append(
                previous.indices.map { t in t > j ? previous[t] - previous[t - 1] : .nan }
            )
        }
        return Column(differences: differences, takesLogarithm: takesLogarithm)
    }

    /// Carries the target and every feature column of `series` through the chain, checking the
    /// rows in time order so that an error names the first bad row.
    ///
    /// - Returns: the target column and one column per feature.
    /// - Throws: `DatasetError.nonPositiveValue` for the first row holding a value <= 0 in any
    ///   column, when the chain takes logarithms.
    public func apply(to series: TimeSeries) throws(DatasetError) -> (target: Column, features: [Column]) {
        if takesLogarithm {
            for (row, features) in series.features.enumerated() {
                let columns = [(series.targetName, series.target[row])] + Array(zip(series.featureNames, features))
                if let (name, value) = columns.first(where: { !($0.1 > 0) }) {
                    throw .nonPositiveValue(
                        column: name,
                        row: row,
                        time: series.time[row],
                        value: value,
                        transform: description
                    )
                }
            }
        }
        let target = try apply(toColumn: series.target, named: series.targetName, times: series.time)
        let features = try (0..<series.featureCount).map { (column) throws(DatasetError) in
            try apply(toColumn: series.featureColumn(column), named: series.featureNames[column], times: series.time)
        }
        return (target, features)
    }
}

extension SeriesTransform: Codable {
    /// Encoded as the list of step names, `["log", "difference"]`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(steps)
    }

    /// Decodes through the checking initialiser, so a hand-edited file cannot hold a bad order.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            try self.init(try container.decode([Step].self))
        } catch let error as DatasetError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }
}
