import Foundation

/// A subcommand of `qlstm`.
protocol Command: SendableMetatype {
    static var name: String { get }
    static var summary: String { get }
    static var usage: String { get }
    static var options: [OptionSpec] { get }
    /// Runs the command and returns the process exit status.
    static func run(_ options: ParsedOptions) async throws -> Int32
}

/// A command as a value, so the dispatcher needs no existential metatypes.
struct CommandEntry: Sendable {
    let name: String
    let summary: String
    let usage: String
    let options: [OptionSpec]
    let run: @Sendable (ParsedOptions) async throws -> Int32

    init<C: Command>(_ command: C.Type) {
        name = C.name
        summary = C.summary
        usage = C.usage
        options = C.options
        run = { try await C.run($0) }
    }

    var help: String { helpText(usage: usage, summary: summary, specs: options) }
}

/// Output helpers shared by the commands.
enum Console {
    /// Writes one line to standard error.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// True when standard error is a terminal, so progress lines are worth drawing.
    static var isInteractive: Bool { isatty(STDERR_FILENO) != 0 }

    /// The width of the terminal on standard error (80 when it cannot be asked).
    static var terminalColumns: Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    /// Serialises a JSON-compatible value with sorted keys, for output meant for tools.
    static func json(_ object: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
