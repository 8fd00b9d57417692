extension StateVector {
    /// `<self| P_w |other>` for the Pauli `P` on wire `w`, without forming `P|other>`.
    ///
    /// The adjoint method reads every derivative from this: for a gate `exp(-i t P/2)`,
    /// d<O>/dt = Im <lambda| P |psi> with `lambda` the back-propagated co-state.
    public func overlap(with other: StateVector, pauli axis: PauliAxis, on wire: Int) -> Complex {
        precondition(other.qubitCount == qubitCount && (0..<qubitCount).contains(wire), "state sizes or wire differ")
        let stride = 1 << wire
        // Sums run over pairs in index order, in fixed blocks: bit-identical everywhere.
        func pairs(_ body: (Int, Int) -> Void) {
            var block = 0
            while block < dimension {
                for i0 in block..<(block + stride) { body(i0, i0 + stride) }
                block += 2 * stride
            }
        }
        if isReal && other.isReal {
            var sum = 0.0
            let l = re, r = other.re
            switch axis {
            case .x: pairs { i0, i1 in sum += l[i0] * r[i1] + l[i1] * r[i0] }
            case .y: pairs { i0, i1 in sum += l[i1] * r[i0] - l[i0] * r[i1] }
            case .z: pairs { i0, i1 in sum += l[i0] * r[i0] - l[i1] * r[i1] }
            }
            return axis == .y ? Complex(0, sum) : Complex(sum)
        }
        var sum = Complex.zero
        switch axis {
        case .x:
            pairs { i0, i1 in
                sum = sum + amplitude(i0).conjugate * other.amplitude(i1) + amplitude(i1).conjugate * other.amplitude(i0)
            }
        case .y:
            pairs { i0, i1 in
                let t = amplitude(i1).conjugate * other.amplitude(i0) - amplitude(i0).conjugate * other.amplitude(i1)
                sum = sum + Complex.i * t
            }
        case .z:
            pairs { i0, i1 in
                sum = sum + amplitude(i0).conjugate * other.amplitude(i0) - amplitude(i1).conjugate * other.amplitude(i1)
            }
        }
        return sum
    }
}
