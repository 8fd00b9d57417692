extension StateVector {
    /// `<self| P_w |other>` for the Pauli `P` on wire `w`, without forming `P|other>`.
    ///
    /// The adjoint method reads every derivative from this: for a gate `exp(-i t P/2)`,
    /// d<O>/dt = Im <lambda| P |psi> with `lambda` the back-propagated co-state.
    public func overlap(with other: StateVector, pauli axis: PauliAxis, on wire: Int) -> Complex {
        var result = [Complex.zero]
        laneOverlaps(with: other, pauli: axis, on: wire, laneBits: 0, into: &result)
        return result[0]
    }
}
