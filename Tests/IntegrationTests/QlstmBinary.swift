import Foundation

/// The release `qlstm` binary that the test command builds before running the tests.
enum QlstmBinary {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var url: URL { packageRoot.appendingPathComponent(".build/release/qlstm") }

    /// What a finished process left behind.
    struct Outcome {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// Runs `qlstm` with `arguments` and waits for it to exit.
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw MissingBinary(path: url.path)
        }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Read both pipes before waiting, so a chatty process cannot block on a full pipe.
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus,
            standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self)
        )
    }

    struct MissingBinary: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "\(path) is missing: run the tests with `swift build -c release && swift test -c release`"
        }
    }

    /// A fresh temporary directory for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qlstm-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
