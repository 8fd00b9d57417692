import Dispatch
import Foundation
import Synchronization

/// Ctrl-C (SIGINT) during training: say how to continue, then exit 130 as a shell expects.
///
/// Every epoch is checkpointed atomically, so stopping at once loses at most the epoch in
/// progress; what a user needs is the command that picks the run up again.
enum Interrupt {
    private static let message = Mutex<(@Sendable () -> String)?>(nil)
    private static let source = Mutex<(any DispatchSourceSignal)?>(nil)

    /// From now on, Ctrl-C prints `message()` (evaluated then, so it can name the last
    /// checkpoint) on standard error and exits with status 130.
    static func onInterrupt(_ message: @escaping @Sendable () -> String) {
        self.message.withLock { $0 = message }
        source.withLock { source in
            guard source == nil else { return }
            signal(SIGINT, SIG_IGN)
            let signalSource = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
            signalSource.setEventHandler {
                let text = Interrupt.message.withLock { $0?() } ?? "interrupted"
                // Over a progress line, clear it and start below it.
                let prefix = Console.isInteractive ? "\r\u{1B}[2K\n" : ""
                FileHandle.standardError.write(Data((prefix + text + "\n").utf8))
                exit(130)
            }
            signalSource.resume()
            source = signalSource
        }
    }

    /// The command line as typed, quoted for a POSIX shell where needed, to repeat in messages.
    static var commandLine: String {
        (["qlstm"] + CommandLine.arguments.dropFirst()).map { argument in
            let safe = argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) }
            return safe && !argument.isEmpty
                ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}
