import COpenSSL
import ClusterProtocol

#if canImport(Glibc)
import Glibc
#endif

/// One connection's TLS 1.3 state. OpenSSL reads ciphertext from and writes it to memory
/// buffers, never the socket: the connection keeps its own I/O (frames sent from the caller's
/// thread, a reader thread) and only passes bytes through here.
///
/// OpenSSL's `SSL` object must not be used from two threads at once, and records must reach
/// the socket in the order they were sealed (each carries a sequence number), so the owner
/// (`PeerConnection`) calls every method under the one lock that also orders its writes.
///
/// The session begins with `start()`: a worker sends the plaintext preamble (`TLSPreamble`),
/// a coordinator its ClientHello. Received bytes go to `open(_:into:)`, which finishes the
/// handshake, decrypts into the frame decoder and says what to send back (handshake messages,
/// alerts). Frames to send go through `seal(_:)` once the handshake is complete.
final class TLSSession {
    enum Phase {
        /// A coordinator reads the worker's plaintext preamble; TLS records follow it.
        case awaitingPreamble
        case handshaking
        case established
        /// The peer sent `close_notify`: nothing more comes from it.
        case closedByPeer
        case failed
    }

    /// What `open(_:into:)` did with one chunk of received bytes.
    struct Opened {
        /// TLS bytes to send to the peer, in order, before any later frame.
        var output: [UInt8] = []
        /// The handshake completed during this call.
        var isNewlyEstablished = false
        /// The session failed (a refused certificate, a record changed in transit); `output`
        /// then holds the alert that tells the peer.
        var failure: ClusterError?
    }

    /// The exporter label of the value the shared-secret MACs include (PROTOCOL.md §7.1).
    static let channelBindingLabel = Array("EXPORTER-qlstm-auth".utf8)
    static let channelBindingLength = 32

    let role: TLSContext.Role
    let configuration: TLSConfiguration
    /// The peer's address, for errors.
    let peer: String
    /// The worker's host as cluster.json names it, which its certificate must match
    /// (coordinator only).
    let serverName: String?
    let ssl: OpaquePointer
    /// Ciphertext from the peer, read by OpenSSL (owned by `ssl`).
    private let incoming: OpaquePointer
    /// Ciphertext for the peer, written by OpenSSL (owned by `ssl`).
    private let outgoing: OpaquePointer
    private(set) var phase: Phase
    private var preamble = FrameDecoder(limits: ProtocolLimits.standard.forHandshake)
    private var preambleBytes: [UInt8] = []
    /// Whether the peer sent anything: a worker tells a port probe or a coordinator without
    /// TLS (which closes after the preamble) from one that broke off its handshake.
    private(set) var hasReceived = false
    /// Decrypted bytes, one record (at most 16 KiB) at a time, on their way to the decoder.
    private var plaintext = [UInt8](repeating: 0, count: 16 << 10)
    /// `SSL_export_keying_material` under `channelBindingLabel`, once established.
    private(set) var channelBinding: [UInt8] = []
    private(set) var summary: TLSSummary?

    /// A session for one new connection.
    /// - Parameters:
    ///   - context: this side's settings; its role decides who speaks first and who verifies.
    ///   - serverName: for a coordinator, the worker's host (a name or an IP literal) that its
    ///     certificate must name.
    ///   - peer: the peer's address, for errors.
    init(context: TLSContext, serverName: String?, peer: String) {
        role = context.role
        configuration = context.configuration
        self.peer = peer
        self.serverName = serverName
        // These fail only without memory, which nothing here could recover from.
        guard let ssl = SSL_new(context.pointer), let incoming = BIO_new(BIO_s_mem()),
            let outgoing = BIO_new(BIO_s_mem())
        else { fatalError("OpenSSL cannot make a TLS session: \(TLSContext.lastErrorText())") }
        SSL_set_bio(ssl, incoming, outgoing)
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
        switch role {
        case .worker:
            SSL_set_accept_state(ssl)
            phase = .handshaking
        case .coordinator:
            SSL_set_connect_state(ssl)
            phase = .awaitingPreamble
            if let serverName { expect(serverName) }
        }
    }

