import COpenSSL

#if canImport(Glibc)
import Glibc
#endif

/// One side's TLS 1.3 settings, loaded and checked once (OpenSSL's `SSL_CTX`); every connection
/// of that side makes its session from it.
///
/// Only TLS 1.3: its handshake always encrypts the certificates and its cipher suites are all
/// AEAD. Session tickets are off, since nobody resumes sessions and tickets would be one more
/// post-handshake message to carry. Thread-safe: after `init` the context is only read
/// (`SSL_new`), which OpenSSL allows from any thread.
public final class TLSContext: @unchecked Sendable {
    /// Which end of the connection this context serves; it decides who verifies whom and how
    /// files and errors are named (`--tls-cert` on a worker, `tls.cert` in cluster.json).
    public enum Role: Sendable {
        case worker
        case coordinator
    }

    public let role: Role
    /// The files it was loaded from, for error messages.
    public let configuration: TLSConfiguration
    let pointer: OpaquePointer

    /// Loads the certificate, key and CA files.
    /// - Throws: `ClusterError.invalidTLSFile` naming the setting, the file, what is wrong and
    ///   how to fix it (missing, not PEM, key not matching the certificate); or
    ///   `.invalidTLSConfiguration` when a worker has no certificate or key, or only one of
    ///   the two is given.
    public init(role: Role, configuration: TLSConfiguration) throws(ClusterError) {
        self.role = role
        self.configuration = configuration
        let names = Self.settingNames(role)
        switch (configuration.certificateFile, configuration.keyFile) {
        case (nil, nil) where role == .worker:
            throw .invalidTLSConfiguration("a worker needs \(names.certificate) and \(names.key) for TLS")
        case (.some, nil), (nil, .some):
            throw .invalidTLSConfiguration("\(names.certificate) and \(names.key) go together: give both or neither")
        default:
            break
        }
        guard let context = SSL_CTX_new(role == .worker ? TLS_server_method() : TLS_client_method()) else {
            throw .invalidTLSConfiguration("OpenSSL cannot make a TLS context: \(Self.lastErrorText())")
        }
        pointer = context
        guard qlstm_SSL_CTX_set_tls13_only(context) == 1 else {
            throw .invalidTLSConfiguration("this OpenSSL cannot restrict TLS to version 1.3: \(Self.lastErrorText())")
        }
        SSL_CTX_set_num_tickets(context, 0)
        if let certificate = configuration.certificateFile, let key = configuration.keyFile {
            try Self.checkReadable(certificate, setting: names.certificate)
            guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1 else {
                throw .invalidTLSFile(
                    setting: names.certificate,
                    path: certificate,
                    reason:
                        "it holds no PEM certificate (\(Self.lastErrorText())): give the certificate file, '-----BEGIN CERTIFICATE-----' first"
                )
            }
            try Self.checkReadable(key, setting: names.key)
            // OpenSSL checks here that the key belongs to the certificate.
            guard SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
                let mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH
                let problem = Self.lastErrorText()
                throw .invalidTLSFile(
                    setting: names.key,
                    path: key,
                    reason: mismatch
                        ? "this key does not belong to the certificate \(certificate): give the key made with it"
                        : "it holds no PEM private key (\(problem)): give the unencrypted key made with the certificate"
                )
            }
        }
        if let ca = configuration.caFile {
            try Self.checkReadable(ca, setting: names.ca)
            guard SSL_CTX_load_verify_locations(context, ca, nil) == 1 else {
                throw .invalidTLSFile(
                    setting: names.ca,
                    path: ca,
                    reason:
                        "it holds no PEM CA certificate (\(Self.lastErrorText())): give the CA's certificate, not its key"
                )
            }
        } else if role == .coordinator {
            SSL_CTX_set_default_verify_paths(context)
        }
        switch role {
        case .coordinator:
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        case .worker where configuration.caFile != nil:
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        case .worker:
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        }
    }

    deinit {
        SSL_CTX_free(pointer)
    }

    /// Whether a worker requires client certificates (mutual TLS).
    public var requiresClientCertificate: Bool { role == .worker && configuration.caFile != nil }

    /// How a user names each file: `qlstm worker` options, or keys of cluster.json.
    static func settingNames(_ role: Role) -> (certificate: String, key: String, ca: String) {
        switch role {
        case .worker: ("--tls-cert", "--tls-key", "--tls-ca")
        case .coordinator: ("tls.cert", "tls.key", "tls.ca")
        }
    }

    /// A clearer message than OpenSSL's for the usual mistake, a wrong path.
    private static func checkReadable(_ path: String, setting: String) throws(ClusterError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .invalidTLSFile(
                setting: setting,
                path: path,
                reason: "cannot open it: \(ClusterError.errnoText(errno)); check the path"
            )
        }
        close(descriptor)
    }

    /// The reason of the most recent OpenSSL error on this thread (the queue is then emptied).
    static func lastErrorText() -> String {
        let code = ERR_peek_last_error()
        defer { ERR_clear_error() }
        guard code != 0, let reason = ERR_reason_error_string(code) else { return "no reason given" }
        return String(cString: reason)
    }
}
