/// One step of a noisy program on a density matrix: a run of 1-qubit gates with their channels
/// fused into one superoperator, or a 2-qubit gate followed by its channels.
public enum NoisyOperation: Sendable {
    case superoperator(wire: Int, Superoperator)
    /// A `.cnot`, `.cz` or `.swap`, then the 2-qubit channels of the noise model.
    case twoQubit(FusedOperation)
}
