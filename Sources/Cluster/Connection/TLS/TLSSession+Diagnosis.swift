import COpenSSL

/// Why a TLS session failed, in one line that names the cause and the fix from this side's
/// point of view: a coordinator talks about the worker's `--tls-cert` and its own `tls.*` keys,
/// a worker about the coordinator's cluster.json and its own `--tls-*` options.
///
/// OpenSSL reports a refused certificate as a verification result on the side that checked it
/// and as an alert (RFC 8446 §6.2) on the other; both are mapped here.
extension TLSSession {
    /// The failure behind the OpenSSL error queue of this thread (emptied).
    func diagnose() -> ClusterError {
        var reasons: [Int32] = []
        var lastText = "no reason given"
        while case let code = ERR_get_error(), code != 0 {
            if ERR_GET_LIB(code) == ERR_LIB_SSL { reasons.append(ERR_GET_REASON(code)) }
            if let text = ERR_reason_error_string(code) { lastText = String(cString: text) }
        }
        let alerts = SSL_AD_REASON_OFFSET..<(SSL_AD_REASON_OFFSET + 256)
        let reason: String
        if reasons.contains(SSL_R_CERTIFICATE_VERIFY_FAILED) {
            reason = refusedPeerCertificate(SSL_get_verify_result(ssl))
        } else if let alert = reasons.first(where: alerts.contains) {
            reason = peerSentAlert(alert - SSL_AD_REASON_OFFSET)
        } else if reasons.contains(SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
            reason =
                "the coordinator sent no client certificate, and this worker requires one (--tls-ca): set tls.cert and tls.key in the coordinator's cluster.json"
        } else if reasons.contains(SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC) {
            reason =
                "a TLS record from \(peerRole) failed its integrity check: its bytes were changed in transit; the connection is dropped"
        } else if phase == .handshaking {
            reason =
                "the TLS 1.3 handshake failed (\(lastText)): check that \(peerRole) is a qlstm \(peerRole == "the worker" ? "worker started with --tls-cert" : "coordinator with \"tls\" in cluster.json")"
        } else {
            reason = "a TLS record from \(peerRole) could not be read (\(lastText)); the connection is dropped"
        }
        return .tlsFailed(peer: peer, reason: reason)
    }

    /// The other side, as this side's messages name it.
    var peerRole: String { role == .coordinator ? "the worker" : "the coordinator" }

    /// Why the stream ended before the handshake completed.
    var closedDuringHandshake: String {
        switch role {
        case .coordinator:
            "the worker closed the connection during the TLS handshake: its log says why"
        case .worker where !hasReceived:
            "the coordinator closed the connection before starting TLS: this worker takes TLS only, so the coordinator needs a \"tls\" object in cluster.json (a port probe also does this)"
        case .worker:
            "the coordinator closed the connection during the TLS handshake: its error says why"
        }
    }

    /// We checked the peer's certificate and refused it (`X509_V_ERR_*`).
    private func refusedPeerCertificate(_ result: Int) -> String {
        let code = Int32(result)
        let explanation = String(cString: X509_verify_cert_error_string(result))
        let names = TLSContext.settingNames(role)
        switch role {
        case .coordinator:
            // The chain the worker sent is kept even though verifying it failed.
            let leaf = qlstm_SSL_peer_chain_leaf(ssl)
            let subject = leaf.map { Self.subject(of: $0) } ?? "no subject"
            let certificate = "the worker's certificate (\(subject))"
            switch code {
            case X509_V_ERR_CERT_HAS_EXPIRED:
                let date = leaf.map { leaf in Self.text { ASN1_TIME_print($0, X509_get0_notAfter(leaf)) } } ?? "?"
                return "\(certificate) expired on \(date): renew the worker's --tls-cert"
            case X509_V_ERR_CERT_NOT_YET_VALID:
                let date = leaf.map { leaf in Self.text { ASN1_TIME_print($0, X509_get0_notBefore(leaf)) } } ?? "?"
                return "\(certificate) is valid only from \(date): check the clocks of both machines"
            case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
                let host = serverName ?? "?"
                let listed = leaf.map(Self.subjectAlternativeNames) ?? "no names"
                let entry = code == X509_V_ERR_IP_ADDRESS_MISMATCH ? "IP:\(host)" : "DNS:\(host)"
                return
                    "\(certificate) is for \(listed), not \(host): use an address it lists in cluster.json, or reissue the worker's --tls-cert with subjectAltName \(entry)"
            case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
                X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
                X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_SIGNATURE_FAILURE:
                let issuer = leaf.map { Self.name(X509_get_issuer_name($0)) } ?? "an unknown issuer"
                let trusted = configuration.caFile.map { "the CA in \(names.ca) (\($0))" } ?? "a CA this system trusts"
                return
                    "\(certificate), issued by \(issuer), is not signed by \(trusted) (\(explanation)): set \(names.ca) to the CA certificate that signed the worker's --tls-cert"
            default:
                return "\(certificate) was refused: \(explanation)"
            }
        case .worker:
            let certificate = "the coordinator's client certificate (tls.cert in its cluster.json)"
            switch code {
            case X509_V_ERR_CERT_HAS_EXPIRED:
                return "\(certificate) has expired: renew it"
            case X509_V_ERR_CERT_NOT_YET_VALID:
                return "\(certificate) is not valid yet: check the clocks of both machines"
            case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
                X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
                X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_SIGNATURE_FAILURE:
                return
                    "\(certificate) is not signed by the CA in \(names.ca) (\(explanation)): sign it with that CA, or give \(names.ca) the CA that signed it"
            default:
                return "\(certificate) was refused: \(explanation)"
            }
        }
    }

    /// The peer refused something of ours and said so with an alert (RFC 8446 §6).
    private func peerSentAlert(_ alert: Int32) -> String {
        // OpenSSL 3.0 has no text for TLS 1.3's certificate_required (116).
        let name =
            alert == SSL_AD_CERTIFICATE_REQUIRED
            ? "certificate required" : String(cString: SSL_alert_desc_string_long(alert))
        let said = "\(peerRole) sent the TLS alert '\(name)'"
        switch (role, alert) {
        case (_, Int32(SSL_AD_BAD_RECORD_MAC)):
            return
                "\(said): a record it received failed its integrity check, so bytes were changed in transit; the connection is dropped"
        case (.coordinator, Int32(SSL_AD_CERTIFICATE_REQUIRED)):
            return
                "\(said): the worker requires a client certificate (it was started with --tls-ca): set tls.cert and tls.key in cluster.json"
        case (.coordinator, Int32(SSL_AD_UNKNOWN_CA)):
            return
                "\(said): our client certificate (tls.cert) is not signed by the CA of the worker's --tls-ca: sign it with that CA"
        case (.coordinator, Int32(SSL_AD_CERTIFICATE_EXPIRED)):
            return "\(said): our client certificate (tls.cert) has expired: renew it"
        case (.coordinator, _):
            return "\(said): it refused our TLS settings; its log says why"
        case (.worker, Int32(SSL_AD_UNKNOWN_CA)):
            return
                "\(said): it does not trust this worker's certificate; set tls.ca in its cluster.json to the CA that signed --tls-cert"
        case (.worker, Int32(SSL_AD_CERTIFICATE_EXPIRED)):
            return "\(said): this worker's certificate has expired; renew --tls-cert"
        case (.worker, Int32(SSL_AD_BAD_CERTIFICATE)):
            return
                "\(said): it refused this worker's certificate, most often because the certificate does not name the address cluster.json gives for this worker; reissue --tls-cert with that name or IP in subjectAltName"
        case (.worker, _):
            return "\(said): it refused this worker's TLS settings; its error says why"
        }
    }

    /// RFC 2253 text of a certificate's subject, such as `CN=qpu-a,O=Lab`.
    static func subject(of certificate: OpaquePointer) -> String {
        name(X509_get_subject_name(certificate))
    }

    static func name(_ name: OpaquePointer?) -> String {
        guard let name else { return "no name" }
        return text { qlstm_X509_NAME_print_rfc2253($0, name) }
    }

    /// The certificate's subjectAltName entries, such as `DNS:localhost, IP Address:127.0.0.1`.
    static func subjectAlternativeNames(_ certificate: OpaquePointer) -> String {
        let index = X509_get_ext_by_NID(certificate, NID_subject_alt_name, -1)
        guard index >= 0, let entry = X509_get_ext(certificate, index) else { return "no subjectAltName" }
        return text { X509V3_EXT_print($0, entry, 0, 0) }
    }

    /// What `print` writes into a memory BIO, as one line of text.
    ///
    /// Control characters are escaped (`\x0A`): a certificate that failed verification is the
    /// peer's word, and its names must not break an error or log line in two.
    static func text(_ print: (OpaquePointer) -> Int32) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "?" }
        defer { BIO_free(bio) }
        _ = print(bio)
        let count = Int(BIO_ctrl_pending(bio))
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, read in
            read = Int(max(0, BIO_read(bio, buffer.baseAddress, Int32(count))))
        }
        return String(decoding: bytes, as: UTF8.self).unicodeScalars.map { scalar in
            guard scalar.value < 0x20 || scalar.value == 0x7F else { return String(scalar) }
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "\\x" + (hex.count < 2 ? "0" + hex : hex)
        }.joined()
    }
}
