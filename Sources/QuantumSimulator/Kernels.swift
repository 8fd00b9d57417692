/// The in-place amplitude kernels: every gate is a loop over index pairs (or quadruples) of a
/// flat buffer, never a 2^n x 2^n matrix.
///
/// Amplitudes live in two arrays, real and imaginary parts; a state that only ever met real
/// gates (H, RY, CNOT: the whole of the paper's circuit) has no imaginary array at all, which
/// halves the work. Each kernel takes a range of pair (or quadruple) indices so that large states
/// can be split across threads without changing any result: the kernels are element-wise.
enum Kernels {
    /// The index of pair `p` with a zero inserted at bit `k`: the amplitude with wire `k` at 0.
    @inline(__always)
    static func insertZero(_ p: Int, at k: Int) -> Int {
        let low = p & ((1 << k) - 1)
        return ((p &>> k) &<< (k + 1)) | low
    }

    /// Applies a real 2 x 2 matrix on wire `k` to the pairs in `pairs`, real and imaginary parts alike.
    @inline(__always)
    static func applyReal(
        _ a: Double,
        _ b: Double,
        _ c: Double,
        _ d: Double,
        wire k: Int,
        to buffer: UnsafeMutablePointer<Double>,
        pairs: Range<Int>
    ) {
        let stride = 1 << k
        if k == 0 {
            var i = pairs.lowerBound &* 2
            let end = pairs.upperBound &* 2
            while i < end {
                let x = buffer[i]
                let y = buffer[i &+ 1]
                buffer[i] = a * x + b * y
                buffer[i &+ 1] = c * x + d * y
                i &+= 2
            }
            return
        }
        if k == 1 {
            // Runs of two: unrolled, or the loop overhead costs more than the arithmetic.
            var p = pairs.lowerBound
            if p & 1 == 0 && pairs.count & 1 == 0 {
                while p < pairs.upperBound {
                    let lo = buffer + (p &* 2)
                    let hi = lo + 2
                    let x0 = lo[0]
                    let x1 = lo[1]
                    let y0 = hi[0]
                    let y1 = hi[1]
                    lo[0] = a * x0 + b * y0
                    lo[1] = a * x1 + b * y1
                    hi[0] = c * x0 + d * y0
                    hi[1] = c * x1 + d * y1
                    p &+= 2
                }
                return
            }
        }
        var p = pairs.lowerBound
        while p < pairs.upperBound {
            let runEnd = min(pairs.upperBound, ((p &>> k) &+ 1) &<< k)
            let i0 = insertZero(p, at: k)
            let lo = buffer + i0
            let hi = lo + stride
            for j in 0..<(runEnd &- p) {
                let x = lo[j]
                let y = hi[j]
                lo[j] = a * x + b * y
                hi[j] = c * x + d * y
            }
            p = runEnd
        }
    }

    /// Applies a real 2 x 2 matrix on wire `k >= 1` of a whole state, two amplitudes per
    /// instruction: runs of `2^k` contiguous amplitudes pair with the run `2^k` further on.
    @inline(__always)
    static func applyReal(
        _ a: Double,
        _ b: Double,
        _ c: Double,
        _ d: Double,
        wire k: Int,
        to buffer: UnsafeMutablePointer<Double>,
        dimension: Int
    ) {
        let stride = 1 << k
        let va = SIMD2(repeating: a)
        let vb = SIMD2(repeating: b)
        let vc = SIMD2(repeating: c)
        let vd = SIMD2(repeating: d)
        var block = 0
        while block < dimension {
            let lo = UnsafeMutableRawPointer(buffer + block)
            let hi = UnsafeMutableRawPointer(buffer + block + stride)
            var offset = 0
            let end = stride &* 8
            while offset < end {
                let x = lo.load(fromByteOffset: offset, as: SIMD2<Double>.self)
                let y = hi.load(fromByteOffset: offset, as: SIMD2<Double>.self)
                lo.storeBytes(of: va * x + vb * y, toByteOffset: offset, as: SIMD2<Double>.self)
                hi.storeBytes(of: vc * x + vd * y, toByteOffset: offset, as: SIMD2<Double>.self)
                offset &+= 16
            }
            block &+= 2 &* stride
        }
    }

