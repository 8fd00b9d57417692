/// `qlstm simulate`: runs an OpenQASM 3 file on the emulator.
enum SimulateCommand: Command {
    static let name = "simulate"
    static let summary = "run an OpenQASM 3 file and print <Z_i> of every qubit (and counts with shots)"
    static let usage = "qlstm simulate FILE.qasm [--shots N] [--seed S] [--json] [--input NAME=VALUE ...]"
    static let options: [OptionSpec] = [
        .value("shots", "N", "sample N shots instead of exact expectations"),
        .value("seed", "S", "seed of the shot sampler (default 0)"),
        .flag("json", "print one JSON object"),
        .value("input", "NAME=VALUE", "value of an 'input float' declared in the file", repeatable: true),
    ]

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        throw CommandLineError.conflict("simulate: not wired yet")
    }
}
