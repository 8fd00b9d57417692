import Foundation
import QuantumSimulator
import VariationalCircuits

/// `qlstm simulate`: runs an OpenQASM 3 file on the emulator.
enum SimulateCommand: Command {
    static let name = "simulate"
    static let summary = "run an OpenQASM 3 file: <Z_i> of every qubit (and counts with shots)"
    static let usage = "qlstm simulate FILE.qasm [--shots N] [--seed S] [--json] [--input NAME=VALUE ...]"
    static let options: [OptionSpec] = [
        .value("shots", "N", "sample N shots (1...100000000) instead of exact expectations"),
        .value("seed", "S", "seed of the shot sampler (default 0)"),
        .flag("json", "print one JSON object"),
        .value("input", "NAME=VALUE", "value of an 'input float' the file declares (repeatable)", repeatable: true),
    ]

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(1, usage: usage)
        guard let path = options.positionals.first else {
            throw CommandLineError.missingArgument("the OpenQASM file", usage: usage)
        }
        let shots = try options.int("shots", in: 1...100_000_000)
        let seed = try options.uint64("seed") ?? 0
        var inputs: [String: Double] = [:]
        for assignment in options.strings("input") {
            let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let value = Double(parts[1]), value.isFinite else {
                throw CommandLineError.invalidValue(
                    option: "--input",
                    value: assignment,
                    expected: "NAME=NUMBER, such as x0=0.25"
                )
            }
            inputs[parts[0]] = value
        }
        let source: String
        do {
            source = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandLineError.unreadableFile(path: path)
        }
        let program: OpenQASMProgram
        do {
            program = try OpenQASMProgram(parsing: source, inputs: inputs)
        } catch {
            throw CommandLineError.invalidFile(path: path, message: "\(error)")
        }
        let state = try StateVector(running: program.circuit)
        let expectations = state.expectationsZ()
        let sample = try shots.map { try state.sample(shots: $0, seed: seed) }

        if options.flag("json") {
            var object: [String: Any] = [
                "file": path,
                "qubits": program.circuit.qubitCount,
                "gates": program.circuit.gates.count,
                "expectations_z": expectations,
                "measured_qubits": program.measuredQubits,
            ]
            if let sample {
                object["shots"] = sample.shots
                object["seed"] = seed
                object["estimates_z"] = sample.expectationsZ
                object["counts"] = Dictionary(
                    uniqueKeysWithValues: sample.counts.map { (sample.bitString($0.index), $0.count) }
                )
            }
            print(try Console.json(object))
            return 0
        }
        print("\(path): \(program.circuit.qubitCount) qubits, \(program.circuit.gates.count) gates")
        let estimates = sample?.expectationsZ
        for (wire, value) in expectations.enumerated() {
            let name = program.qubitNames.indices.contains(wire) ? program.qubitNames[wire] : "q[\(wire)]"
            var line = "<Z> \(name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(format(value))"
            if let estimates { line += "   shots: \(format(estimates[wire]))" }
            print(line)
        }
        if let sample {
            print("counts (\(sample.shots) shots, seed \(seed); bit strings with qubit 0 rightmost):")
            for (index, count) in sample.counts.sorted(by: {
                $0.count > $1.count || ($0.count == $1.count && $0.index < $1.index)
            }) {
                print("  \(sample.bitString(index))  \(count)")
            }
        }
        return 0
    }

    private static func format(_ value: Double) -> String {
        let text = String(format: "%+.12f", value)
        return text == "-0.000000000000" ? "+0.000000000000" : text
    }
}
