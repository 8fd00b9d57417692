/// The in-place kernels of `DensityMatrix`: a 1-qubit map is a 4 x 4 matrix on the quadruples
/// of (column bit w, row bit w + n); a 2-qubit gate and its channels act on groups of 16.
///
/// A real density matrix is symmetric, and every map of a real gate or a channel keeps it so:
/// the `symmetric` kernels compute only the blocks whose other wires' bits satisfy `R <= C`
/// and write each result to its transpose too, half the arithmetic. Writing both halves keeps
/// the whole matrix valid, so nothing else needs to know.
enum DensityKernels {
    /// Calls `body(i)` for every index whose bits `low` and `high` (low < high) are zero, in
    /// increasing order, with runs of `2^low` contiguous indices innermost.
    @inline(__always)
    static func forEachQuadruple(low: Int, high: Int, count: Int, _ body: (Int) -> Void) {
        let lowStride = 1 << low
        let highStride = 1 << high
        var outer = 0
        while outer < count {
            var middle = outer
            while middle < outer &+ highStride {
                for i in middle..<(middle &+ lowStride) { body(i) }
                middle &+= 2 &* lowStride
            }
            outer &+= 2 &* highStride
        }
    }

    /// `x' = S x` on the quadruple at `i`; its transposed block at `mirror` receives the
    /// transposed result (a diagonal block is its own mirror).
    @inline(__always)
    static func transform(
        _ s: SIMD16<Double>,
        _ buffer: UnsafeMutablePointer<Double>,
        _ i: Int,
        _ c: Int,
        _ r: Int,
        mirror: Int
    ) {
        let x0 = buffer[i]
        let x1 = buffer[i &+ c]
        let x2 = buffer[i &+ r]
        let x3 = buffer[i &+ r &+ c]
        let y0 = s[0] * x0 + s[1] * x1 + s[2] * x2 + s[3] * x3
        let y1 = s[4] * x0 + s[5] * x1 + s[6] * x2 + s[7] * x3
        let y2 = s[8] * x0 + s[9] * x1 + s[10] * x2 + s[11] * x3
        let y3 = s[12] * x0 + s[13] * x1 + s[14] * x2 + s[15] * x3
        buffer[mirror] = y0
        buffer[mirror &+ c] = y2
        buffer[mirror &+ r] = y1
        buffer[mirror &+ r &+ c] = y3
        buffer[i] = y0
        buffer[i &+ c] = y1
        buffer[i &+ r] = y2
        buffer[i &+ r &+ c] = y3
    }

    /// A real superoperator on wire `w` of every element of a matrix of `n` qubits (one part
    /// of a complex matrix).
    @inline(__always)
    static func applyReal(_ s: SIMD16<Double>, wire w: Int, qubits n: Int, to buffer: UnsafeMutablePointer<Double>) {
        let c = 1 << w
        let r = 1 << (w + n)
        forEachQuadruple(low: w, high: w + n, count: 1 << (2 * n)) { i in
            let x0 = buffer[i]
            let x1 = buffer[i &+ c]
            let x2 = buffer[i &+ r]
            let x3 = buffer[i &+ r &+ c]
            buffer[i] = s[0] * x0 + s[1] * x1 + s[2] * x2 + s[3] * x3
            buffer[i &+ c] = s[4] * x0 + s[5] * x1 + s[6] * x2 + s[7] * x3
            buffer[i &+ r] = s[8] * x0 + s[9] * x1 + s[10] * x2 + s[11] * x3
            buffer[i &+ r &+ c] = s[12] * x0 + s[13] * x1 + s[14] * x2 + s[15] * x3
        }
    }

    /// A real superoperator on wire `w` of a symmetric matrix: blocks with `R <= C` only.
    @inline(__always)
    static func applyRealSymmetric(
        _ s: SIMD16<Double>,
        wire w: Int,
        qubits n: Int,
        to buffer: UnsafeMutablePointer<Double>
    ) {
        let c = 1 << w
        let r = 1 << (w + n)
        let dimension = 1 << n
        // Rows and columns run over the indices with bit w zero: runs of c, every 2c.
        var row = 0
        while row < dimension {
            let rowBase = row << n
            var column = row
            while column < dimension {
                let end = (column | (c &- 1)) &+ 1
                for j in column..<end { transform(s, buffer, rowBase | j, c, r, mirror: (j << n) | row) }
                column = end &+ c
            }
            row &+= 1
            if row & c != 0 { row &+= c }
        }
    }