    /// Applies a complex 2 x 2 matrix on wire `k` to a complex state split in `re` and `im`.
    @inline(__always)
    static func applyComplex(
        _ m: Matrix2,
        wire k: Int,
        re: UnsafeMutablePointer<Double>,
        im: UnsafeMutablePointer<Double>,
        pairs: Range<Int>
    ) {
        let ar = m.a.re
        let ai = m.a.im
        let br = m.b.re
        let bi = m.b.im
        let cr = m.c.re
        let ci = m.c.im
        let dr = m.d.re
        let di = m.d.im
        let stride = 1 << k
        var p = pairs.lowerBound
        while p < pairs.upperBound {
            let runEnd = min(pairs.upperBound, ((p &>> k) &+ 1) &<< k)
            let i0 = insertZero(p, at: k)
            let lr = re + i0
            let li = im + i0
            let hr = lr + stride
            let hi = li + stride
            for j in 0..<(runEnd &- p) {
                let xr = lr[j]
                let xi = li[j]
                let yr = hr[j]
                let yi = hi[j]
                lr[j] = ar * xr - ai * xi + br * yr - bi * yi
                li[j] = ar * xi + ai * xr + br * yi + bi * yr
                hr[j] = cr * xr - ci * xi + dr * yr - di * yi
                hi[j] = cr * xi + ci * xr + dr * yi + di * yr
            }
            p = runEnd
        }
    }

    /// Applies `diag(d0, d1)` on wire `k`: a phase gate touches each amplitude once, no pairing.
    @inline(__always)
    static func applyDiagonal(
        _ d0: Complex,
        _ d1: Complex,
        wire k: Int,
        re: UnsafeMutablePointer<Double>,
        im: UnsafeMutablePointer<Double>,
        pairs: Range<Int>
    ) {
        let stride = 1 << k
        var p = pairs.lowerBound
        while p < pairs.upperBound {
            let runEnd = min(pairs.upperBound, ((p &>> k) &+ 1) &<< k)
            let i0 = insertZero(p, at: k)
            let lr = re + i0
            let li = im + i0
            let hr = lr + stride
            let hi = li + stride
            for j in 0..<(runEnd &- p) {
                let xr = lr[j]
                let xi = li[j]
                let yr = hr[j]
                let yi = hi[j]
                lr[j] = d0.re * xr - d0.im * xi
                li[j] = d0.re * xi + d0.im * xr
                hr[j] = d1.re * yr - d1.im * yi
                hi[j] = d1.re * yi + d1.im * yr
            }
            p = runEnd
        }
    }

    /// The index of quadruple `q` with zeros inserted at bits `low < high`.
    @inline(__always)
    static func insertZeros(_ q: Int, low: Int, high: Int) -> Int {
        insertZero(insertZero(q, at: low), at: high)
    }

    /// CNOT: swaps the amplitudes |c=1, t=0> and |c=1, t=1> of every quadruple.
    @inline(__always)
    static func applyCNOT(
        control: Int,
        target: Int,
        to buffer: UnsafeMutablePointer<Double>,
        quads: Range<Int>
    ) {
        let low = min(control, target)
        let high = max(control, target)
        let c = 1 << control
        let t = 1 << target
        for q in quads {
            let i = insertZeros(q, low: low, high: high) | c
            let x = buffer[i]
            buffer[i] = buffer[i | t]
            buffer[i | t] = x
        }
    }

    /// CNOT on a whole state: nested loops over the two fixed bits instead of inserting them
    /// into every index, which is most of the cost on small states.
    @inline(__always)
    static func applyCNOT(control: Int, target: Int, to buffer: UnsafeMutablePointer<Double>, dimension: Int) {
        let c = 1 << control
        let t = 1 << target
        let lowStride = 1 << min(control, target)
        let highStride = 1 << max(control, target)
        var outer = 0
        while outer < dimension {
            var middle = outer
            while middle < outer &+ highStride {
                // Runs of `lowStride` amplitudes swap with the run `t` further on (or back).
                let first = buffer + (middle | c)
                let second = buffer + ((middle | c) ^ t)
                for j in 0..<lowStride {
                    let x = first[j]
                    first[j] = second[j]
                    second[j] = x
                }
                middle &+= 2 &* lowStride
            }
            outer &+= 2 &* highStride
        }
    }

    /// CZ: negates the amplitude |1, 1> of every quadruple.
    @inline(__always)
    static func applyCZ(_ a: Int, _ b: Int, to buffer: UnsafeMutablePointer<Double>, quads: Range<Int>) {
        let low = min(a, b)
        let high = max(a, b)
        let both = (1 << a) | (1 << b)
        for q in quads {
            let i = insertZeros(q, low: low, high: high) | both
            buffer[i] = -buffer[i]
        }
    }

    /// SWAP: exchanges the amplitudes |1, 0> and |0, 1> of every quadruple.
    @inline(__always)
    static func applySwap(_ a: Int, _ b: Int, to buffer: UnsafeMutablePointer<Double>, quads: Range<Int>) {
        let low = min(a, b)
        let high = max(a, b)
        let ia = 1 << a
        let ib = 1 << b
        for q in quads {
            let base = insertZeros(q, low: low, high: high)
            let x = buffer[base | ia]
            buffer[base | ia] = buffer[base | ib]
            buffer[base | ib] = x
        }
    }
}
