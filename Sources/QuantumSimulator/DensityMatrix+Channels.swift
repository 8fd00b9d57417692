extension DensityMatrix {
    /// Applies a 1-qubit map (gates, channels or both) to `wire`.
    public mutating func apply(_ map: Superoperator, to wire: Int) {
        precondition((0..<qubitCount).contains(wire), "wire out of range")
        let n = qubitCount
        if map.isReal {
            let s = map.re
            re.withUnsafeMutableBufferPointer {
                DensityKernels.applyReal(s, wire: wire, qubits: n, to: $0.baseAddress!)
            }
            guard !im.isEmpty else { return }
            im.withUnsafeMutableBufferPointer {
                DensityKernels.applyReal(s, wire: wire, qubits: n, to: $0.baseAddress!)
            }
            return
        }
        makeComplex()
        re.withUnsafeMutableBufferPointer { reBuffer in
            im.withUnsafeMutableBufferPointer { imBuffer in
                DensityKernels.applyComplex(
                    map,
                    wire: wire,
                    qubits: n,
                    re: reBuffer.baseAddress!,
                    im: imBuffer.baseAddress!
                )
            }
        }
    }

    /// Applies a 2-qubit gate (`.cnot`, `.cz` or `.swap`) followed by the channels `channels`
    /// puts after a 2-qubit gate: depolarising on both wires, then relaxation on each.
    ///
    /// Depolarising with p2 is `(1 - 16 p2/15) rho + (16 p2/15) (I/4 (x) Tr_ab rho)`: the 15
    /// Pauli conjugations plus the identity average to the partial trace.
    public mutating func apply(_ gate: FusedOperation, channels: NoiseChannels) {
        let (a, b): (Int, Int)
        // Local index x = (bit of a) | (bit of b) << 1; `move(x)` is the gate's permutation.
        let move: (Int) -> Int
        var negate = -1
        switch gate {
        case .cnot(let control, let target):
            (a, b) = (control, target)
            move = { $0 ^ (($0 & 1) << 1) }
        case .cz(let first, let second):
            (a, b) = (first, second)
            move = { $0 }
            negate = 3
        case .swap(let first, let second):
            (a, b) = (first, second)
            move = { (($0 & 1) << 1) | ($0 >> 1) }
        case .single:
            preconditionFailure("a 1-qubit step is a superoperator")
        }
        precondition(a != b && (0..<qubitCount).contains(a) && (0..<qubitCount).contains(b), "bad wires")
        let n = qubitCount
        let p = channels.depolarizing2q
        let keep = 1 - 16 * p / 15
        let spread = 4 * p / 15
        let channel = channels.afterTwoPerWire
        let hasImaginary = !im.isEmpty
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 32) { table in
            let offsets = table.baseAddress!
            let source = offsets + 16
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 16) { signs in
                let sign = signs.baseAddress!
                for k in 0..<16 {
                    let x = k >> 2
                    let y = k & 3
                    offsets[k] = (x & 1) << (a + n) | (x >> 1) << (b + n) | (y & 1) << a | (y >> 1) << b
                    source[k] = move(x) * 4 + move(y)
                    sign[k] = (x == negate) != (y == negate) ? -1 : 1
                }
                let run = { (buffer: UnsafeMutablePointer<Double>) in
                    DensityKernels.applyTwoQubit(
                        wires: a,
                        b,
                        qubits: n,
                        offsets: offsets,
                        source: source,
                        sign: sign,
                        keep: keep,
                        spread: spread,
                        channel: channel,
                        to: buffer
                    )
                }
                re.withUnsafeMutableBufferPointer { run($0.baseAddress!) }
                if hasImaginary { im.withUnsafeMutableBufferPointer { run($0.baseAddress!) } }
            }
        }
    }

    /// Applies a noisy program's steps in order.
    public mutating func apply(_ operations: ArraySlice<NoisyOperation>, channels: NoiseChannels) {
        for operation in operations {
            switch operation {
            case .superoperator(let wire, let map): apply(map, to: wire)
            case .twoQubit(let gate): apply(gate, channels: channels)
            }
        }
    }

    /// Applies one gate followed by the channels `channels` puts after it.
    public mutating func apply(_ gate: Gate, channels: NoiseChannels) {
        switch gate {
        case .cnot(let c, let t): apply(FusedOperation.cnot(control: c, target: t), channels: channels)
        case .cz(let a, let b): apply(FusedOperation.cz(a, b), channels: channels)
        case .swap(let a, let b): apply(FusedOperation.swap(a, b), channels: channels)
        default:
            // Every other gate is single-qubit and has a matrix.
            apply(.noisyGate(gate.matrix!, channels: channels), to: gate.wires[0])
        }
    }
}
