import Foundation
import QPUProfiles
import QuantumSimulator
import VariationalCircuits

/// `qlstm simulate`: runs an OpenQASM 3 file on the emulator.
enum SimulateCommand: Command {
    static let name = "simulate"
    static let summary = "run an OpenQASM 3 file: <Z_i> of every qubit (and counts with shots)"
    static let usage =
        "qlstm simulate FILE.qasm [--profile P [--trajectories K]] [--shots N] [--seed S] [--json] [--input NAME=VALUE ...]"
    static let options: [OptionSpec] = [
        .value(
            "profile",
            "NAME|FILE",
            "run on this emulated QPU: its noise (exact density matrix up to 12 qubits, else trajectories) and readout"
        ),
        .value("trajectories", "K", "average K seeded quantum trajectories instead of the density matrix"),
        .value("shots", "N|exact", "sample N shots (1...100000000), or exact expectations (default: the profile's)"),
        .value("seed", "S", "seed of the shot sampler (default 0)"),
        .flag("json", "print one JSON object"),
        .value("input", "NAME=VALUE", "value of an 'input float' the file declares (repeatable)", repeatable: true),
    ]

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(1, usage: usage)
        guard let path = options.positionals.first else {
            throw CommandLineError.missingArgument("the OpenQASM file", usage: usage)
        }
        let profile = try options.string("profile").map { try ProfilesCommand.load($0) }
        let trajectories = try options.int("trajectories", in: 1...10_000_000)
        if trajectories != nil && profile == nil {
            throw CommandLineError.conflict("--trajectories needs --profile: an ideal circuit has one exact state")
        }
        let shots = (try options.shots(in: 1...100_000_000)) ?? profile?.shots
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
        let expectations: [Double]
        let sample: ShotSample?
        var method = "state vector"
        if let profile, !profile.isNoiseless {
            let noise = profile.noiseModel
            let run = try NoisyRun(program.circuit, noise: noise, trajectories: trajectories, seed: seed)
            method = run.method
            expectations = run.probabilities.isEmpty ? [] : run.expectationsZ.map(noise.readout)
            sample = try shots.map {
                try ShotSample(drawingFrom: run.probabilities, shots: $0, seed: seed, readout: noise)
            }
        } else {
            let state = try StateVector(running: program.circuit)
            expectations = state.expectationsZ()
            sample = try shots.map { try state.sample(shots: $0, seed: seed) }
        }

        if options.flag("json") {
            var object: [String: Any] = [
                "file": path,
                "qubits": program.circuit.qubitCount,
                "gates": program.circuit.gates.count,
                "expectations_z": expectations,
                "measured_qubits": program.measuredQubits,
                "profile": profile?.name ?? "ideal",
                "method": method,
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
        print(
            "\(path): \(program.circuit.qubitCount) qubits, \(program.circuit.gates.count) gates; "
                + "profile \(profile?.name ?? "ideal") (\(method))"
        )
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

/// A circuit run under noise: the exact density matrix when it fits (and no trajectories are
/// asked for), else the average of seeded trajectories. `expectationsZ` are before readout.
private struct NoisyRun {
    let probabilities: [Double]
    let expectationsZ: [Double]
    let method: String

    init(_ circuit: Circuit, noise: NoiseModel, trajectories: Int?, seed: UInt64) throws {
        if trajectories == nil, DensityMatrix.qubitRange.contains(circuit.qubitCount) {
            let rho = try DensityMatrix(running: circuit, noise: noise)
            var probabilities: [Double] = []
            rho.probabilities(into: &probabilities)
            self.probabilities = probabilities
            expectationsZ = rho.expectationsZ()
            method = "exact density matrix"
            return
        }
        let count = trajectories ?? NoiseSimulation.automaticTrajectories
        let channels = NoiseChannels(noise)
        var probabilities = [Double](repeating: 0, count: 1 << circuit.qubitCount)
        for trajectory in 0..<count {
            var generator = SeededGenerator(seed: SeededGenerator.derivedSeed(seed, [0x7A1E, UInt64(trajectory)]))
            let state = try StateVector(trajectoryOf: circuit, channels: channels, generator: &generator)
            for (index, p) in state.probabilities().enumerated() { probabilities[index] += p / Double(count) }
        }
        self.probabilities = probabilities
        expectationsZ = (0..<circuit.qubitCount).map { wire in
            probabilities.indices.reduce(0) { $0 + (($1 >> wire) & 1 == 0 ? probabilities[$1] : -probabilities[$1]) }
        }
        method = "\(count) seeded trajectories"
    }
}
