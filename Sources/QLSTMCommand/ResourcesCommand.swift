import Datasets
import Foundation
import QLSTM
import QLSTMCluster
import QPUProfiles
import VariationalCircuits

/// `qlstm resources`: the paper's resource estimate (eqs. 10-12) and the circuit counts of a
/// configuration, or of a finished run beside what it really executed.
enum ResourcesCommand: Command {
    static let name = "resources"
    static let summary =
        "parameters, qubits, QPUs and circuits per step and epoch (paper eqs. 10-12); hardware time with --profile"
    static let usage = "qlstm resources [TRAIN OPTIONS | --run DIR] [--profile P] [--json]"
    static let options: [OptionSpec] =
        RunOptions.specs + [
            .value("run", "DIR", "estimate for a run directory and compare with its summary.json"),
            .flag("json", "print one JSON object"),
        ]

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(0, usage: usage)
        var specification: RunSpecification
        var counted: RunSummary?
        if let run = options.string("run") {
            if let extra = RunOptions.specs.map(\.name).first(where: { $0 != "profile" && options.isSet($0) }) {
                throw CommandLineError.conflict(
                    "--\(extra) cannot be combined with --run: the run's own settings are used"
                )
            }
            let directory = URL(fileURLWithPath: run)
            specification = try RunDirectory(directory).model().specification
            if let name = options.string("profile") {
                // What the run would take on another QPU: its profile's shots replace the run's
                // only when the run asked for none.
                let profile = try ProfilesCommand.load(name)
                specification.profile = profile
                if specification.training.shots == nil { specification.training.shots = profile.shots }
            }
            let run = RunDirectory(directory)
            if run.isFinished { counted = try run.summary() }
        } else {
            specification = try RunOptions.specification(from: options)
        }
        let (_, dataset) = try specification.data.load()
        specification.model.inputWidth = dataset.inputWidth
        let estimate = try ResourceEstimate(
            model: specification.model,
            training: specification.training,
            trainWindows: dataset.train.count,
            evaluatedWindows: dataset.validation.count + dataset.test.count,
            timeSteps: specification.data.windows.sequenceLength
        )
        let epochs = counted?.epochs ?? specification.training.epochs
        var object: [String: Any] = [
            "model": specification.model.label,
            "p_vqc": estimate.parametersPerSubVQC,
            "gates_per_subvqc": estimate.gatesPerSubVQC.map {
                ["one_qubit": $0.singleQubit, "cnot": $0.cnot, "cz": $0.cz, "total": $0.total]
            },
            "p_gates": estimate.gateParameters,
            "n_extra": estimate.extraCircuits,
            "p_extra": estimate.extraCircuitParameters,
            "p_total_circuits": estimate.totalCircuitParameters,
            "classical_parameters": estimate.classicalParameters,
            "qubits_per_qpu": estimate.qubitsPerQPU,
            "qpus": estimate.qpus,
            "total_qubits": estimate.totalQubits,
            "circuits_per_time_step": estimate.circuitsPerTimeStep,
            "circuits_per_training_step": estimate.circuitsPerTrainingStep,
            "circuits_per_epoch": estimate.circuitsPerEpoch,
            "shots_per_epoch": estimate.shotsPerEpoch,
            "epochs": epochs,
            "circuits_for_run": estimate.circuitsPerEpoch * epochs,
            "differentiation": specification.training.differentiation.rawValue,
        ]
        let hardware = try specification.profile.map {
            try HardwareTime(
                profile: $0,
                specification: specification,
                trainWindows: dataset.train.count,
                evaluatedWindows: dataset.validation.count + dataset.test.count
            )
        }
        if let hardware {
            object["profile"] = hardware.profile.name
            object["qpu_seconds_per_epoch_one_qpu"] = hardware.serialSecondsPerEpoch
            object["wall_seconds_per_epoch_modular"] = hardware.modularSecondsPerEpoch
            object["modular_qpus"] = hardware.modularQPUs
            object["wall_seconds_for_run_modular"] = hardware.modularSecondsPerEpoch * Double(epochs)
        }
        var agrees = true
        if let counted {
            object["counted_circuits_executed"] = Int(counted.circuitsExecuted)
            object["counted_shots_executed"] = Int(counted.shotsExecuted)
            agrees = Int(counted.circuitsExecuted) == estimate.circuitsPerEpoch * epochs
            object["estimate_matches_count"] = agrees
        }
        if options.flag("json") {
            print(try Console.json(object))
        } else {
            let parts = estimate.qubitsPerQPU.map(String.init).joined(separator: " + ")
            print("\(specification.model.label), \(specification.training.differentiation.rawValue)")
            print(
                "  P_VQC (eq. 10), per sub-VQC:      \(estimate.parametersPerSubVQC.map(String.init).joined(separator: ", "))"
            )
            print("  gates per sub-VQC:                \(Self.describe(estimate.gatesPerSubVQC))")
            print("  P_gates = 4 M P_VQC (eq. 11):     \(estimate.gateParameters)")
            if estimate.extraCircuits > 0 {
                print(
                    "  N_extra M P_VQC (VQC5, VQC6):     \(estimate.extraCircuitParameters) (N_extra = \(estimate.extraCircuits))"
                )
            }
            print(
                "  P_total, circuits (eq. 12):       \(estimate.totalCircuitParameters) (+ \(estimate.classicalParameters) classical)"
            )
            print(
                "  qubits per QPU, QPUs, total:      \(parts) qubits, M = \(estimate.qpus), \(estimate.totalQubits) qubits"
            )
            print("  circuits per window and step:     \(estimate.circuitsPerTimeStep)")
            print("  circuits per training step:       \(estimate.circuitsPerTrainingStep)")
            print("  circuits per epoch:               \(estimate.circuitsPerEpoch)")
            print("  shots per epoch:                  \(estimate.shotsPerEpoch)")
            print("  circuits for \(epochs) epochs:         \(estimate.circuitsPerEpoch * epochs)")
            if let hardware {
                let modular = hardware.modularSecondsPerEpoch
                print(
                    "  on profile \(hardware.profile.name) (\(specification.training.shots.map { "\($0) shots" } ?? "exact")):"
                )
                print(
                    "    one QPU, every sub-VQC in turn:  \(ProgressLine.duration(hardware.serialSecondsPerEpoch)) per epoch"
                )
                print(
                    "    \(hardware.modularQPUs) QPUs, one per sub-VQC:      \(ProgressLine.duration(modular)) per epoch, \(ProgressLine.duration(modular * Double(epochs))) for \(epochs) epochs"
                )
            }
            if let circuits = object["counted_circuits_executed"] {
                print(
                    "  counted in summary.json:          \(circuits) (\(agrees ? "matches" : "DIFFERS FROM") the estimate)"
                )
            }
        }
        return agrees ? 0 : 1
    }
}

