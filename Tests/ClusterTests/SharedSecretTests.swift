import Cluster
import Foundation
import Testing

@Suite("Shared secrets")
struct SharedSecretTests {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// Writes `contents` to a fresh file with `mode`.
    private func secretFile(_ contents: [UInt8], mode: Int) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("qlstm-secret-\(UUID().uuidString)")
            .path
        _ = FileManager.default.createFile(
            atPath: path,
            contents: Data(contents),
            attributes: [.posixPermissions: mode]
        )
        return path
    }

    @Test("HMAC-SHA256 gives the RFC 4231 test vector")
    func rfc4231() {
        let secret = SharedSecret(bytes: Array("Jefe".utf8))
        let code = secret.authenticationCode(for: Array("what do ya want for nothing?".utf8))
        #expect(hex(code) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(secret.isValid(code, for: Array("what do ya want for nothing?".utf8)))
        var tampered = code
        tampered[31] ^= 1
        #expect(!secret.isValid(tampered, for: Array("what do ya want for nothing?".utf8)))
        #expect(!secret.isValid(Array(code.prefix(16)), for: Array("what do ya want for nothing?".utf8)))
        #expect(!secret.isValid([], for: Array("what do ya want for nothing?".utf8)))
    }

    @Test("a file's secret is its bytes without one trailing newline")
    func readsFile() throws {
        let path = try secretFile(Array("s3cret of 16 bytes\n".utf8), mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try SharedSecret(contentsOfFile: path)
        let message: [UInt8] = [1, 2, 3]
        #expect(
            fromFile.authenticationCode(for: message)
                == SharedSecret(bytes: Array("s3cret of 16 bytes".utf8)).authenticationCode(for: message)
        )
        #expect(!fromFile.description.contains("s3cret"))

        let twoNewlines = try secretFile(Array("s3cret of 16 bytes\n\n".utf8), mode: 0o400)
        defer { try? FileManager.default.removeItem(atPath: twoNewlines) }
        #expect(
            try SharedSecret(contentsOfFile: twoNewlines).authenticationCode(for: message)
                == SharedSecret(bytes: Array("s3cret of 16 bytes\n".utf8)).authenticationCode(for: message)
        )
    }

    @Test(
        "refuses files others may read, empty files and short secrets, saying what to do",
        arguments: [
            (Array("s3cret of 16 bytes".utf8), 0o644, "chmod 600"),
            (Array("s3cret of 16 bytes".utf8), 0o640, "chmod 600"),
            (Array("s3cret of 16 bytes".utf8), 0o604, "chmod 600"),
            ([], 0o600, "empty"),
            (Array("\n".utf8), 0o600, "empty"),
            (
                Array("x".utf8), 0o600,
                "holds 1 bytes, fewer than the 16 a secret needs: write a strong one with 'qlstm secret generate FILE'"
            ),
            (Array("fifteen bytes!!\n".utf8), 0o600, "holds 15 bytes"),
        ] as [([UInt8], Int, String)]
    )
    func refusesFile(contents: [UInt8], mode: Int, advice: String) throws {
        let path = try secretFile(contents, mode: mode)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try SharedSecret(contentsOfFile: path)
        } throws: { error in
            guard let error = error as? ClusterError, case .invalidSecretFile(let named, _) = error else {
                return false
            }
            return named == path && error.description.contains(advice)
        }
    }

    @Test("exactly 16 bytes is enough")
    func sixteenBytes() throws {
        let path = try secretFile(Array("sixteen bytes!!!".utf8), mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: Never.self) { try SharedSecret(contentsOfFile: path) }
    }

    @Test("a generated secret is 32 random bytes in hex, mode 600, and reads back")
    func generates() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("qlstm-gen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("a").path
        let second = directory.appendingPathComponent("b").path
        try SharedSecret.generate(atPath: first)
        try SharedSecret.generate(atPath: second)
        let text = try String(contentsOfFile: first, encoding: .utf8)
        #expect(text.count == 65 && text.hasSuffix("\n"))
        #expect(text.dropLast().allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(text != (try String(contentsOfFile: second, encoding: .utf8)))
        let mode = try FileManager.default.attributesOfItem(atPath: first)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let secret = try SharedSecret(contentsOfFile: first)
        #expect(
            secret.authenticationCode(for: [1])
                == SharedSecret(bytes: Array(text.dropLast().utf8)).authenticationCode(for: [1])
        )
    }

    @Test("generating never overwrites an existing file")
    func generateRefusesExisting() throws {
        let path = try secretFile(Array("the deployed secret, keep me".utf8), mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try SharedSecret.generate(atPath: path)
        } throws: { error in
            "\(error)".contains("already exists")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "the deployed secret, keep me")
    }

    @Test("a missing secret file is refused with its path")
    func missingFile() {
        #expect {
            try SharedSecret(contentsOfFile: "/nonexistent/qlstm-secret")
        } throws: { error in
            "\(error)".contains("/nonexistent/qlstm-secret") && "\(error)".contains("No such file")
        }
    }
}
