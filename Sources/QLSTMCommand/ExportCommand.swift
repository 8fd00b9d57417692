import Foundation
import QLSTM
import QLSTMCluster
import Reports
import VariationalCircuits

/// `qlstm export`: a trained model's weights as JSON and each sub-VQC as OpenQASM 3, trained
/// angles bound and encoding angles left as `input float[64]` parameters, for real devices and
/// for Qiskit's importer (which cannot apply `arctan` to a parameter, so the `arctan`
/// encoding's angles, not its features, are the inputs).
enum ExportCommand: Command {
    static let name = "export"
    static let summary = "write a trained model's weights (JSON) and every sub-VQC as OpenQASM 3"
    static let usage = "qlstm export --model RUN --out DIR"
    static let options: [OptionSpec] = [
        .value("model", "RUN", "a run directory written by qlstm train, or its model.json"),
        .value("out", "DIR", "the directory to write (created if needed)"),
    ]

    struct Weights: Encodable {
        struct Circuit: Encodable {
            /// One `input float[64]` of the file: the angle `function` of feature `feature`.
            struct Input: Encodable {
                var name: String
                var feature: Int
                var function: String
            }

            var id: String
            var file: String
            var qubits: Int
            var inputs: Int
            /// The file's inputs, computed from the sub-VQC's features `x0, x1, ...`.
            var angleInputs: [Input]
            var measuredWires: [Int]
            var parameters: [Double]
        }

        var model: String
        var specification: RunSpecification
        var circuits: [Circuit]
        /// Every parameter, flat, in the model's layout (circuits, projection, readout, head).
        var parameters: [Double]
    }

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(0, usage: usage)
        guard let modelPath = options.string("model") else {
            throw CommandLineError.missingArgument("--model RUN", usage: usage)
        }
        guard let out = options.string("out") else { throw CommandLineError.missingArgument("--out DIR", usage: usage) }
        let loaded = try await LoadedModel.load(modelPath)
        let directory = URL(fileURLWithPath: out)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw CommandLineError.conflict("cannot create \(out): \(error.localizedDescription)")
        }
        var circuits: [Weights.Circuit] = []
        for (circuit, parameters) in loaded.circuits {
            let name = circuit.id.replacingOccurrences(of: "/", with: "-") + ".qasm"
            try AtomicFile.write(
                try OpenQASM3.exportSymbolic(circuit, parameters: parameters),
                to: directory.appendingPathComponent(name)
            )
            circuits.append(
                .init(
                    id: circuit.id,
                    file: name,
                    qubits: circuit.qubitCount,
                    inputs: circuit.inputCount,
                    angleInputs: OpenQASM3.symbolicInputs(circuit).map {
                        .init(
                            name: $0.name,
                            feature: $0.feature,
                            function: OpenQASM3.formula($0.transform, OpenQASM3.inputName($0.feature))
                        )
                    },
                    measuredWires: circuit.measuredWires,
                    parameters: parameters
                )
            )
        }
        let specification = loaded.file.specification
        try AtomicFile.writeJSON(
            Weights(
                model: specification.model.label,
                specification: specification,
                circuits: circuits,
                parameters: loaded.file.checkpoint.parameters
            ),
            to: directory.appendingPathComponent("weights.json")
        )
        try AtomicFile.write(
            readme(circuits: circuits, specification: specification),
            to: directory.appendingPathComponent("README.md")
        )
        print("wrote \(circuits.count) OpenQASM 3 files and weights.json to \(out)")
        return 0
    }

    static func readme(circuits: [Weights.Circuit], specification: RunSpecification) -> String {
        let example = circuits.first?.file ?? "forget-0.qasm"
        let extraFiles =
            specification.model.architecture == .chen2020
            ? "; `hidden-0.qasm` and `y-0.qasm` are part 0 of VQC5, which makes h_t, and of VQC6, which makes the output"
            : ""
        let products =
            specification.model.ansatz.encoding == .iqp
            ? "\nThe IQP encoding's ZZ angles are written `xi * xj`, a product of two inputs that Qiskit's importer\nturns into a parameter expression: the features are all there is to bind."
            : ""
        let functions = circuits.contains { $0.angleInputs.contains { $0.name != "x\($0.feature)" } }
        let inputs =
            functions
            ? """
            The encoding's angles are the inputs: `atan_xi` = arctan(x_i) and `atan_sq_xi` = arctan(x_i^2)
            for feature x_i (the `arctan` encoding), computed before binding, because Qiskit's importer
            cannot apply a function to a parameter. `weights.json` lists each file's inputs and functions.
            """
            : "The encoding inputs are the sub-VQC's features, declared as `input float[64] x0; x1; ...`."
        let binding =
            functions
            ? "values = {f\"atan_x{i}\": math.atan(x) for i, x in enumerate(features)} | {f\"atan_sq_x{i}\": math.atan(x * x) for i, x in enumerate(features)}"
            : "values = {f\"x{i}\": x for i, x in enumerate(features)}"
        return """
            # Exported QLSTM circuits

            One OpenQASM 3 file per sub-VQC (`forget-0.qasm` is part 0 of the forget gate\(extraFiles)), with
            the trained angles bound and the encoding angles as `input float[64]` declarations.
            \(inputs)\(products)
            Qubit `q[i]` is wire i of the model; bit `c[k]` measures the k-th output wire, so the
            model's output k is <Z> on that qubit. `weights.json` holds every parameter, the
            model's configuration and each circuit's id, file, inputs and measured wires.

            ## Running one in Qiskit

            ```python
            import math
            from qiskit import qasm3
            from qiskit.quantum_info import SparsePauliOp
            from qiskit.primitives import StatevectorEstimator

            circuit = qasm3.loads(open("\(example)").read())   # needs qiskit-qasm3-import
            circuit.remove_final_measurements()
            features = [0.1] * \(circuits.first?.inputs ?? 1)   # the sub-VQC's inputs x0, x1, ...
            \(binding)
            bound = circuit.assign_parameters({p: values[p.name] for p in circuit.parameters})
            n = bound.num_qubits
            # Qiskit's Pauli strings put qubit 0 rightmost: Z on qubit k is "I...Z...I" reversed.
            observables = [SparsePauliOp("I" * (n - 1 - k) + "Z" + "I" * k) for k in range(n)]
            print(StatevectorEstimator().run([(bound, observables)]).result()[0].data.evs)
            ```

            The values match `qlstm simulate FILE --input NAME=VALUE ...` wire by wire.
            On hardware, run the file as it is (its final measurements estimate <Z> from counts).

            """
    }
}
