import Foundation
import Synchronization

/// The one-line progress display on a terminal: redrawn in place, silent when standard error is
/// not a terminal (logs and CI stay clean).
///
/// Several tasks feed it: the run in progress (its epoch and losses), `compare`'s overall bar
/// and the cluster watch (workers lost, retried, waited for). Each owns one segment, and every
/// change redraws the whole line, cut to the terminal's width so it never wraps (a wrapped
/// line cannot be redrawn in place).
final class ProgressLine: Sendable {
    let isActive = Console.isInteractive

    private struct Segments {
        var overall: String?
        var run = ""
        var status: String?
    }

    private let segments = Mutex(Segments())

    /// Replaces the run segment: what the current run is doing.
    func update(_ text: String) {
        segments.withLock { $0.run = text }
        redraw()
    }

    /// Replaces the overall segment (a whole `compare`'s bar and ETA); `nil` removes it.
    func setOverall(_ text: String?) {
        segments.withLock { $0.overall = text }
        redraw()
    }

    /// Replaces the status segment (the cluster's trouble); `nil` removes it.
    func setStatus(_ text: String?) {
        let changed = segments.withLock { segments -> Bool in
            defer { segments.status = text }
            return segments.status != text
        }
        if changed { redraw() }
    }

    /// Ends the line so later output starts on a fresh one; the run segment starts empty.
    func finish() {
        guard isActive else { return }
        segments.withLock { $0.run = "" }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func redraw() {
        guard isActive else { return }
        let text = segments.withLock { segments in
            ([segments.overall, segments.run, segments.status.map { "| " + $0 }] as [String?])
                .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "  ")
        }
        let width = Console.terminalColumns
        let fitted = text.count < width ? text : String(text.prefix(max(1, width - 2))) + "…"
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + fitted).utf8))
    }

    /// "1m05s", "42s", "1h02m".
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }

    /// `[#####-----] 48 %` for a fraction done.
    static func bar(_ fraction: Double, width: Int = 20) -> String {
        let clamped = min(max(fraction, 0), 1)
        let filled = Int((clamped * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            + "\(Int((clamped * 100).rounded(.down))) %"
    }
}

/// Lines that say what a command decided on its own (a run reused, resumed or replaced) or what
/// happened to it (a worker lost): on standard error whether or not it is a terminal (logs
/// need them most), even with --quiet, which silences only the progress line.
struct Notes: Sendable {
    func note(_ text: String) {
        // Over a progress line being drawn, clear it first so the note starts at column 0.
        let prefix = Console.isInteractive ? "\r\u{1B}[2K" : ""
        FileHandle.standardError.write(Data((prefix + text + "\n").utf8))
    }
}
