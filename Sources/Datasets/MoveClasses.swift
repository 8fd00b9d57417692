/// The classes of a window's next move, what a classifier predicts instead of the value.
///
/// A window's move is its target minus the target at the window's last row, `y[r] - y[r - H]`
/// for target row r and horizon H: for a univariate series, the step from the last value the
/// window reads to the value it would predict. Class k holds the moves in (t_k, t_(k+1)], with
/// t_0 = -infinity and t_K = +infinity around the K - 1 `thresholds`, so a move equal to a
/// threshold belongs to the lower class.
///
/// - K = 2 is the direction of the move: threshold 0, class 1 "up" (move > 0) and class 0 "not
///   up" (move <= 0: a flat step is not up).
/// - K >= 3: the thresholds are the k/K quantiles (k = 1 ... K-1) of the moves of the windows
///   that train, so the classes are about equally frequent there; the validation and test
///   windows never shape them.
public struct MoveClasses: Sendable, Codable, Equatable {
    /// K, at least 2.
    public let count: Int
    /// The K - 1 class boundaries, strictly increasing, in the target's units per move.
    public let thresholds: [Double]

    /// The direction of the next move: up, or not up.
    public static let direction = MoveClasses(validCount: 2, thresholds: [0])

    private init(validCount: Int, thresholds: [Double]) {
        count = validCount
        self.thresholds = thresholds
    }

    /// Classes with given boundaries.
    ///
    /// - Throws: `DatasetError.invalidParameter` unless there are K - 1 >= 1 finite, strictly
    ///   increasing thresholds.
    public init(count: Int, thresholds: [Double]) throws(DatasetError) {
        guard count >= 2 else {
            throw .invalidParameter(name: "classes", value: "\(count)", expected: "at least 2")
        }
        guard thresholds.count == count - 1, thresholds.allSatisfy(\.isFinite),
            zip(thresholds, thresholds.dropFirst()).allSatisfy({ $0 < $1 })
        else {
            throw .invalidParameter(
                name: "class thresholds",
                value: "\(thresholds)",
                expected: "\(count - 1) finite, strictly increasing values for \(count) classes"
            )
        }
        self.init(validCount: count, thresholds: thresholds)
    }

    /// The K classes of a dataset: the direction for K = 2, quantile classes of its training
    /// windows' moves for K >= 3.
    ///
    /// - Throws: `DatasetError.invalidParameter` for K below 2; `.classesDoNotFit` when a class
    ///   would hold no training window (too few distinct moves for K classes, or a series that
    ///   never moves up).
    public static func fitted(
        count: Int,
        to dataset: WindowedDataset,
        of series: TimeSeries
    ) throws(DatasetError) -> MoveClasses {
        let moves = Self.moves(of: dataset.train, in: series, horizon: dataset.configuration.horizon)
        let classes: MoveClasses
        if count == 2 {
            classes = .direction
        } else {
            guard count >= 3 else {
                throw .invalidParameter(name: "classes", value: "\(count)", expected: "at least 2")
            }
            let sorted = moves.sorted()
            let thresholds = (1..<count).map { quantile(sorted, Double($0) / Double(count)) }
            guard let fitted = try? MoveClasses(count: count, thresholds: thresholds) else {
                throw .classesDoNotFit(classes: count, thresholds: thresholds, emptyClass: nil)
            }
            classes = fitted
        }
        var seen = Array(repeating: false, count: count)
        for move in moves { seen[classes.label(ofMove: move)] = true }
        if let empty = seen.firstIndex(of: false) {
            throw .classesDoNotFit(classes: count, thresholds: classes.thresholds, emptyClass: empty)
        }
        return classes
    }

    /// The class of one move: how many thresholds lie strictly below it.
    public func label(ofMove move: Double) -> Int {
        var label = 0
        while label < thresholds.count && move > thresholds[label] { label += 1 }
        return label
    }

    /// The class of every window's move.
    public func labels(of windows: [WindowedDataset.Window], in series: TimeSeries, horizon: Int) -> [Int] {
        Self.moves(of: windows, in: series, horizon: horizon).map(label(ofMove:))
    }

    /// The persistence forecast of each window's class: the class of the move that ends at the
    /// window's last row, `y[r - horizon] - y[r - 2 horizon]` ("the next move goes the way the
    /// last one went"); `nil` for a window whose last move starts before the series.
    public func persistenceLabels(
        of windows: [WindowedDataset.Window],
        in series: TimeSeries,
        horizon: Int
    ) -> [Int?] {
        windows.map { window in
            let last = window.row - horizon
            return last - horizon >= 0 ? label(ofMove: series.target[last] - series.target[last - horizon]) : nil
        }
    }

    /// Each window's move, `y[r] - y[r - horizon]`, in the target's units.
    ///
    /// - Precondition: the windows were cut from `series` with this horizon.
    public static func moves(of windows: [WindowedDataset.Window], in series: TimeSeries, horizon: Int) -> [Double] {
        windows.map { series.target[$0.row] - series.target[$0.row - horizon] }
    }

    /// What class k holds, for tables: "up (move > 0)", or its interval of moves.
    public func name(ofClass k: Int) -> String {
        if self == .direction { return k == 1 ? "up (move > 0)" : "not up (move <= 0)" }
        let lower = k == 0 ? "-inf" : "\(thresholds[k - 1])"
        let upper = k == count - 1 ? "+inf" : "\(thresholds[k])"
        return "move in (\(lower), \(upper)]"
    }

    /// The q-quantile of sorted values, interpolating linearly between order statistics
    /// (numpy's default, `method="linear"`).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = Double(sorted.count - 1) * q
        let lower = Int(position.rounded(.down))
        guard lower + 1 < sorted.count else { return sorted[lower] }
        return sorted[lower] + (position - Double(lower)) * (sorted[lower + 1] - sorted[lower])
    }
}

extension MoveClasses {
    private enum CodingKeys: String, CodingKey {
        case count, thresholds
    }

    /// Decodes classes and refuses a count and thresholds that disagree.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let count = try container.decode(Int.self, forKey: .count)
        let thresholds = try container.decode([Double].self, forKey: .thresholds)
        do {
            try self.init(count: count, thresholds: thresholds)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description)
            )
        }
    }
}
