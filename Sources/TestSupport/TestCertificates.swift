import Foundation

/// Certificates made at test time with the `openssl` command, in a fresh temporary directory:
/// a CA, a second CA that signed nothing here, and certificates the first CA signed.
///
/// Elliptic-curve keys (P-256), so that making a set takes milliseconds; every key file has
/// mode 600, as `openssl` writes it.
public struct TestCertificates: Sendable {
    /// A certificate file and its key file.
    public struct Pair: Sendable {
        public let certificate: String
        public let key: String
    }

    public let directory: URL
    /// The CA that signed every pair below.
    public let caFile: String
    /// A CA that signed none of them: trusting it instead is "the wrong CA".
    public let otherCAFile: String
    /// `CN=qlstm-worker`, for `localhost`, `127.0.0.1` and `::1`.
    public let worker: Pair
    /// `CN=qlstm-coordinator`, a client certificate for mutual TLS.
    public let client: Pair
    /// The worker's names, but its validity ended a day before it began.
    public let expired: Pair
    /// `CN=qlstm-worker` for `other.example` only: wrong for an address on this machine.
    public let otherName: Pair

    /// Makes the set in a new temporary directory.
    /// - Throws: when `openssl` is missing or fails (its standard error is in the message).
    public static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("qlstm-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        for name in ["ca", "other-ca"] {
            try openssl(
                ["req", "-x509"] + curve
                    + [
                        "-keyout", path("\(name).key"), "-out", path("\(name).pem"), "-days", "30", "-subj",
                        "/CN=qlstm test \(name)",
                    ],
                in: directory
            )
        }
        /// A key and a certificate the CA signs, with `extensions` and `days` of validity.
        func issue(_ name: String, subject: String, extensions: String, days: Int) throws -> Pair {
            let pair = Pair(certificate: path("\(name).pem"), key: path("\(name).key"))
            try openssl(
                ["req", "-new"] + curve + ["-keyout", pair.key, "-out", path("\(name).csr"), "-subj", subject],
                in: directory
            )
            try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
            try openssl(
                [
                    "x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                    "-CAcreateserial", "-days", "\(days)", "-extfile", path("\(name).ext"), "-out", pair.certificate,
                ],
                in: directory
            )
            return pair
        }
        let serverNames = "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n"
        return TestCertificates(
            directory: directory,
            caFile: path("ca.pem"),
            otherCAFile: path("other-ca.pem"),
            worker: try issue("worker", subject: "/CN=qlstm-worker", extensions: serverNames, days: 30),
            client: try issue(
                "client",
                subject: "/CN=qlstm-coordinator",
                extensions: "extendedKeyUsage=clientAuth\n",
                days: 30
            ),
            // OpenSSL 3.0 takes -1 days: the certificate ends before it starts, so it has expired.
            expired: try issue("expired", subject: "/CN=qlstm-worker", extensions: serverNames, days: -1),
            otherName: try issue(
                "other-name",
                subject: "/CN=qlstm-worker",
                extensions: "subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth\n",
                days: 30
            )
        )
    }

    /// Runs `openssl ARGUMENTS` quietly, its standard error into a file of `directory` that is
    /// read only when it fails (no pipe whose end must be awaited while other tests start
    /// processes).
    private static func openssl(_ arguments: [String], in directory: URL) throws {
        let log = directory.appendingPathComponent("openssl.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let errors = try FileHandle(forWritingTo: log)
        defer { try? errors.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CertificateFailure(
                description: "openssl \(arguments.joined(separator: " ")) failed: "
                    + ((try? String(contentsOf: log, encoding: .utf8)) ?? "")
            )
        }
    }

    struct CertificateFailure: Error, CustomStringConvertible {
        let description: String
    }
}
