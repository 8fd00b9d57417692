import Foundation

/// The one-line progress display on a terminal: redrawn in place, silent when standard error is
/// not a terminal (logs and CI stay clean).
struct ProgressLine: Sendable {
    let isActive = Console.isInteractive

    /// Redraws the line.
    func update(_ text: String) {
        guard isActive else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
    }

    /// Ends the line so later output starts on a fresh one.
    func finish() {
        guard isActive else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    /// "1m05s", "42s", "1h02m".
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }
}

/// Lines that say what a command decided on its own (a run reused, resumed or replaced): on
/// standard error whether or not it is a terminal (logs need them most), even with --quiet,
/// which silences only the progress line.
struct Notes: Sendable {
    func note(_ text: String) {
        // Over a progress line being drawn, clear it first so the note starts at column 0.
        let prefix = Console.isInteractive ? "\r\u{1B}[2K" : ""
        FileHandle.standardError.write(Data((prefix + text + "\n").utf8))
    }
}
