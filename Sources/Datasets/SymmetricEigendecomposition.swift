/// Eigenvalues and eigenvectors of a small symmetric matrix by the cyclic Jacobi method.
///
/// Jacobi is slow for large matrices but exact to rounding, simple, and deterministic: the
/// covariance matrices here are feature x feature, a handful of columns. Eigenpairs come sorted
/// by eigenvalue, largest first, and each eigenvector's largest-magnitude component is made
/// positive (the first such on ties), so the same data always gives the same vectors.
struct SymmetricEigendecomposition: Sendable, Equatable {
    /// Eigenvalues in descending order.
    let eigenvalues: [Double]
    /// `eigenvectors[k]` belongs to `eigenvalues[k]`, unit length.
    let eigenvectors: [[Double]]

    /// - Parameter matrix: a square symmetric matrix (only its upper triangle is read).
    /// - Complexity: O(n^3) per sweep; a few sweeps suffice.
    init(symmetric matrix: [[Double]], maximumSweeps: Int = 100) {
        let n = matrix.count
        var a = (0..<n).map { i in (0..<n).map { j in i <= j ? matrix[i][j] : matrix[j][i] } }
        var v = (0..<n).map { i in (0..<n).map { j in i == j ? 1.0 : 0.0 } }
        let scale = a.joined().reduce(0) { $0 + $1 * $1 }
        for _ in 0..<maximumSweeps {
            var offDiagonal = 0.0
            for p in 0..<n {
                for q in (p + 1)..<n { offDiagonal += 2 * a[p][q] * a[p][q] }
            }
            if offDiagonal <= 1e-30 * scale { break }
            for p in 0..<n {
                for q in (p + 1)..<n where a[p][q] != 0 {
                    Self.rotate(&a, &v, p, q)
                }
            }
        }
        let order = (0..<n).sorted { a[$0][$0] > a[$1][$1] }
        eigenvalues = order.map { a[$0][$0] }
        eigenvectors = order.map { k in
            let vector = (0..<n).map { v[$0][k] }
            var pivot = 0
            for i in vector.indices where abs(vector[i]) > abs(vector[pivot]) { pivot = i }
            return vector[pivot] >= 0 ? vector : vector.map { -$0 }
        }
    }

    /// Zeroes a[p][q] with one Givens rotation (Golub and Van Loan, Algorithm 8.4.1),
    /// accumulating the rotation into the eigenvector columns of `v`.
    private static func rotate(_ a: inout [[Double]], _ v: inout [[Double]], _ p: Int, _ q: Int) {
        let tau = (a[q][q] - a[p][p]) / (2 * a[p][q])
        let t = (tau >= 0 ? 1 : -1) / (abs(tau) + (1 + tau * tau).squareRoot())
        let c = 1 / (1 + t * t).squareRoot()
        let s = t * c
        let n = a.count
        for k in 0..<n {
            let akp = a[k][p]
            let akq = a[k][q]
            a[k][p] = c * akp - s * akq
            a[k][q] = s * akp + c * akq
        }
        for k in 0..<n {
            let apk = a[p][k]
            let aqk = a[q][k]
            a[p][k] = c * apk - s * aqk
            a[q][k] = s * apk + c * aqk
        }
        for k in 0..<n {
            let vkp = v[k][p]
            let vkq = v[k][q]
            v[k][p] = c * vkp - s * vkq
            v[k][q] = s * vkp + c * vkq
        }
    }
}
