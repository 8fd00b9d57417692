/// The in-place kernels of `DensityMatrix`: a 1-qubit map is a 4 x 4 matrix on the quadruples
/// of (column bit w, row bit w + n); a 2-qubit gate and its channels act on groups of 16.
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

    /// A real superoperator on wire `w` of a real matrix of `n` qubits.
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

    /// The 16 offsets of a group of wires `a`, `b` in local order `x * 4 + y`, row `x` and
    /// column `y` each `bit a | bit b << 1`.
    static func groupOffsets(_ a: Int, _ b: Int, qubits n: Int) -> [Int] {
        (0..<16).map { k in
            let x = k >> 2
            let y = k & 3
            return (x & 1) << (a + n) | (x >> 1) << (b + n) | (y & 1) << a | (y >> 1) << b
        }
    }

    /// A two-qubit permutation-or-sign gate on wires `a`, `b`, then two-qubit depolarising, then
    /// `channel` on `a` and on `b`, in one pass over groups of 16 elements. The map is real,
    /// so a complex matrix runs it on both parts.
    ///
    /// - Parameters:
    ///   - source: for each local element, the local element the gate moves into it.
    ///   - sign: for each local element, the gate's sign (CZ) or 1.
    ///   - keep, spread: depolarising as `keep * rho + spread * Tr_ab(rho) (x) I`.
    @inline(__always)
    static func applyTwoQubit(
        wires a: Int,
        _ b: Int,
        qubits n: Int,
        offsets: UnsafePointer<Int>,
        source: UnsafePointer<Int>,
        sign: UnsafePointer<Double>,
        keep: Double,
        spread: Double,
        channel: WireChannel,
        to buffer: UnsafeMutablePointer<Double>
    ) {
        let low = min(a, b)
        let high = max(a, b)
        let groups = 1 << (2 * n - 4)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 32) { scratch in
            let v = scratch.baseAddress!
            let moved = v + 16
            for g in 0..<groups {
                // The four bits in increasing order: both column bits sit below both row bits.
                let base = Kernels.insertZero(
                    Kernels.insertZero(Kernels.insertZeros(g, low: low, high: high), at: low + n),
                    at: high + n
                )
                let group = buffer + base
                for k in 0..<16 { moved[k] = group[offsets[k]] }
                for k in 0..<16 { v[k] = sign[k] * moved[source[k]] }
                let trace = v[0] + v[5] + v[10] + v[15]
                for k in 0..<16 { v[k] *= keep }
                for k in stride(from: 0, to: 16, by: 5) { v[k] += spread * trace }
                // Wire a is bit 0 of the local row and column, wire b bit 1.
                relax(v, localBit: 1, channel: channel)
                relax(v, localBit: 2, channel: channel)
                for k in 0..<16 { group[offsets[k]] = v[k] }
            }
        }
    }

    /// Applies `channel` to the wire whose local bit is `bit` (1 for wire a, 2 for wire b) in
    /// every 2 x 2 block of a group of 16.
    @inline(__always)
    private static func relax(_ v: UnsafeMutablePointer<Double>, localBit bit: Int, channel: WireChannel) {
        for x in 0..<4 where x & bit == 0 {
            for y in 0..<4 where y & bit == 0 {
                let i00 = x * 4 + y
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
    }
}
