extension StateVector {
    /// Applies one gate in place.
    ///
    /// The caller has checked the wires (a `Circuit` does on construction).
    public mutating func apply(_ gate: Gate) {
        switch gate {
        case .cnot(let c, let t): applyCNOT(control: c, target: t)
        case .cz(let a, let b): applyCZ(a, b)
        case .swap(let a, let b): applySwap(a, b)
        default:
            // Every other gate is single-qubit and has a matrix.
            apply(gate.matrix!, to: gate.wires[0])
        }
    }

    /// Applies every gate of `circuit`, with runs of single-qubit gates fused.
    public mutating func apply(_ circuit: Circuit) {
        precondition(circuit.qubitCount == qubitCount, "circuit and state sizes differ")
        apply(FusedCircuit(circuit))
    }

    /// Applies a fused program (its leading product layer included, applied as gates).
    public mutating func apply(_ program: FusedCircuit) {
        for (wire, u) in program.leadingUnitaries.enumerated() where u != .identity {
            apply(u, to: wire)
        }
        for operation in program.operations { apply(operation) }
    }

    /// Applies one fused operation.
    public mutating func apply(_ operation: FusedOperation) {
        switch operation {
        case .single(let wire, let m): apply(m, to: wire)
        case .cnot(let c, let t): applyCNOT(control: c, target: t)
        case .cz(let a, let b): applyCZ(a, b)
        case .swap(let a, let b): applySwap(a, b)
        }
    }

    private var isLarge: Bool { qubitCount >= Parallel.qubitThreshold }

    /// Applies a single-qubit unitary to `wire`.
    public mutating func apply(_ m: Matrix2, to wire: Int) {
        precondition((0..<qubitCount).contains(wire), "wire out of range")
        let pairCount = dimension >> 1
        let parallel = isLarge
        if m.isReal {
            let a = m.a.re
            let b = m.b.re
            let c = m.c.re
            let d = m.d.re
            if !parallel {
                re.withUnsafeMutableBufferPointer {
                    Kernels.applyReal(a, b, c, d, wire: wire, to: $0.baseAddress!, pairs: 0..<pairCount)
                }
                guard !im.isEmpty else { return }
                im.withUnsafeMutableBufferPointer {
                    Kernels.applyReal(a, b, c, d, wire: wire, to: $0.baseAddress!, pairs: 0..<pairCount)
                }
                return
            }
            re.withUnsafeMutableBufferPointer { buffer in
                let base = SharedBuffer(buffer.baseAddress!)
                Parallel.forEachChunk(of: pairCount, parallel: parallel) {
                    Kernels.applyReal(a, b, c, d, wire: wire, to: base.base, pairs: $0)
                }
            }
            guard !im.isEmpty else { return }
            im.withUnsafeMutableBufferPointer { buffer in
                let base = SharedBuffer(buffer.baseAddress!)
                Parallel.forEachChunk(of: pairCount, parallel: parallel) {
                    Kernels.applyReal(a, b, c, d, wire: wire, to: base.base, pairs: $0)
                }
            }
            return
        }
        makeComplex()
        let diagonal = m.isDiagonal
        re.withUnsafeMutableBufferPointer { reBuffer in
            im.withUnsafeMutableBufferPointer { imBuffer in
                let re = SharedBuffer(reBuffer.baseAddress!)
                let im = SharedBuffer(imBuffer.baseAddress!)
                Parallel.forEachChunk(of: pairCount, parallel: parallel) { pairs in
                    if diagonal {
                        Kernels.applyDiagonal(m.a, m.d, wire: wire, re: re.base, im: im.base, pairs: pairs)
                    } else {
                        Kernels.applyComplex(m, wire: wire, re: re.base, im: im.base, pairs: pairs)
                    }
                }
            }
        }
    }

    /// Applies CNOT with the given control and target wires.
    public mutating func applyCNOT(control: Int, target: Int) {
        applyTwoQubit(.cnot, control, target)
    }

    /// Applies CZ on wires `a` and `b`.
    public mutating func applyCZ(_ a: Int, _ b: Int) {
        applyTwoQubit(.cz, a, b)
    }

    /// Applies SWAP on wires `a` and `b`.
    public mutating func applySwap(_ a: Int, _ b: Int) {
        applyTwoQubit(.swap, a, b)
    }

    /// The real permutation-or-sign two-qubit gates.
    private enum TwoQubitKernel: Sendable {
        case cnot, cz, swap

        @inline(__always)
        func callAsFunction(_ a: Int, _ b: Int, _ buffer: UnsafeMutablePointer<Double>, _ quads: Range<Int>) {
            switch self {
            case .cnot: Kernels.applyCNOT(control: a, target: b, to: buffer, quads: quads)
            case .cz: Kernels.applyCZ(a, b, to: buffer, quads: quads)
            case .swap: Kernels.applySwap(a, b, to: buffer, quads: quads)
            }
        }
    }

