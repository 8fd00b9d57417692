import QLSTMCluster
import Reports

extension ComparisonReport {
    /// The research log: the cluster, the wall time, the version, and per model its backend,
    /// QPUs, circuits and the runs (with fingerprints) its figures come from.
    func researchLog() -> [ReportBlock] {
        var blocks: [ReportBlock] = [
            .heading("Research log", level: 2),
            .keyValues([
                ("cluster", topology.joined(separator: "; ")),
                (
                    "wall time",
                    ProgressLine.duration(wallSeconds)
                        + (reusedRuns > 0
                            ? " for this invocation; \(NumberText.count(reusedRuns, "finished run")) reused, their training time is in the table"
                            : "")
                ),
                ("qlstm version", ProjectVersion.current),
                ("git revision", rows.first?.manifest?.gitRevision ?? "unknown"),
            ]),
        ]
        for row in rows {
            let manifest = row.manifest
            let circuit = manifest?.circuits.first
            let gates =
                circuit.map { circuit in
                    circuit.gateCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                } ?? "-"
            blocks.append(
                .keyValues([
                    ("model", row.variant.title),
                    ("backend", manifest?.backend ?? "-"),
                    ("QPU profile", manifest?.qpuProfile ?? "-"),
                    ("qubits per QPU", (manifest?.qubitsPerQPU ?? []).map(String.init).joined(separator: ", ")),
                    ("QPUs per gate", "\(manifest?.qpus ?? 0)"),
                    ("circuit depth (layers)", "\(circuit?.depth ?? 0)"),
                    ("gates per sub-VQC", gates),
                    (
                        "parameters (circuits / classical)",
                        "\(manifest?.circuitParameterCount ?? 0) / \(manifest?.classicalParameterCount ?? 0)"
                    ),
                    (
                        "runs used (fingerprint)",
                        row.summaries.map {
                            "runs/\(row.variant.label)-seed\($0.seed) (\(($0.fingerprint ?? "none").prefix(12)))"
                        }.joined(separator: ", ")
                    ),
                ])
            )
        }
        return blocks
    }
}
