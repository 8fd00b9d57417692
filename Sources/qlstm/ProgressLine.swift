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
