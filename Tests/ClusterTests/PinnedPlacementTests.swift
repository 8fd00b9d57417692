import Testing
import VariationalCircuits

@testable import Cluster

@Suite("pinned placement")
struct PinnedPlacementTests {
    /// The paper's distributed model: 4 gates x 2 parts of 3 qubits.
    static let circuits: [SubVQC] = ["forget", "input", "candidate", "output"].flatMap { gate in
        (0..<2).map { part in try! SubVQC(id: "\(gate)/\(part)", qubitCount: 3, inputCount: 3) }
    }

    static func qpu(_ name: String, _ capacity: Int = 3, _ profile: String = "noisy") -> PinnedPlacement.QPU {
        .init(name: name, capacity: capacity, profile: profile)
    }

    @Test("each part on its own QPU, round-robin in cluster order, the same every time")
    func roundRobin() throws {
        let qpus = [Self.qpu("a"), Self.qpu("b")]
        let placement = try PinnedPlacement(circuits: Self.circuits, qpus: qpus, placement: [:])
        #expect(placement.homes == [0, 1, 0, 1, 0, 1, 0, 1])
        #expect(placement.describe(Self.circuits).first == "forget/0 -> a (noisy)")
        let eight = try PinnedPlacement(
            circuits: Self.circuits,
            qpus: (0..<8).map { Self.qpu("q\($0)") },
            placement: [:]
        )
        #expect(eight.homes == Array(0..<8))
    }

    @Test("the placement table wins; too-narrow QPUs are skipped")
    func explicitAndCapacity() throws {
        let qpus = [Self.qpu("narrow", 2), Self.qpu("a"), Self.qpu("b")]
        let placement = try PinnedPlacement(circuits: Self.circuits, qpus: qpus, placement: ["output/1": "a"])
        #expect(placement.homes == [1, 2, 1, 2, 1, 2, 1, 1])
        #expect(throws: ClusterError.self) {
            try PinnedPlacement(circuits: Self.circuits, qpus: qpus, placement: ["output/1": "narrow"])
        }
        #expect(throws: ClusterError.self) {
            try PinnedPlacement(circuits: Self.circuits, qpus: qpus, placement: ["forget/9": "a"])
        }
    }

    @Test("a plan no QPU holds names the sub-VQC and the widest QPU")
    func tooWide() {
        #expect(
            throws: ClusterError.planTooWide(circuit: "forget/0", qubits: 3, widest: "b", capacity: 2)
        ) {
            try PinnedPlacement(circuits: Self.circuits, qpus: [Self.qpu("a", 1), Self.qpu("b", 2)], placement: [:])
        }
    }

    @Test("failover only to a QPU of the same profile")
    func failover() throws {
        let qpus = [Self.qpu("a", 3, "ion"), Self.qpu("b", 3, "heron"), Self.qpu("c", 3, "ion")]
        let placement = try PinnedPlacement(circuits: Self.circuits, qpus: qpus, placement: [:])
        #expect(placement.homes[0] == 0 && placement.homes[1] == 1)
        #expect(placement.target(for: 0, qubits: 3) { _ in true } == 0)
        #expect(placement.target(for: 0, qubits: 3) { $0 != 0 } == 2)
        #expect(placement.target(for: 1, qubits: 3) { $0 != 1 } == nil)
    }
}