    deinit {
        SSL_free(ssl)
    }

    /// Makes verification check that the worker's certificate names `host`: an IP address
    /// against its IP entries, a name against its DNS entries (and sent as SNI).
    private func expect(_ host: String) {
        // An IPv6 zone (`fe80::1%eth0`) names a local interface, not part of the certificate.
        let address = String(host.prefix { $0 != "%" })
        var scratch = [UInt8](repeating: 0, count: 16)
        let isAddress = inet_pton(AF_INET, address, &scratch) == 1 || inet_pton(AF_INET6, address, &scratch) == 1
        let set =
            isAddress
            ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), address) == 1
            : SSL_set1_host(ssl, host) == 1 && qlstm_SSL_set_server_name(ssl, host) == 1
        // An endpoint's host is a parsed address or a name of letters, digits, '-', '.' and
        // '_', which OpenSSL always takes; it fails only without memory.
        precondition(set, "OpenSSL cannot expect '\(host)' in certificates: \(TLSContext.lastErrorText())")
    }

    /// What goes to the peer first: a worker's preamble, a coordinator's ClientHello.
    func start() -> [UInt8] {
        switch role {
        case .worker:
            return FrameEncoder().encode(TLSPreamble.message, requestID: 0)
        case .coordinator:
            ERR_clear_error()
            _ = SSL_do_handshake(ssl)
            return drainOutgoing()
        }
    }

    /// Encrypts `bytes` (whole frames) into TLS records.
    /// - Throws: `ClusterError.connectionClosed` before the handshake has completed or after
    ///   the session failed; `.tlsFailed` if OpenSSL refuses.
    func seal(_ bytes: [UInt8]) throws(ClusterError) -> [UInt8] {
        guard phase == .established || phase == .closedByPeer else { throw .connectionClosed(peer: peer) }
        ERR_clear_error()
        var written = 0
        let status = bytes.withUnsafeBytes { SSL_write_ex(ssl, $0.baseAddress, $0.count, &written) }
        guard status == 1, written == bytes.count else {
            phase = .failed
            throw .tlsFailed(peer: peer, reason: "cannot encrypt a frame: \(TLSContext.lastErrorText())")
        }
        return drainOutgoing()
    }

    /// Takes bytes received from the peer: the preamble, handshake messages, then records whose
    /// plaintext is appended to `decoder`.
    func open(_ bytes: ArraySlice<UInt8>, into decoder: inout FrameDecoder) -> Opened {
        var opened = Opened()
        hasReceived = true
        var records = bytes
        if phase == .awaitingPreamble {
            do throws(ClusterError) {
                guard let rest = try readPreamble(bytes) else { return opened }
                records = rest
                phase = .handshaking
            } catch {
                phase = .failed
                opened.failure = error
                return opened
            }
        }
        guard phase == .handshaking || phase == .established else { return opened }
        if !records.isEmpty {
            _ = records.withUnsafeBytes { BIO_write(incoming, $0.baseAddress, Int32($0.count)) }
        }
        ERR_clear_error()
        if phase == .handshaking {
            let status = SSL_do_handshake(ssl)
            guard status == 1 else {
                if SSL_get_error(ssl, status) != SSL_ERROR_WANT_READ {
                    opened.failure = diagnose()
                    phase = .failed
                }
                opened.output = drainOutgoing()
                return opened
            }
            establish()
            opened.isNewlyEstablished = true
        }
        decrypting: while true {
            var count = 0
            let status = plaintext.withUnsafeMutableBytes { SSL_read_ex(ssl, $0.baseAddress, $0.count, &count) }
            if status == 1 {
                decoder.append(plaintext[0..<count])
                continue
            }
            switch SSL_get_error(ssl, status) {
            case SSL_ERROR_WANT_READ:
                break decrypting
            case SSL_ERROR_ZERO_RETURN:
                phase = .closedByPeer
                break decrypting
            default:
                opened.failure = diagnose()
                phase = .failed
                break decrypting
            }
        }
        opened.output = drainOutgoing()
        return opened
    }

    /// The failure to report when the stream ends now, or `nil` when ending here is normal
    /// (after the handshake, where the frame decoder judges the end).
    func endOfStream() -> ClusterError? {
        switch phase {
        case .awaitingPreamble, .handshaking:
            phase = .failed
            return .tlsFailed(peer: peer, reason: closedDuringHandshake)
        case .established, .closedByPeer, .failed:
            return nil
        }
    }

    /// The `close_notify` alert that ends our side of the session, or nothing when there is no
    /// session to end.
    func closeNotify() -> [UInt8] {
        guard phase == .established || phase == .closedByPeer else { return [] }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        return drainOutgoing()
    }

    /// Reads the worker's preamble out of the first bytes.
    /// - Returns: the bytes after it (the first TLS records), or `nil` until it is complete.
    /// - Throws: `ClusterError.tlsFailed` when the worker speaks plaintext, or `.peerError`
    ///   when it refuses the connection (too many, stopping) before any TLS.
    private func readPreamble(_ bytes: ArraySlice<UInt8>) throws(ClusterError) -> ArraySlice<UInt8>? {
        preambleBytes.append(contentsOf: bytes)
        preamble.append(bytes)
        let frame: (requestID: UInt64, message: Message)?
        do {
            frame = try preamble.next()
        } catch {
            throw .tlsFailed(
                peer: peer,
                reason:
                    "the peer sent '\(error)' where a qlstm worker's first frame belongs: check the address in cluster.json"
            )
        }
        guard let frame else { return nil }
        switch frame.message {
        case TLSPreamble.message:
            defer { preambleBytes = [] }
            return preambleBytes.suffix(preamble.bufferedByteCount)
        // A plaintext worker sends hello, or, when our ClientHello reached it first, refuses it
        // as a malformed frame; a TLS worker sends neither before the preamble.
        case .hello, .error(.malformedFrame, _):
            throw .tlsFailed(
                peer: peer,
                reason:
                    "the worker speaks plaintext, but cluster.json asks for TLS: start the worker with --tls-cert FILE --tls-key FILE, or remove \"tls\" for it from cluster.json"
            )
        case .error(let code, let message):
            throw .peerError(peer: peer, code: code, message: message)
        default:
            throw .unexpectedMessage(peer: peer, received: frame.message.type, expected: "hello")
        }
    }

    private func establish() {
        phase = .established
        var binding = [UInt8](repeating: 0, count: Self.channelBindingLength)
        let exported = binding.withUnsafeMutableBufferPointer { output in
            Self.channelBindingLabel.withUnsafeBufferPointer { label in
                label.withMemoryRebound(to: CChar.self) { label in
                    SSL_export_keying_material(
                        ssl,
                        output.baseAddress,
                        output.count,
                        label.baseAddress,
                        label.count,
                        nil,
                        0,
                        0
                    )
                }
            }
        }
        // TLS 1.3 always has an exporter secret once the handshake is complete.
        precondition(exported == 1, "SSL_export_keying_material failed after a TLS 1.3 handshake")
        channelBinding = binding
        summary = TLSSummary(
            version: String(cString: SSL_get_version(ssl)),
            cipher: String(cString: SSL_CIPHER_get_name(SSL_get_current_cipher(ssl))),
            peerSubject: SSL_get0_peer_certificate(ssl).map { Self.subject(of: $0) }
        )
    }

    /// Everything OpenSSL has written for the peer since the last call.
    private func drainOutgoing() -> [UInt8] {
        let pending = Int(BIO_ctrl_pending(outgoing))
        guard pending > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: pending) { buffer, count in
            count = Int(max(0, BIO_read(outgoing, buffer.baseAddress, Int32(pending))))
        }
    }
}
