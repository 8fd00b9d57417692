import Dispatch
import Foundation
import QuantumSimulator
import VariationalCircuits

/// `qlstm bench`: the speed figures the project tracks, as one JSON object.
enum BenchCommand: Command {
    static let name = "bench"
    static let summary =
        "speed figures of the emulator (sim), training (train), emulated QPUs (cluster) and the inference server (serve); use a release build"
    static let usage = "qlstm bench --suite sim|train|cluster|serve [--json] [--seconds S]"
    static let options: [OptionSpec] = [
        .value(
            "suite",
            "NAME",
            "which figures: sim (the emulator), train (training epochs), cluster (1-8 timed QPU workers) or serve (HTTP predictions from 8 clients)"
        ),
        .flag("json", "print one JSON object instead of a table"),
        .value("seconds", "S", "minimum measuring time per figure (default 1)"),
    ]

    enum Suite: String, CaseIterable { case sim, train, cluster, serve }

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(0, usage: usage)
        let suite = try options.choice("suite", as: Suite.self) ?? .sim
        let seconds = try options.double("seconds", in: 0.01...600) ?? 1
        var figures: [String: Any] = ["suite": suite.rawValue, "threads": Parallel.threadCount]
        #if DEBUG
        figures["build"] = "debug"
        Console.error("qlstm bench: warning: this is a debug build; build with -c release for real figures")
        #else
        figures["build"] = "release"
        #endif
        switch suite {
        case .sim: try SimulatorBenchmarks(seconds: seconds).run(into: &figures)
        case .train: try await TrainingBenchmarks().run(into: &figures)
        case .cluster: try await ClusterBenchmarks().run(into: &figures)
        case .serve: try await ServeBenchmarks(seconds: seconds).run(into: &figures)
        }
        if options.flag("json") {
            print(try Console.json(figures))
        } else {
            for key in figures.keys.sorted() {
                print(key.padding(toLength: 44, withPad: " ", startingAt: 0), figures[key]!)
            }
        }
        return 0
    }
}

/// Repeats a body until it has run for at least `seconds`, three times, and keeps the best rate.
struct Stopwatch {
    let seconds: Double

    /// Operations per second of `body(n)`, which performs `n` operations.
    func rate(_ body: (Int) -> Void) -> Double {
        var best = 0.0
        for _ in 0..<3 {
            var n = 1
            while true {
                let start = DispatchTime.now().uptimeNanoseconds
                body(n)
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if elapsed >= seconds / 3 {
                    best = max(best, Double(n) / elapsed)
                    break
                }
                n = elapsed > 0 ? max(n * 2, Int(Double(n) * seconds / 3 / elapsed * 1.1)) : n * 2
            }
        }
        return best
    }
}

/// The `sim` suite: the paper's gate circuit one by one, on every core and on a noisy QPU (a
/// density matrix), and single gates on large states beside the memory floor: one in-place
/// read-and-write pass over the same amount of memory on every core, which is all a
/// memory-bound gate can hope to match.
struct SimulatorBenchmarks {
    let seconds: Double

