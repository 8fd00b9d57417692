/// The files of one side's TLS: where its certificate and key are and which CA it trusts.
///
/// For a worker (`qlstm worker --tls-cert --tls-key [--tls-ca]`) the certificate and key are
/// required, and a CA file means coordinators must present a certificate it signed (mutual TLS).
/// For a coordinator (`"tls"` in cluster.json) the CA is what the workers' certificates must be
/// signed by (the system's trusted CAs without it), and the certificate and key, both or
/// neither, are its client certificate for workers that require one.
public struct TLSConfiguration: Sendable, Hashable {
    /// PEM certificates of the CAs the peer's certificate must chain to.
    public var caFile: String?
    /// PEM certificate chain, leaf first.
    public var certificateFile: String?
    /// PEM private key of that certificate.
    public var keyFile: String?

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
}
