import Foundation
import Testing

/// The comparison report concludes: intervals, per-seed values, R^2 against qubits, time,
/// resources, bands and residuals; and its HTML renders in a real browser.
@Suite("the comparison report", .serialized, .timeLimit(.minutes(5)))
struct ReportTests {
    /// Headless Chromium from the distribution's packages, when installed.
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Whether Chromium is installed; says so in the log when it is not, so the skip is read,
    /// not only counted.
    static func browserFound() -> Bool {
        if chromium == nil {
            print("ReportTests: headless Chromium not found (apt-get install chromium): the browser check is skipped")
        }
        return chromium != nil
    }

    /// A small comparison of every kind of model over `seeds` seeds.
    static func compare(seeds: Int) throws -> URL {
        let out = try QlstmBinary.temporaryDirectory().appendingPathComponent("report")
        let outcome = try QlstmBinary.run([
            "compare", "--qubits", "3,4", "--distributed", "2x3", "--with-lstm", "--ablation", "--epochs", "3",
            "--depth", "2", "--seeds", "\(seeds)", "--quiet", "--out", out.path,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        return out
    }

    @Test("Conclusions with Welch intervals, per-seed values, time, resources and every chart")
    func concludes() throws {
        let out = try Self.compare(seeds: 2)
        let markdown = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        for text in [
            "## Conclusions", "Chosen on validation:",
            "Distributed QLSTM (2 x 3 qubits) against Centric QLSTM (3 qubits): test R^2",
            "against Classical LSTM (hidden 5)", "against Ablation", "95 % interval", "degrees of freedom",
            "## Per-seed values", "## Training time", "transport and queues", "## Resources (the paper's eqs. 10-12)",
            "Every run executed exactly the estimated number of circuits", "P_gates (eq. 11)",
            "Protocol: this project's", "trained 2 times (seeds 0 to 1)",
        ] {
            #expect(markdown.contains(text), "report.md lacks \(text)")
        }
        // One per-seed line per run, each naming its run directory.
        #expect(markdown.components(separatedBy: "| runs/").count - 1 == 10)
        // No "time(s)" plurals ("train time (s)", a unit, is fine), no "1 seeds".
        #expect(markdown.range(of: #"[a-z]\(s\)"#, options: .regularExpression) == nil)
        for plural in [" 1 slots", " 1 seeds", " 1 epochs", " 1 times"] {
            #expect(!markdown.contains(plural), "report.md has \(plural)")
        }
        for name in [
            "r2-qubits.svg", "loss-curves.svg", "validation-loss.svg", "predictions.svg", "residuals.svg",
        ] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name) missing")
        }
        // Loss curves are a mean with a band per model, not a line per run.
        let loss = try String(contentsOf: out.appendingPathComponent("loss-curves.svg"), encoding: .utf8)
        #expect(loss.components(separatedBy: "fill-opacity").count - 1 == 5)
        let r2 = try String(contentsOf: out.appendingPathComponent("r2-qubits.svg"), encoding: .utf8)
        #expect(r2.contains("centric (1 QPU)") && r2.contains("distributed (2 QPUs)") && r2.contains("classical LSTM"))
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("white-space: nowrap") && html.contains("class=\"figures\""))
    }

    @Test("with one seed the conclusions say no interval is possible")
    func oneSeed() throws {
        let out = try Self.compare(seeds: 1)
        let markdown = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("no interval is possible"), "\(markdown)")
        #expect(markdown.contains("trained 1 time (seed 0)") && markdown.contains("over 1 seed"))
    }

    @Test("no paper figures for NARMA-2 or NARMA-10, whose figures the paper does not have")
    func paperColumnsOnlyWithPaperFigures() throws {
        let out = try QlstmBinary.temporaryDirectory().appendingPathComponent("narma10")
        let outcome = try QlstmBinary.run([
            "compare", "--task", "narma10", "--qubits", "3", "--distributed", "2x3", "--epochs", "1", "--depth", "1",
            "--seeds", "1", "--quiet", "--out", out.path,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let markdown = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(!markdown.contains("(paper)") && !markdown.contains("0.7523"))
    }

    @Test(
        "report.html renders in headless Chromium: a screenshot of sane size",
        .enabled(if: browserFound(), "headless Chromium is absent: install the chromium package to run this test")
    )
    func rendersInChromium() throws {
        let out = try Self.compare(seeds: 2)
        let shot = out.appendingPathComponent("report.png")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.chromium))
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1600,2400",
            "--screenshot=\(shot.path)", out.appendingPathComponent("report.html").absoluteString,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let png = try Data(contentsOf: shot)
        // The PNG signature, then the IHDR chunk's width and height (big-endian).
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        let bytes = [UInt8](png)
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1600 && height == 2400, "\(width) x \(height)")
        // A blank page compresses to a few kilobytes; tables, text and charts do not.
        #expect(png.count > 60_000, "\(png.count) bytes")
    }
}
