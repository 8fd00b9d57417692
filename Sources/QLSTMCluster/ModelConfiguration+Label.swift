import QLSTM

extension ModelConfiguration {
    /// A short label such as `qlstm-6q`, `qlstm-2x3q`, `lstm`: run directories, tables, logs.
    public var label: String {
        switch kind {
        case .lstm: return "lstm"
        case .qlstm, .ablation:
            let plan = try? partitionPlan()
            let qubits = plan?.parts.first?.qubits ?? 0
            let shape = partitions == 1 ? "\(qubits)q" : "\(partitions)x\(qubits)q"
            return "\(kind.rawValue)-\(shape)"
        }
    }
}
