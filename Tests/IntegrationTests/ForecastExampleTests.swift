import Foundation
import Testing

/// Examples/Forecast is a separate package that uses QLSTM Cluster as a library by path: it
/// must build from the checkout and train, save, reload and forecast, as its README promises.
@Suite("The library example", .timeLimit(.minutes(20)))
struct ForecastExampleTests {
    @Test("Examples/Forecast builds against the library and trains, saves, reloads and forecasts")
    func forecastExample() throws {
        let root = QlstmBinary.packageRoot
        // Its own scratch folder inside .build: nothing is written into the example's folder.
        let scratch = root.appendingPathComponent(".build/examples/forecast")
        let arguments = [
            "swift", "build", "--package-path", root.appendingPathComponent("Examples/Forecast").path,
            "--scratch-path", scratch.path,
        ]
        var build = try Self.run("/usr/bin/env", arguments)
        if build.status != 0 {
            // An incremental build in this folder can miss source files added to the library
            // since it last ran; a clean one is what a fresh checkout does.
            try? FileManager.default.removeItem(at: scratch)
            build = try Self.run("/usr/bin/env", arguments)
        }
        #expect(build.status == 0, "swift build of Examples/Forecast failed: \(build.output)")
        guard build.status == 0 else { return }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("forecast-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Self.run(scratch.appendingPathComponent("debug/Forecast").path, [directory.path])
        #expect(run.status == 0, "\(run.output)")
        let lines = run.output.split(separator: "\n").map(String.init)
        let r2 = lines.first { $0.hasPrefix("test R^2 ") }.flatMap { Double($0.split(separator: " ")[2].dropLast()) }
        // Three epochs of a 2 x 2 QLSTM on the pendulum: a model that learned something.
        #expect((r2 ?? -1) > 0.5, "\(run.output)")
        let next = lines.first { $0.hasPrefix("next value ") }.flatMap { Double($0.split(separator: " ")[2]) }
        #expect(next?.isFinite == true, "\(run.output)")
        for name in ["model.json", "summary.json", "manifest.json", "metrics.jsonl", "predictions.csv"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), "\(name)")
        }
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