    func run(into figures: inout [String: Any]) throws {
        let circuit = try SubVQC(id: "paper", qubitCount: 6, inputCount: 6, ansatz: .paper, measuredWires: Array(0..<5))
        var generator = SeededGenerator(seed: 2025)
        let parameters = (0..<circuit.parameterCount).map { _ in generator.nextGaussian() }
        let prepared = try PreparedCircuit(circuit, parameters: parameters)
        let inputs = (0..<256).map { _ in (0..<6).map { _ in generator.nextUnit() * 2 - 1 } }
        let stopwatch = Stopwatch(seconds: seconds)

        let methods: [(String, DifferentiationMethod?)] = [
            ("paper_circuit_evals_per_s", nil),
            ("paper_circuit_ps_jacobians_per_s", .parameterShift),
            ("paper_circuit_adjoint_jacobians_per_s", .adjoint),
        ]
        // Batches of 256 inputs, evaluated 8 at a time as lanes (what a QPU core does with a
        // training batch); the `_one_by_one` figures evaluate single inputs on one lane.
        for (key, method) in methods {
            figures[key] = stopwatch.rate { n in
                Self.evaluate(prepared, inputs, method: method, count: n, lanes: 16)
            }.rounded()
            figures[key + "_one_by_one"] = stopwatch.rate { n in
                Self.evaluate(prepared, inputs, method: method, count: n, lanes: 1)
            }.rounded()
            let threads = Parallel.threadCount
            figures[key + "_all_threads"] = stopwatch.rate { n in
                DispatchQueue.concurrentPerform(iterations: threads) { _ in
                    Self.evaluate(prepared, inputs, method: method, count: max(1, n / threads), lanes: 16)
                }
            }.rounded()
        }

        // The same circuit on a noisy QPU (the noisy fixture's "all" model), as an exact density
        // matrix on one thread.
        let noise = NoiseModel(
            depolarizing1q: 0.002,
            depolarizing2q: 0.02,
            t1Seconds: 20e-6,
            t2Seconds: 15e-6,
            gateSeconds1q: 50e-9,
            gateSeconds2q: 300e-9,
            readout0to1: 0.015,
            readout1to0: 0.03
        )
        let noisy = try NoisyCircuit(prepared, noise: noise, simulation: .densityMatrix)
        let seeds = [UInt64](repeating: 0, count: inputs.count)
        for (key, method) in [
            ("noisy_paper_circuit_evals_per_s", nil),
            ("noisy_paper_circuit_ps_jacobians_per_s", DifferentiationMethod.parameterShift),
        ] {
            figures[key] = stopwatch.rate { n in
                var workspace = NoisyCircuit.Workspace(for: noisy)
                var results: [CircuitEvaluation] = []
                var done = 0
                while done < n {
                    let count = min(n - done, inputs.count)
                    noisy.evaluate(
                        Array(inputs[..<count]),
                        method: method,
                        shots: nil,
                        seeds: Array(seeds[..<count]),
                        into: &results,
                        workspace: &workspace
                    )
                    done += count
                }
            }.rounded()
        }

        for qubits in [20, 24] {
            var state = try StateVector(qubitCount: qubits)
            state.apply(.rx(0.3), to: 0)  // a general, complex state
            let gateRate = stopwatch.rate { n in
                for i in 0..<n { state.apply(.ry(0.1), to: i % qubits) }
            }
            // The complex state's two arrays, as one buffer of the same size.
            var buffer = [Double](repeating: 0.5, count: 2 << qubits)
            let passRate = stopwatch.rate { n in
                for _ in 0..<n { Self.negateInPlace(&buffer, threads: Parallel.threadCount) }
            }
            var real = try StateVector(qubitCount: qubits)
            real.apply(.hadamard, to: 0)
            let realRate = stopwatch.rate { n in
                for i in 0..<n { real.apply(.ry(0.1), to: i % qubits) }
            }
            figures["gate_seconds_q\(qubits)"] = 1 / gateRate
            figures["gate_seconds_q\(qubits)_real_state"] = 1 / realRate
            figures["pass_seconds_q\(qubits)"] = 1 / passRate
        }
    }

    /// Reads and writes every element of `buffer` once, in place, split over `threads` as the
    /// gate kernels split a large state: the floor of a gate that also touches every amplitude.
    static func negateInPlace(_ buffer: inout [Double], threads: Int) {
        let count = buffer.count
        buffer.withUnsafeMutableBufferPointer { pointer in
            let base = SharedAddress(pointer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: threads) { chunk in
                let lower = count * chunk / threads
                let upper = count * (chunk + 1) / threads
                for index in lower..<upper { base.pointer[index] = -base.pointer[index] }
            }
        }
    }

    /// Evaluates at least `count` inputs (whole batches of `inputs`) with one workspace.
    static func evaluate(
        _ prepared: PreparedCircuit,
        _ inputs: [[Double]],
        method: DifferentiationMethod?,
        count: Int,
        lanes: Int
    ) {
        var workspace = PreparedCircuit.Workspace(for: prepared, lanes: lanes)
        var results: [CircuitEvaluation] = []
        if lanes == 1 {
            let singles = inputs.map { [$0] }
            for i in 0..<count {
                prepared.evaluate(
                    singles[i % singles.count],
                    method: method,
                    shots: nil,
                    seeds: [],
                    into: &results,
                    workspace: &workspace
                )
            }
            return
        }
        var done = 0
        while done < count {
            prepared.evaluate(inputs, method: method, shots: nil, seeds: [], into: &results, workspace: &workspace)
            done += inputs.count
        }
    }
}

/// A buffer's address shared by the threads of one pass; each touches its own indices.
private struct SharedAddress: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Double>
    init(_ pointer: UnsafeMutablePointer<Double>) { self.pointer = pointer }
}
