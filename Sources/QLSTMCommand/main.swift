import Datasets
import Foundation
import QLSTM
import QLSTMCluster
import QuantumSimulator
import Suggestions
import VariationalCircuits

/// Every subcommand, in the order `qlstm help` lists them.
let commands = [
    CommandEntry(CompareCommand.self), CommandEntry(TrainCommand.self), CommandEntry(SelectCommand.self),
    CommandEntry(PredictCommand.self), CommandEntry(ServeCommand.self), CommandEntry(ExportCommand.self),
    CommandEntry(ResourcesCommand.self), CommandEntry(WorkerCommand.self), CommandEntry(ClusterCommand.self),
    CommandEntry(SecretCommand.self),
    CommandEntry(SimulateCommand.self), CommandEntry(ProfilesCommand.self), CommandEntry(BenchCommand.self),
]

@MainActor
func topLevelHelp() -> String {
    let width = (commands.map { $0.name.count }.max() ?? 0) + 2
    let rows = commands.map { "  " + $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + $0.summary }
    return
        ([
            "usage: qlstm COMMAND [OPTIONS]", "", "QLSTM Cluster: quantum LSTMs on an emulated multi-QPU cluster.", "",
            "commands:",
        ]
        + rows + [
            "", "'qlstm COMMAND --help' shows a command's options; 'qlstm --version' prints the version.",
        ]).joined(separator: "\n")
}

@MainActor
func runMain(_ arguments: [String]) async -> Int32 {
    guard let name = arguments.first, !["help", "--help", "-h"].contains(name) else {
        if arguments.count > 1, let command = commands.first(where: { $0.name == arguments[1] }) {
            print(command.help)
        } else {
            print(topLevelHelp())
        }
        return 0
    }
    if name == "--version" || name == "version" {
        print("qlstm \(ProjectVersion.current)")
        return 0
    }
    guard let command = commands.first(where: { $0.name == name }) else {
        let near = Suggestion.nearest(to: name, among: commands.map(\.name), maximumDistance: 2)
        Console.error("qlstm: " + CommandLineError.unknownCommand(name, suggestion: near).description)
        return 2
    }
    let rest = Array(arguments.dropFirst())
    if rest.contains("--help") || rest.contains("-h") {
        print(command.help)
        return 0
    }
    do {
        let options = try ParsedOptions(rest, specs: command.options, command: command.name)
        return try await command.run(options)
    } catch let error as CommandLineError {
        Console.error("qlstm \(command.name): \(error)")
        return 2
    } catch let error where isBadInput(error) {
        Console.error("qlstm \(command.name): \(error)")
        return 2
    } catch {
        Console.error("qlstm \(command.name): error: \(error)")
        return 1
    }
}

/// Errors that say the input (options, files, sizes) is wrong, as opposed to a failure while
/// running: they exit with status 2.
func isBadInput(_ error: any Error) -> Bool {
    error is DatasetError || error is QLSTMError || error is VariationalCircuitError || error is SimulatorError
        || error is RunFileError || error is WarmStartError || error is ForecastError
}

exit(await runMain(Array(CommandLine.arguments.dropFirst())))
