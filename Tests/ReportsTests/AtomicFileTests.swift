import Foundation
import Reports
import Testing

/// A fresh directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("reports-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    }

    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

@Suite("Atomic file")
struct AtomicFileTests {
    @Test("Writing creates, then replaces the contents and leaves no temporary file")
    func replaces() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("summary.json")
        try AtomicFile.write(Data("first".utf8), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "first")
        try AtomicFile.write("second, longer", to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "second, longer")
        try AtomicFile.write(Data(), to: url)
        #expect(try Data(contentsOf: url).isEmpty)
        #expect(try directory.contents() == ["summary.json"])
    }

    @Test("An existing file keeps its permissions")
    func keepsPermissions() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("model.json")
        try AtomicFile.write("a", to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        try AtomicFile.write("b", to: url)
        let permissions = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }

    @Test("JSON is written pretty-printed with sorted keys")
    func json() throws {
        struct Manifest: Encodable {
            var zeta = 1
            var alpha = "a/b"
        }
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("manifest.json")
        try AtomicFile.writeJSON(Manifest(), to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.replacingOccurrences(of: " ", with: "") == "{\n\"alpha\":\"a/b\",\n\"zeta\":1\n}\n")
    }

    @Test("A missing directory is a clear error naming it")
    func missingDirectory() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.url.appendingPathComponent("no-such-run")
        #expect(throws: ReportError.directoryNotFound(path: missing.path)) {
            try AtomicFile.write(Data("x".utf8), to: missing.appendingPathComponent("summary.json"))
        }
        let error = ReportError.directoryNotFound(path: missing.path)
        #expect(error.description.contains(missing.path))
    }

    @Test("A file where the directory should be is a clear error")
    func notADirectory() throws {
        let directory = try TemporaryDirectory()
        let file = directory.url.appendingPathComponent("plain")
        try AtomicFile.write("x", to: file)
        #expect(throws: ReportError.notADirectory(path: file.path)) {
            try AtomicFile.write("y", to: file.appendingPathComponent("summary.json"))
        }
    }

    @Test("A failed rename leaves the destination and the directory as they were")
    func failedRename() throws {
        let directory = try TemporaryDirectory()
        let destination = directory.url.appendingPathComponent("taken")
        try FileManager.default.createDirectory(
            at: destination.appendingPathComponent("inner"),
            withIntermediateDirectories: true
        )
        #expect(throws: ReportError.self) {
            try AtomicFile.write("x", to: destination)
        }
        #expect(try directory.contents() == ["taken"])
    }
}

@Suite("Atomic file permissions")
struct AtomicFilePermissionTests {
    @Test("A directory that refuses new files is a clear error naming it")
    func notWritable() throws {
        // Root ignores permission bits, so as root a read-only kernel file system stands in.
        let directory = try TemporaryDirectory()
        var target = directory.url
        if geteuid() == 0 {
            guard FileManager.default.fileExists(atPath: "/sys/kernel") else { return }
            target = URL(fileURLWithPath: "/sys/kernel")
        } else {
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory.url.path)
        }
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.url.path) }
        do {
            try AtomicFile.write("x", to: target.appendingPathComponent("summary.json"))
            Issue.record("writing into a read-only directory succeeded")
        } catch {
            guard case .directoryNotWritable(let path, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path == target.path)
            #expect(!reason.isEmpty)
            #expect(error.description.contains(target.path))
        }
    }
}
