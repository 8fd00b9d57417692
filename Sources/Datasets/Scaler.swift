/// A per-column affine map to the range a model is trained in, and back.
///
/// A constant column (zero spread) would divide by zero. Instead the scaler keeps unit slope:
/// min-max maps the constant to the middle of the range (0 for [-1, 1]) and z-score to 0, so the
/// column carries no signal, stays finite, and `inverseTransform` still undoes `transform`.
public struct Scaler: Sendable, Codable, Equatable {
    /// How values are scaled.
    public enum Kind: Sendable, Codable, Equatable {
        /// Fitted minimum to `lower`, fitted maximum to `upper` (the reference uses [-1, 1]).
        case minMax(lower: Double = -1, upper: Double = 1)
        /// Subtract the mean and divide by the population standard deviation.
        case zScore
        /// Leave values as they are (for data already in range).
        case identity
    }

    public let kind: Kind
    /// The fitted minimum (min-max) or mean (z-score); 0 for identity.
    public let location: Double
    /// The fitted max - min (min-max) or standard deviation (z-score); 0 for a constant column.
    public let spread: Double

    /// Makes a scaler from known statistics, e.g. ones saved with a model.
    public init(kind: Kind, location: Double, spread: Double) {
        self.kind = kind
        self.location = location
        self.spread = spread
    }

    /// Fits a scaler to the values of one column.
    ///
    /// An empty column fits location 0 and spread 0 (the constant-column rule then applies).
    /// - Complexity: O(n).
    public static func fit(_ column: [Double], kind: Kind = .minMax()) -> Scaler {
        guard let first = column.first else { return Scaler(kind: kind, location: 0, spread: 0) }
        switch kind {
        case .minMax:
            let (low, high) = column.reduce((first, first)) { (min($0.0, $1), max($0.1, $1)) }
            return Scaler(kind: kind, location: low, spread: high - low)
        case .zScore:
            let n = Double(column.count)
            let mean = column.reduce(0, +) / n
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
            return Scaler(kind: kind, location: mean, spread: variance.squareRoot())
        case .identity:
            return Scaler(kind: kind, location: 0, spread: 0)
        }
    }

    /// The scaled value of `x`.
    public func transform(_ x: Double) -> Double {
        switch kind {
        case .minMax(let lower, let upper):
            spread > 0
                ? lower + (x - location) / spread * (upper - lower)
                : (lower + upper) / 2 + (x - location)
        case .zScore:
            spread > 0 ? (x - location) / spread : x - location
        case .identity:
            x
        }
    }

    /// The original value whose scaled value is `y`.
    public func inverseTransform(_ y: Double) -> Double {
        switch kind {
        case .minMax(let lower, let upper):
            spread > 0
                ? location + (y - lower) / (upper - lower) * spread
                : location + (y - (lower + upper) / 2)
        case .zScore:
            spread > 0 ? location + y * spread : location + y
        case .identity:
            y
        }
    }

    public func transform(_ column: [Double]) -> [Double] {
        column.map { transform($0) }
    }

    public func inverseTransform(_ column: [Double]) -> [Double] {
        column.map { inverseTransform($0) }
    }
}