extension ResourcesCommand {
    /// Gate counts as `4 x 41 (30 one-qubit, 11 CNOT)`, one entry per distinct count in order.
    static func describe(_ counts: [GateCounts]) -> String {
        var distinct: [(GateCounts, Int)] = []
        for count in counts {
            if let index = distinct.firstIndex(where: { $0.0 == count }) {
                distinct[index].1 += 1
            } else {
                distinct.append((count, 1))
            }
        }
        return distinct.map { count, times in
            let kinds = [(count.singleQubit, "one-qubit"), (count.cnot, "CNOT"), (count.cz, "CZ")]
                .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            return "\(times) x \(count.total) (\(kinds))"
        }.joined(separator: "; ")
    }
}

/// A run's modelled hardware time on a QPU profile: every evaluate call is a job on each QPU
/// it reaches; every circuit run costs its shots x (gate layers + shot time).
struct HardwareTime {
    let profile: QPUProfile
    /// All sub-VQCs on one QPU, one after another.
    let serialSecondsPerEpoch: Double
    /// Each sub-VQC on its own QPU (the paper's modular picture), all working at once.
    let modularSecondsPerEpoch: Double
    let modularQPUs: Int

    /// - Parameter evaluatedWindows: the validation and test windows, evaluated after every epoch.
    init(profile: QPUProfile, specification: RunSpecification, trainWindows: Int, evaluatedWindows: Int) throws {
        self.profile = profile
        let model = specification.model
        let training = specification.training
        let timeSteps = specification.data.windows.sequenceLength
        let readings = model.bidirectional ? 2 : 1
        let circuits = try (0..<readings).flatMap { try model.circuits(direction: $0) }
        let evaluations = Array(
            try (0..<readings).map { _ in try model.evaluationsPerWindow(timeSteps: timeSteps) }.joined()
        )
        let batches = (trainWindows + training.batchSize - 1) / training.batchSize
        // One evaluate call per time step of each training batch and of the test pass, two with
        // circuits after the cell.
        let calls = model.architecture == .chen2020 ? 2 : 1
        let jobs = Double(calls * timeSteps * (batches + 1)) * profile.jobSeconds
        let shots = Double(training.shots ?? 1)
        let perCircuit = zip(circuits, evaluations).map { circuit, count -> Double in
            let runs = SubVQC.circuitRuns(
                differentiableGates: circuit.differentiableGateCount,
                method: training.differentiation
            )
            let perRun = shots * (profile.circuitSeconds(circuit) + profile.shotSeconds)
            return Double(count) * (Double(runs * trainWindows) + Double(evaluatedWindows)) * perRun
        }
        serialSecondsPerEpoch = jobs + perCircuit.reduce(0, +)
        modularSecondsPerEpoch = jobs + (perCircuit.max() ?? 0)
        modularQPUs = circuits.count
    }
}
