import Datasets
import Foundation
import QLSTM
import QPUProfiles
import QuantumSimulator
import VariationalCircuits

/// `manifest.json`: the research log of a run (seed 000): what ran, on what, with which
/// settings, so that any figure can be traced back and reproduced.
public struct RunManifest: Codable {
    public struct CircuitDescription: Codable {
        public var id: String
        public var qubits: Int
        public var inputs: Int
        public var measuredWires: [Int]
        public var parameters: Int
        public var gateCounts: [String: Int]
        /// Gates on the longest path through the circuit.
        public var depth: Int
    }

    public var project = "qlstm-cluster"
    public var version = ProjectVersion.current
    public var gitRevision: String?
    public var commandLine: [String]
    public var created: String
    public var seed: UInt64
    /// The `RunIdentity` fingerprint, as in model.json and summary.json.
    public var fingerprint: String
    public var specification: RunSpecification
    public var backend: String
    /// One line: the profile's name (or the ideal emulator) and its shots.
    public var qpuProfile: String
    /// The run's QPU profile, every figure (`nil`: ideal, or each worker's own).
    public var profile: QPUProfile?
    /// With pinned placement: each sub-VQC's QPU, `forget/0 -> qpu-a (profile)`.
    public var placement: [String]?
    public var clusterTopology: [String]
    public var qubitsPerQPU: [Int]
    public var qpus: Int
    public var totalQubits: Int
    public var parameterCount: Int
    public var circuitParameterCount: Int
    public var classicalParameterCount: Int
    public var partitionPlan: PartitionPlan?
    public var circuits: [CircuitDescription]
    public var trainWindows: Int
    public var validationWindows: Int
    public var testWindows: Int
}

extension TrainingRun {
    public func manifest() async throws -> RunManifest {
        let topology = await backend.topology()
        let circuits = trainer.model.circuits
        let plan = specification.model.kind == .lstm ? nil : try specification.model.partitionPlan()
        let circuitParameters = circuits.reduce(0) { $0 + $1.parameters.count }
        let shots = specification.training.shots
        return RunManifest(
            gitRevision: Self.gitRevision(),
            commandLine: CommandLine.arguments,
            created: ISO8601DateFormatter().string(from: Date()),
            seed: specification.training.seed,
            fingerprint: identity.fingerprint,
            specification: specification,
            backend: specification.model.kind == .qlstm ? backend.description : "classical (no circuits)",
            qpuProfile: specification.model.kind == .qlstm
                ? "\(specification.profile?.name ?? "ideal"), "
                    + (shots.map { "\($0) shots per circuit" } ?? "exact expectations") : "none",
            profile: specification.profile,
            placement: await backend.placement(),
            clusterTopology: topology,
            qubitsPerQPU: plan?.parts.map(\.qubits) ?? [],
            qpus: plan?.count ?? 0,
            totalQubits: plan?.totalQubits ?? 0,
            parameterCount: trainer.model.parameterCount,
            circuitParameterCount: circuitParameters,
            classicalParameterCount: trainer.model.parameterCount - circuitParameters,
            partitionPlan: plan,
            circuits: circuits.map { Self.describe($0.circuit) },
            trainWindows: dataset.train.count,
            validationWindows: dataset.validation.count,
            testWindows: dataset.test.count
        )
    }

    public static func describe(_ circuit: SubVQC) -> RunManifest.CircuitDescription {
        let gates =
            (try? circuit.circuit(
                inputs: Array(repeating: 0, count: circuit.inputCount),
                parameters: Array(repeating: 0, count: circuit.parameterCount)
            ))?.gates ?? []
        var counts: [String: Int] = [:]
        var layer = Array(repeating: 0, count: circuit.qubitCount)
        for gate in gates {
            counts[gate.name, default: 0] += 1
            let level = (gate.wires.map { layer[$0] }.max() ?? 0) + 1
            for w in gate.wires { layer[w] = level }
        }
        return RunManifest.CircuitDescription(
            id: circuit.id,
            qubits: circuit.qubitCount,
            inputs: circuit.inputCount,
            measuredWires: circuit.measuredWires,
            parameters: circuit.parameterCount,
            gateCounts: counts,
            depth: layer.max() ?? 0
        )
    }

    /// The checkout's revision when the binary runs from one (as `swift run` does).
    public static func gitRevision() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "git", "-C", URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path, "rev-parse",
            "HEAD",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
