import QuantumSimulator

/// How many gates of each kind a sub-VQC runs: what a QPU's time and noise scale with.
public struct GateCounts: Sendable, Hashable, Codable {
    /// H, RX, RY, RZ and every other one-qubit gate.
    public var singleQubit: Int
    public var cnot: Int
    public var cz: Int

    /// All two-qubit gates.
    public var twoQubit: Int { cnot + cz }
    public var total: Int { singleQubit + twoQubit }
}

extension SubVQC {
    /// The gates of `gates` by kind, before fusion (as exported to OpenQASM 3: IQP's
    /// MultiRZ(x_i x_j) counts as two CNOTs and one RZ).
    public var gateCounts: GateCounts {
        var counts = GateCounts(singleQubit: 0, cnot: 0, cz: 0)
        for gate in gates {
            switch gate {
            case .rotation: counts.singleQubit += 1
            case .fixed(.cnot(_, _)): counts.cnot += 1
            case .fixed(.cz(_, _)): counts.cz += 1
            case .fixed(let fixed):
                precondition(fixed.wires.count == 1, "a sub-VQC has no \(fixed.name) gate")
                counts.singleQubit += 1
            }
        }
        return counts
    }
}
