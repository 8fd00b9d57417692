extension DensityMatrix {
    /// Applies a 1-qubit map (gates, channels or both) to `wire`.
    public mutating func apply(_ map: Superoperator, to wire: Int) {
        precondition((0..<qubitCount).contains(wire), "wire out of range")
        let n = qubitCount
        if map.isReal {
            let s = map.re
            if im.isEmpty {
                re.withUnsafeMutableBufferPointer {
                    DensityKernels.applyRealSymmetric(s, wire: wire, qubits: n, to: $0.baseAddress!)
                }
                return
            }
            re.withUnsafeMutableBufferPointer {
                DensityKernels.applyReal(s, wire: wire, qubits: n, to: $0.baseAddress!)
            }
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
        var negated = -1
        switch gate {
        case .cnot(let control, let target):
            (a, b) = (control, target)
            move = { $0 ^ (($0 & 1) << 1) }
        case .cz(let first, let second):
            (a, b) = (first, second)
            move = { $0 }
            negated = 3
        case .swap(let first, let second):
            (a, b) = (first, second)
            move = { (($0 & 1) << 1) | ($0 >> 1) }
        case .single:
            preconditionFailure("a 1-qubit step is a superoperator")
        }
        precondition(a != b && (0..<qubitCount).contains(a) && (0..<qubitCount).contains(b), "bad wires")
        let n = qubitCount
        let p = channels.depolarizing2q
        let symmetric = im.isEmpty
        func offset(_ x: Int) -> Int { (x & 1) << a | (x >> 1) << b }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 32) { table in
            let load = table.baseAddress!
            let store = load + 16
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 16) { signs in
                let sign = signs.baseAddress!
                for k in 0..<16 {
                    let (x, y) = (k >> 2, k & 3)
                    store[k] = offset(x) << n | offset(y)
                    load[k] = offset(move(x)) << n | offset(move(y))
                    sign[k] = (x == negated) != (y == negated) ? -1 : 1
                }
                let map = DensityKernels.TwoQubitMap(
                    load: load,
                    store: store,
                    sign: negated < 0 ? nil : UnsafePointer(sign),
                    keep: 1 - 16 * p / 15,
                    spread: 4 * p / 15,
                    channel: channels.afterTwoPerWire
                )
                let (low, high) = (min(a, b), max(a, b))
                re.withUnsafeMutableBufferPointer {
                    DensityKernels.applyTwoQubit(
                        map,
                        wires: low,
                        high,
                        qubits: n,
                        symmetric: symmetric,
                        to: $0.baseAddress!
                    )
                }
                guard !symmetric else { return }
                im.withUnsafeMutableBufferPointer {
                    DensityKernels.applyTwoQubit(
                        map,
                        wires: low,
                        high,
                        qubits: n,
                        symmetric: false,
                        to: $0.baseAddress!
                    )
                }
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
