import VariationalCircuits

/// The paper's modular picture: each sub-VQC (gate, part) runs on one QPU for the whole run.
///
/// On an ideal cluster any worker may evaluate any item (`Placement`): results do not depend on
/// where they run. On emulated noisy QPUs they do, so each circuit gets a home QPU, chosen from
/// cluster.json alone (its order, the workers' announced capacities and profiles, its
/// `placement` table): the same file gives the same mapping whatever connects first. A lost
/// home is replaced only by a QPU of the same profile, which gives the same bits.
struct PinnedPlacement: Sendable, Equatable {
    /// A QPU as the mapping sees it.
    struct QPU: Sendable, Equatable {
        let name: String
        let capacity: Int
        let profile: String
    }

    let qpus: [QPU]
    /// Per circuit (load order), the index of its home QPU.
    let homes: [Int]

    /// Circuit `i` goes where `placement` says, or else to the `(i mod n)`-th of the `n` QPUs
    /// wide enough for it, in cluster order.
    /// - Throws: `ClusterError.planTooWide` for a circuit no QPU holds, naming the widest QPU;
    ///   `.configuration` for a placement entry that names a QPU too narrow or no circuit.
    init(circuits: [SubVQC], qpus: [QPU], placement: [String: String]) throws(ClusterError) {
        self.qpus = qpus
        if let unknown = placement.keys.sorted().first(where: { id in !circuits.contains { $0.id == id } }) {
            throw .configuration(
                path: "cluster.json",
                problem:
                    "placement names sub-VQC \"\(unknown)\", which this model does not have (it has \(circuits.map(\.id).joined(separator: ", ")))"
            )
        }
        var homes: [Int] = []
        for (index, circuit) in circuits.enumerated() {
            let capable = qpus.indices.filter { qpus[$0].capacity >= circuit.qubitCount }
            guard !capable.isEmpty else {
                let widest = qpus.max { $0.capacity < $1.capacity }
                throw .planTooWide(
                    circuit: circuit.id,
                    qubits: circuit.qubitCount,
                    widest: widest?.name ?? "none",
                    capacity: widest?.capacity ?? 0
                )
            }
            if let named = placement[circuit.id] {
                guard let home = qpus.firstIndex(where: { $0.name == named }), capable.contains(home) else {
                    throw .configuration(
                        path: "cluster.json",
                        problem:
                            "placement puts \(circuit.id) (\(circuit.qubitCount) qubits) on \(named), which holds fewer qubits: choose a wider QPU"
                    )
                }
                homes.append(home)
            } else {
                homes.append(capable[index % capable.count])
            }
        }
        self.homes = homes
    }

    /// Where `circuit`'s items go now: its home when `isAvailable`, else the first available
    /// QPU (in cluster order) with the home's profile and room for it; `nil` when none is.
    func target(for circuit: Int, qubits: Int, isAvailable: (Int) -> Bool) -> Int? {
        let home = homes[circuit]
        if isAvailable(home) { return home }
        return qpus.indices.first {
            $0 != home && qpus[$0].profile == qpus[home].profile && qpus[$0].capacity >= qubits && isAvailable($0)
        }
    }

    /// One line per circuit, `forget/0 -> qpu-a (trapped-ion-aria)`, for logs and manifests.
    func describe(_ circuits: [SubVQC]) -> [String] {
        zip(circuits, homes).map { "\($0.id) -> \(qpus[$1].name) (\(qpus[$1].profile))" }
    }

    /// Profiles that mean "no noise": placement stays free on a cluster of these alone.
    static let idealProfiles: Set<String> = ["ideal", "statevector"]
}
