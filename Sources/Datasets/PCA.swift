/// Principal component analysis: projects feature rows onto the directions of largest variance,
/// to bring many feature columns down to as many inputs as the circuit has qubits.
///
/// Fitted on the training rows only (the dataset does that), from the sample covariance
/// (divisor n - 1) and a Jacobi eigendecomposition; component signs follow the convention of
/// `SymmetricEigendecomposition` (largest-magnitude entry positive), so a fit is reproducible.
public struct PCA: Sendable, Codable, Equatable {
    /// Column means of the fitted rows; rows are centred with them before projection.
    public let mean: [Double]
    /// The kept principal directions, `components[k]` a unit vector over the feature columns.
    public let components: [[Double]]
    /// Variance along every principal direction (all of them, not only the kept ones), descending.
    public let explainedVariance: [Double]

    /// Fits `componentCount` components to `rows` (rows x feature columns).
    ///
    /// - Throws: `DatasetError.componentCountOutOfRange` unless 1 <= componentCount <= columns;
    ///   `DatasetError.tooFewRows` for no rows.
    /// - Complexity: O(rows x columns^2) plus the eigendecomposition.
    public static func fit(_ rows: [[Double]], componentCount: Int) throws(DatasetError) -> PCA {
        guard let width = rows.first?.count else { throw .tooFewRows(found: 0, minimum: 1) }
        guard width > 0, (1...width).contains(componentCount) else {
            throw .componentCountOutOfRange(requested: componentCount, featureCount: width)
        }
        let n = Double(rows.count)
        let mean = (0..<width).map { j in rows.reduce(0) { $0 + $1[j] } / n }
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: width), count: width)
        for row in rows {
            for i in 0..<width {
                for j in i..<width {
                    covariance[i][j] += (row[i] - mean[i]) * (row[j] - mean[j])
                }
            }
        }
        let divisor = max(n - 1, 1)
        covariance = covariance.map { $0.map { $0 / divisor } }
        let eigen = SymmetricEigendecomposition(symmetric: covariance)
        return PCA(
            mean: mean,
            components: Array(eigen.eigenvectors.prefix(componentCount)),
            explainedVariance: eigen.eigenvalues.map { max($0, 0) }
        )
    }

    /// Makes a PCA from saved values.
    public init(mean: [Double], components: [[Double]], explainedVariance: [Double]) {
        self.mean = mean
        self.components = components
        self.explainedVariance = explainedVariance
    }

    /// Fraction of the total variance along each principal direction, descending.
    public var explainedVarianceRatio: [Double] {
        let total = explainedVariance.reduce(0, +)
        return explainedVariance.map { total > 0 ? $0 / total : 0 }
    }

    /// The coordinates of one feature row along the kept components.
    public func transform(_ row: [Double]) -> [Double] {
        components.map { component in
            zip(component, zip(row, mean)).reduce(0) { $0 + $1.0 * ($1.1.0 - $1.1.1) }
        }
    }

    public func transform(_ rows: [[Double]]) -> [[Double]] {
        rows.map { transform($0) }
    }
}
