/// Linear least squares by Householder QR: the b that minimises ||A b - y||.
///
/// QR works on A itself, not on A^T A, so it loses no more precision than the problem's
/// condition number demands (the normal equations lose its square). A column that is (to 1e-10
/// of its own norm) a combination of earlier ones, such as a constant input beside the
/// intercept, gets coefficient 0 instead of a division by zero: among the many minimisers this
/// is the one that leaves such columns out.
enum LeastSquares {
    /// - Parameters:
    ///   - rows: A, one row per observation, all of one width n.
    ///   - targets: y, one per row.
    /// - Returns: n coefficients.
    /// - Complexity: O(m n^2) for m rows.
    static func solve(rows: [[Double]], targets: [Double]) -> [Double] {
        precondition(rows.count == targets.count, "one target per row")
        let m = rows.count
        let n = rows.first?.count ?? 0
        // Column-major copy: reflections sweep down columns.
        var columns = (0..<n).map { j in rows.map { $0[j] } }
        var y = targets
        let originalNorms = columns.map { norm($0[...]) }
        var pivotRow = [Int?](repeating: nil, count: n)
        var row = 0
        for j in 0..<n where row < m {
            let alpha = norm(columns[j][row...])
            guard alpha > 1e-10 * originalNorms[j], alpha > 0 else { continue }
            // v = x + sign(x_0) alpha e_0, so that H x = -sign(x_0) alpha e_0 without cancellation.
            var v = Array(columns[j][row...])
            let sign: Double = v[0] >= 0 ? 1 : -1
            v[0] += sign * alpha
            let beta = 2 / v.reduce(0) { $0 + $1 * $1 }
            for k in j..<n { reflect(&columns[k], v: v, beta: beta, from: row) }
            reflect(&y, v: v, beta: beta, from: row)
            pivotRow[j] = row
            row += 1
        }
        var coefficients = [Double](repeating: 0, count: n)
        for j in (0..<n).reversed() {
            guard let p = pivotRow[j] else { continue }
            var sum = y[p]
            for k in (j + 1)..<n where pivotRow[k] != nil { sum -= columns[k][p] * coefficients[k] }
            coefficients[j] = sum / columns[j][p]
        }
        return coefficients
    }

    /// Applies I - beta v v^T to `x[start...]`.
    private static func reflect(_ x: inout [Double], v: [Double], beta: Double, from start: Int) {
        var dot = 0.0
        for i in v.indices { dot += v[i] * x[start + i] }
        let scale = beta * dot
        for i in v.indices { x[start + i] -= scale * v[i] }
    }

    /// The Euclidean norm, scaled by the largest magnitude so that squares cannot overflow.
    private static func norm(_ x: ArraySlice<Double>) -> Double {
        let largest = x.reduce(0) { max($0, abs($1)) }
        guard largest > 0, largest.isFinite else { return largest }
        let sum = x.reduce(0) { $0 + ($1 / largest) * ($1 / largest) }
        return largest * sum.squareRoot()
    }
}
