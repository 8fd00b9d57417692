import QuantumSimulator

/// How a noisy circuit is simulated.
public enum NoiseSimulation: Sendable, Hashable, Codable {
    /// The exact density matrix up to `DensityMatrix.qubitRange.upperBound` qubits, else
    /// `automaticTrajectories` trajectories.
    case automatic
    /// The exact density matrix: memory 4^n doubles, each gate a pass over them.
    case densityMatrix
    /// The average over this many seeded quantum trajectories of the state vector: 2^n
    /// amplitudes each, standard error at most 1 / sqrt(count) on every <Z>.
    case trajectories(Int)

    /// Trajectories `automatic` runs on circuits too wide for a density matrix: <Z> within
    /// about 0.03 (one standard error).
    public static let automaticTrajectories = 1000

    /// The concrete method for a circuit of `qubits` qubits: never `.automatic`.
    /// - Throws: `VariationalCircuitError` for a density matrix that is too large or a
    ///   trajectory count below 1.
    public func resolved(qubits: Int) throws(VariationalCircuitError) -> NoiseSimulation {
        let limit = DensityMatrix.qubitRange.upperBound
        switch self {
        case .automatic:
            return qubits <= limit ? .densityMatrix : .trajectories(Self.automaticTrajectories)
        case .densityMatrix:
            guard qubits <= limit else { throw .simulation(.densityMatrixTooLarge(qubits: qubits, limit: limit)) }
            return self
        case .trajectories(let count):
            guard count >= 1 else { throw .invalidTrajectoryCount(count) }
            return self
        }
    }
}
