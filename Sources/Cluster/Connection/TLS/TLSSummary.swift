/// What a TLS connection settled on, for `qlstm cluster status` and the worker's log.
public struct TLSSummary: Sendable, Hashable, CustomStringConvertible {
    /// The protocol, such as `TLSv1.3`.
    public var version: String
    /// The cipher suite, such as `TLS_AES_256_GCM_SHA384`.
    public var cipher: String
    /// The subject of the certificate the peer presented (RFC 2253, such as `CN=qpu-a`), or
    /// `nil` when it presented none (a coordinator talking to a worker without `--tls-ca`).
    public var peerSubject: String?

    public init(version: String, cipher: String, peerSubject: String?) {
        self.version = version
        self.cipher = cipher
        self.peerSubject = peerSubject
    }

    /// Such as `TLSv1.3, peer certificate CN=qpu-a`.
    public var description: String {
        "\(version), " + (peerSubject.map { "peer certificate \($0)" } ?? "no peer certificate")
    }
}