    /// Runs a two-qubit kernel over the quadruples of wires `a`, `b`, on both parts.
    @inline(__always)
    private mutating func applyTwoQubit(_ kernel: TwoQubitKernel, _ a: Int, _ b: Int) {
        precondition(a != b && (0..<qubitCount).contains(a) && (0..<qubitCount).contains(b), "bad wires")
        let quadCount = dimension >> 2
        let parallel = isLarge
        let hasImaginary = !im.isEmpty
        re.withUnsafeMutableBufferPointer { buffer in
            if !parallel {
                kernel(a, b, buffer.baseAddress!, 0..<quadCount)
                return
            }
            let base = SharedBuffer(buffer.baseAddress!)
            Parallel.forEachChunk(of: quadCount, parallel: true) { kernel(a, b, base.base, $0) }
        }
        guard hasImaginary else { return }
        im.withUnsafeMutableBufferPointer { buffer in
            if !parallel {
                kernel(a, b, buffer.baseAddress!, 0..<quadCount)
                return
            }
            let base = SharedBuffer(buffer.baseAddress!)
            Parallel.forEachChunk(of: quadCount, parallel: true) { kernel(a, b, base.base, $0) }
        }
    }
}

extension StateVector {
    /// Applies a run of fused operations inside one scope of buffer access.
    ///
    /// Small states spend as long entering and leaving a kernel as running it, so this loop
    /// holds the buffers once for the whole run; large states go through the threaded kernels.
    public mutating func apply(_ operations: ArraySlice<FusedOperation>) {
        if isLarge {
            for operation in operations { apply(operation) }
            return
        }
        let dimension = dimension
        let pairs = 0..<(dimension >> 1)
        let quads = 0..<(dimension >> 2)
        var next = operations.startIndex
        while next < operations.endIndex {
            if im.isEmpty {
                // Real state: run until the first complex matrix, then give it imaginary parts.
                next = re.withUnsafeMutableBufferPointer { buffer in
                    let re = buffer.baseAddress!
                    for index in next..<operations.endIndex {
                        switch operations[index] {
                        case .single(let wire, let m):
                            guard m.isReal else { return index }
                            if wire == 0 {
                                Kernels.applyReal(m.a.re, m.b.re, m.c.re, m.d.re, wire: wire, to: re, pairs: pairs)
                            } else {
                                Kernels.applyReal(
                                    m.a.re,
                                    m.b.re,
                                    m.c.re,
                                    m.d.re,
                                    wire: wire,
                                    to: re,
                                    dimension: dimension
                                )
                            }
                        case .cnot(let c, let t): Kernels.applyCNOT(control: c, target: t, to: re, dimension: dimension)
                        case .cz(let a, let b): Kernels.applyCZ(a, b, to: re, quads: quads)
                        case .swap(let a, let b): Kernels.applySwap(a, b, to: re, quads: quads)
                        }
                    }
                    return operations.endIndex
                }
                if next < operations.endIndex { makeComplex() }
                continue
            }
            re.withUnsafeMutableBufferPointer { reBuffer in
                im.withUnsafeMutableBufferPointer { imBuffer in
                    let re = reBuffer.baseAddress!
                    let im = imBuffer.baseAddress!
                    for index in next..<operations.endIndex {
                        switch operations[index] {
                        case .single(let wire, let m):
                            if m.isReal {
                                Kernels.applyReal(m.a.re, m.b.re, m.c.re, m.d.re, wire: wire, to: re, pairs: pairs)
                                Kernels.applyReal(m.a.re, m.b.re, m.c.re, m.d.re, wire: wire, to: im, pairs: pairs)
                            } else if m.isDiagonal {
                                Kernels.applyDiagonal(m.a, m.d, wire: wire, re: re, im: im, pairs: pairs)
                            } else {
                                Kernels.applyComplex(m, wire: wire, re: re, im: im, pairs: pairs)
                            }
                        case .cnot(let c, let t):
                            Kernels.applyCNOT(control: c, target: t, to: re, dimension: dimension)
                            Kernels.applyCNOT(control: c, target: t, to: im, dimension: dimension)
                        case .cz(let a, let b):
                            Kernels.applyCZ(a, b, to: re, quads: quads)
                            Kernels.applyCZ(a, b, to: im, quads: quads)
                        case .swap(let a, let b):
                            Kernels.applySwap(a, b, to: re, quads: quads)
                            Kernels.applySwap(a, b, to: im, quads: quads)
                        }
                    }
                }
            }
            next = operations.endIndex
        }
    }
}
