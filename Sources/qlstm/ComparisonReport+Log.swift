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
                ("git revision", (rows.first?.manifest["gitRevision"] as? String) ?? "unknown"),
            ]),
        ]
        for row in rows {
            let manifest = row.manifest
            let circuits = (manifest["circuits"] as? [[String: Any]]) ?? []
            let gates =
                circuits.first.map { circuit in
                    ((circuit["gateCounts"] as? [String: Int]) ?? [:]).sorted { $0.key < $1.key }.map {
                        "\($0.key) \($0.value)"
                    }.joined(separator: ", ")
                } ?? "-"
            blocks.append(
                .keyValues([
                    ("model", row.variant.title),
                    ("backend", (manifest["backend"] as? String) ?? "-"),
                    ("QPU profile", (manifest["qpuProfile"] as? String) ?? "-"),
                    (
                        "qubits per QPU",
                        ((manifest["qubitsPerQPU"] as? [Int]) ?? []).map(String.init).joined(separator: ", ")
                    ),
                    ("QPUs per gate", "\((manifest["qpus"] as? Int) ?? 0)"),
                    ("circuit depth (layers)", "\((circuits.first?["depth"] as? Int) ?? 0)"),
                    ("gates per sub-VQC", gates),
                    (
                        "parameters (circuits / classical)",
                        "\((manifest["circuitParameterCount"] as? Int) ?? 0) / \((manifest["classicalParameterCount"] as? Int) ?? 0)"
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
