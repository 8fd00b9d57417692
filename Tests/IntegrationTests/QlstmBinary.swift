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
    /// - Throws: `MissingBinary` or `StaleBinary`: a test of an old binary proves nothing about
    ///   the sources.
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> Outcome {
        try checkBinary()
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

    /// Refuses a missing binary, and one older than any source file or Package.swift (checked
    /// once per test process).
    static func checkBinary() throws {
        try binaryCheck.get()
    }

    private static let binaryCheck = Result<Void, any Error>(catching: {
        guard FileManager.default.isExecutableFile(atPath: url.path) else { throw MissingBinary(path: url.path) }
        if let source = newerSource(than: url, under: packageRoot) {
            throw StaleBinary(binary: url.path, source: source.path)
        }
    })

    /// A file among `root`'s Package.swift and Sources/**/*.swift modified after `binary`, if any.
    static func newerSource(than binary: URL, under root: URL) -> URL? {
        let built = modificationDate(of: binary) ?? .distantPast
        var candidates = [root.appendingPathComponent("Package.swift")]
        let sources = root.appendingPathComponent("Sources")
        if let walker = FileManager.default.enumerator(
            at: sources,
            includingPropertiesForKeys: [.contentModificationDateKey]
        ) {
            for case let file as URL in walker where file.pathExtension == "swift" { candidates.append(file) }
        }
        return candidates.first { (modificationDate(of: $0) ?? .distantPast) > built }
    }

    private static func modificationDate(of url: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
    }

    struct StaleBinary: Error, CustomStringConvertible {
        let binary: String
        let source: String
        var description: String {
            "\(binary) is older than \(source): rebuild it: `swift test -c release` builds it before the tests (or `swift build -c release --product qlstm`)"
        }
    }

    struct MissingBinary: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "\(path) is missing: run the tests with `swift test -c release`, which builds it"
        }
    }

    /// A fresh temporary directory for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qlstm-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
