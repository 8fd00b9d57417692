import QLSTM

extension ModelConfiguration {
    /// A short label such as `qlstm-6q`, `qlstm-2x3q`, `qlstm-6q-chen2020`, `lstm`: run directories, tables, logs.
    public var label: String {
        switch kind {
        case .lstm: return "lstm"
        case .qlstm, .ablation:
            let plan = try? partitionPlan()
            let qubits = plan?.parts.first?.qubits ?? 0
            let shape = partitions == 1 ? "\(qubits)q" : "\(partitions)x\(qubits)q"
            let architecture = self.architecture == .chen2020 ? "-chen2020" : ""
            return "\(kind.rawValue)-\(shape)\(architecture)"
        }
    }
}
