/// Several independent states of the same circuit in one buffer.
///
/// A state of `n + b` qubits whose `b` lowest qubits no gate ever touches holds `2^b` separate
/// `n`-qubit states ("lanes"): amplitude `i` of lane `l` sits at `(i << b) | l`. A gate on wire `w`
/// of every lane is then one gate on qubit `w + b`, and its innermost loop runs over at least
/// `2^b` contiguous amplitudes: the index arithmetic is shared by all lanes and the loop
/// vectorises. Every lane sees exactly the arithmetic a lone state would, in the same order, so
/// its results are bit-identical to a one-lane run.
extension StateVector {
    /// Sets lane `l` to the product `U[l][0]|0> (x) U[l][1]|0> (x) ...` of its own unitaries.
    /// - Parameter unitaries: `lanes * wires` matrices, lane-major (`unitaries[l * wires + w]`).
    public mutating func setLaneProducts(_ unitaries: [Matrix2], wires: Int, laneBits: Int) {
        let lanes = 1 << laneBits
        precondition(wires + laneBits == qubitCount && unitaries.count == lanes * wires, "lane layout mismatch")
        let complex = unitaries.contains { !$0.isReal }
        if complex {
            if im.count != dimension { im = [Double](repeating: 0, count: dimension) }
        } else {
            im.removeAll(keepingCapacity: true)
        }
        re.withUnsafeMutableBufferPointer { reBuffer in
            let re = reBuffer.baseAddress!
            for l in 0..<lanes { re[l] = 1 }
            if !complex {
                withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * lanes) { factors in
                    let zero = factors.baseAddress!
                    let one = zero + lanes
                    var size = 1
                    for w in 0..<wires {
                        for l in 0..<lanes {
                            zero[l] = unitaries[l * wires + w].a.re
                            one[l] = unitaries[l * wires + w].c.re
                        }
                        for i in 0..<size {
                            let low = re + (i << laneBits)
                            let high = re + ((i + size) << laneBits)
                            for l in 0..<lanes {
                                let x = low[l]
                                high[l] = x * one[l]
                                low[l] = x * zero[l]
                            }
                        }
                        size <<= 1
                    }
                }
                return
            }
            im.withUnsafeMutableBufferPointer { imBuffer in
                let im = imBuffer.baseAddress!
                for l in 0..<lanes { im[l] = 0 }
                var size = 1
                for w in 0..<wires {
                    for i in 0..<size {
                        for l in 0..<lanes {
                            let u = unitaries[l * wires + w]
                            let lo = (i << laneBits) | l
                            let hi = ((i + size) << laneBits) | l
                            let x = Complex(re[lo], im[lo])
                            let y1 = x * u.c
                            let y0 = x * u.a
                            re[hi] = y1.re
                            im[hi] = y1.im
                            re[lo] = y0.re
                            im[lo] = y0.im
                        }
                    }
                    size <<= 1
                }
            }
        }
    }

    /// <Z_w> of every wire of every lane, written lane-major into `result[l * wires + w]`.
    ///
    /// Each lane is summed in index order, as a one-lane state is, whatever the lane count:
    /// the loops run over indices outside and lanes inside, so each lane's sum sees the same
    /// terms in the same order.
    public func laneExpectationsZ(wires: Int, laneBits: Int, into result: inout [Double]) {
        let lanes = 1 << laneBits
        precondition(wires + laneBits == qubitCount && result.count == lanes * wires, "lane layout mismatch")
        let isComplex = !im.isEmpty
        let count = 1 << wires
        withUnsafeTemporaryAllocation(of: Double.self, capacity: dimension + 2 * lanes) { scratch in
            let p = scratch.baseAddress!
            let total = p + dimension
            let ones = total + lanes
            re.withUnsafeBufferPointer { reBuffer in
                im.withUnsafeBufferPointer { imBuffer in
                    let re = reBuffer.baseAddress!
                    if isComplex {
                        let im = imBuffer.baseAddress!
                        for i in 0..<dimension { p[i] = re[i] * re[i] + im[i] * im[i] }
                    } else {
                        for i in 0..<dimension { p[i] = re[i] * re[i] }
                    }
                }
            }
            for l in 0..<lanes { total[l] = 0 }
            for i in 0..<count {
                let row = p + (i << laneBits)
                for l in 0..<lanes { total[l] += row[l] }
            }
            // <Z_w> = total - 2 * (probability of wire w being 1).
            for w in 0..<wires {
                for l in 0..<lanes { ones[l] = 0 }
                let stride = 1 << w
                var block = stride
                while block < count {
                    for i in block..<(block + stride) {
                        let row = p + (i << laneBits)
                        for l in 0..<lanes { ones[l] += row[l] }
                    }
                    block += 2 * stride
                }
                for l in 0..<lanes { result[l * wires + w] = total[l] - 2 * ones[l] }
            }
        }
    }

    /// Applies `m` to wire `wire` of lane `lane` only (a gate whose angle differs per lane).
    public mutating func apply(_ m: Matrix2, to wire: Int, lane: Int, laneBits: Int) {
        let k = wire + laneBits
        precondition(k < qubitCount && lane < 1 << laneBits, "wire or lane out of range")
        if !m.isReal { makeComplex() }
        let stride = 1 << k
        let pairCount = dimension >> (1 + laneBits)
        let hasImaginary = !im.isEmpty
        re.withUnsafeMutableBufferPointer { reBuffer in
            im.withUnsafeMutableBufferPointer { imBuffer in
                let re = reBuffer.baseAddress!
                let im = hasImaginary ? imBuffer.baseAddress : nil
                for p in 0..<pairCount {
                    let i0 = (Kernels.insertZero(p, at: wire) << laneBits) | lane
                    let i1 = i0 + stride
                    guard let im else {
                        let x = re[i0]
                        let y = re[i1]
                        re[i0] = m.a.re * x + m.b.re * y
                        re[i1] = m.c.re * x + m.d.re * y
                        continue
                    }
                    let x = Complex(re[i0], im[i0])
                    let y = Complex(re[i1], im[i1])
                    let u = m.a * x + m.b * y
                    let v = m.c * x + m.d * y
                    re[i0] = u.re
                    im[i0] = u.im
                    re[i1] = v.re
                    im[i1] = v.im
                }
            }
        }
    }

    /// `<self| P_w |other>` for every lane, into `result[l]`, summed in pair order per lane as
    /// `overlap(with:pauli:on:)` sums a one-lane state.
    public func laneOverlaps(
        with other: StateVector,
        pauli axis: PauliAxis,
        on wire: Int,
        laneBits: Int,
        into result: inout [Complex]
    ) {
        let lanes = 1 << laneBits
        precondition(other.qubitCount == qubitCount && result.count == lanes, "lane layout mismatch")
        let count = dimension >> laneBits
        let stride = 1 << wire
        // Pairs (i0, i1 = i0 + stride) of lane-rows, in index order; lanes innermost.
        @inline(__always) func forEachPair(_ body: (Int, Int) -> Void) {
            var block = 0
            while block < count {
                for i0 in block..<(block + stride) { body(i0 << laneBits, (i0 + stride) << laneBits) }
                block += 2 * stride
            }
        }
        if isReal && other.isReal {
            withUnsafeTemporaryAllocation(of: Double.self, capacity: lanes) { sums in
                let sum = sums.baseAddress!
                for l in 0..<lanes { sum[l] = 0 }
                re.withUnsafeBufferPointer { left in
                    other.re.withUnsafeBufferPointer { right in
                        let l = left.baseAddress!
                        let r = right.baseAddress!
                        switch axis {
                        case .x:
                            forEachPair { a, b in
                                for k in 0..<lanes { sum[k] += l[a + k] * r[b + k] + l[b + k] * r[a + k] }
                            }
                        case .y:
                            forEachPair { a, b in
                                for k in 0..<lanes { sum[k] += l[b + k] * r[a + k] - l[a + k] * r[b + k] }
                            }
                        case .z:
                            forEachPair { a, b in
                                for k in 0..<lanes { sum[k] += l[a + k] * r[a + k] - l[b + k] * r[b + k] }
                            }
                        }
                    }
                }
                for k in 0..<lanes { result[k] = axis == .y ? Complex(0, sum[k]) : Complex(sum[k]) }
            }
            return
        }
        for k in 0..<lanes { result[k] = .zero }
        forEachPair { a, b in
            for k in 0..<lanes {
                let la = amplitude(a + k).conjugate
                let lb = amplitude(b + k).conjugate
                let ra = other.amplitude(a + k)
                let rb = other.amplitude(b + k)
                switch axis {
                case .x: result[k] = result[k] + la * rb + lb * ra
                case .y: result[k] = result[k] + Complex.i * (lb * ra - la * rb)
                case .z: result[k] = result[k] + la * ra - lb * rb
                }
            }
        }
    }
}
