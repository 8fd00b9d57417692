import Cluster

/// `qlstm secret generate FILE`: a new shared secret for `--secret-file` and `secret_file`.
enum SecretCommand: Command {
    static let name = "secret"
    static let summary = "write a new random shared secret for workers and coordinators (mode 600)"
    static let usage = "qlstm secret generate FILE"
    static let options: [OptionSpec] = []

    static func run(_ options: ParsedOptions) async throws -> Int32 {
        try options.expectPositionals(2, usage: usage)
        guard options.positionals.first == "generate" else {
            throw CommandLineError.missingArgument("the subcommand 'generate'", usage: usage)
        }
        guard options.positionals.count == 2 else {
            throw CommandLineError.missingArgument("the FILE to write", usage: usage)
        }
        let path = options.positionals[1]
        do {
            try SharedSecret.generate(atPath: path)
        } catch {
            throw CommandLineError.conflict("\(error)")
        }
        print("wrote a new secret (\(SharedSecret.generatedByteCount) random bytes, hex) to \(path), mode 600")
        return 0
    }
}
