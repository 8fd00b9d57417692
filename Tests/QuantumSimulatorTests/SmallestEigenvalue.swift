import QuantumSimulator

/// The smallest eigenvalue of a density matrix, by cyclic Jacobi rotations on its real form
/// [[A, -B], [B, A]] (each eigenvalue of A + iB appears twice there). Small matrices only.
func smallestEigenvalue(_ rho: DensityMatrix) -> Double {
    let d = rho.dimension
    let size = 2 * d
    var m = [Double](repeating: 0, count: size * size)
    for r in 0..<d {
        for c in 0..<d {
            let e = rho[r, c]
            m[r * size + c] = e.re
            m[(r + d) * size + c + d] = e.re
            m[r * size + c + d] = -e.im
            m[(r + d) * size + c] = e.im
        }
    }
    for _ in 0..<100 {
        var off = 0.0
        for p in 0..<size { for q in 0..<size where p != q { off += m[p * size + q] * m[p * size + q] } }
        if off < 1e-30 { break }
        for p in 0..<(size - 1) {
            for q in (p + 1)..<size where m[p * size + q] != 0 {
                let theta = (m[q * size + q] - m[p * size + p]) / (2 * m[p * size + q])
                let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot()
                let s = t * c
                for k in 0..<size {
                    let kp = m[k * size + p]
                    let kq = m[k * size + q]
                    m[k * size + p] = c * kp - s * kq
                    m[k * size + q] = s * kp + c * kq
                }
                for k in 0..<size {
                    let pk = m[p * size + k]
                    let qk = m[q * size + k]
                    m[p * size + k] = c * pk - s * qk
                    m[q * size + k] = s * pk + c * qk
                }
            }
        }
    }
    return (0..<size).map { m[$0 * size + $0] }.min()!
}