    /// A complex superoperator on wire `w` of a complex matrix of `n` qubits.
    @inline(__always)
    static func applyComplex(
        _ s: Superoperator,
        wire w: Int,
        qubits n: Int,
        re: UnsafeMutablePointer<Double>,
        im: UnsafeMutablePointer<Double>
    ) {
        let offsets = SIMD4(0, 1 << w, 1 << (w + n), (1 << (w + n)) | (1 << w))
        forEachQuadruple(low: w, high: w + n, count: 1 << (2 * n)) { i in
            var xr = SIMD4<Double>()
            var xi = SIMD4<Double>()
            for k in 0..<4 {
                xr[k] = re[i &+ offsets[k]]
                xi[k] = im[i &+ offsets[k]]
            }
            for k in 0..<4 {
                var sumRe = 0.0
                var sumIm = 0.0
                for l in 0..<4 {
                    let ar = s.re[k &* 4 &+ l]
                    let ai = s.im[k &* 4 &+ l]
                    sumRe += ar * xr[l] - ai * xi[l]
                    sumIm += ar * xi[l] + ai * xr[l]
                }
                re[i &+ offsets[k]] = sumRe
                im[i &+ offsets[k]] = sumIm
            }
        }
    }

    /// What a 2-qubit gate and its channels do to one group of 16 elements, in local order
    /// `x * 4 + y` (row `x`, column `y`, each `bit of a | bit of b << 1`).
    struct TwoQubitMap {
        /// For each local element, where the gate takes it from and where it is stored,
        /// relative to the group's first element.
        let load: UnsafePointer<Int>
        let store: UnsafePointer<Int>
        /// The gate's sign on each local element (CZ), else nil.
        let sign: UnsafePointer<Double>?
        /// Depolarising as `keep * rho + spread * (Tr_ab rho) (x) I`.
        let keep: Double
        let spread: Double
        let channel: WireChannel

        /// Maps the group at `group`, writing the transposed result to the group at `mirror`
        /// too when given (a symmetric matrix; `mirror == group` on the diagonal).
        @inline(__always)
        func apply(
            to group: UnsafeMutablePointer<Double>,
            mirror: UnsafeMutablePointer<Double>?,
            scratch v: UnsafeMutablePointer<Double>
        ) {
            for k in 0..<16 { v[k] = group[load[k]] }
            if let sign { for k in 0..<16 { v[k] *= sign[k] } }
            let trace = v[0] + v[5] + v[10] + v[15]
            for k in 0..<16 { v[k] *= keep }
            v[0] += spread * trace
            v[5] += spread * trace
            v[10] += spread * trace
            v[15] += spread * trace
            // Wire a is bit 0 of the local row and column, wire b bit 1.
            relax(v, i00: 0, bit: 1)
            relax(v, i00: 2, bit: 1)
            relax(v, i00: 8, bit: 1)
            relax(v, i00: 10, bit: 1)
            relax(v, i00: 0, bit: 2)
            relax(v, i00: 1, bit: 2)
            relax(v, i00: 4, bit: 2)
            relax(v, i00: 5, bit: 2)
            if let mirror {
                for k in 0..<16 { mirror[store[k]] = v[(k & 3) << 2 | k >> 2] }
            }
            for k in 0..<16 { group[store[k]] = v[k] }
        }

        /// `channel` on the 2 x 2 block whose (0, 0) element is `i00`, for the wire whose
        /// local bit is `bit`.
        @inline(__always)
        private func relax(_ v: UnsafeMutablePointer<Double>, i00: Int, bit: Int) {
            let i01 = i00 + bit
            let i10 = i00 + bit * 4
            let i11 = i10 + bit
            let p0 = v[i00]
            let p1 = v[i11]
            v[i00] = channel.p00 * p0 + channel.p01 * p1
            v[i11] = channel.p10 * p0 + channel.p11 * p1
            v[i01] *= channel.coherence
            v[i10] *= channel.coherence
        }
    }

    /// A 2-qubit map on wires `low < high` (in either role) of every group of a matrix of `n`
    /// qubits, or of the groups with `R <= C` of a symmetric one.
    @inline(__always)
    static func applyTwoQubit(
        _ map: TwoQubitMap,
        wires low: Int,
        _ high: Int,
        qubits n: Int,
        symmetric: Bool,
        to buffer: UnsafeMutablePointer<Double>
    ) {
        let blocks = 1 << (n - 2)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 16) { scratch in
            let v = scratch.baseAddress!
            for s in 0..<blocks {
                let row = Kernels.insertZeros(s, low: low, high: high)
                for t in (symmetric ? s : 0)..<blocks {
                    let column = Kernels.insertZeros(t, low: low, high: high)
                    map.apply(
                        to: buffer + (row << n | column),
                        mirror: symmetric ? buffer + (column << n | row) : nil,
                        scratch: v
                    )
                }
            }
        }
    }
}
