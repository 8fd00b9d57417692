/// The one plaintext frame a TLS worker sends before its TLS handshake (PROTOCOL.md §7.1).
///
/// TLS makes the client (the coordinator) speak first, while the plaintext protocol makes the
/// worker speak first; without a word from the worker, a coordinator without TLS and a worker
/// with it would both wait until a timeout. With this frame each side learns at once what the
/// other speaks: a coordinator without TLS reads an ordinary `error` naming the fix, and a
/// coordinator with TLS reads this exact frame where a plaintext worker would have sent `hello`.
public enum TLSPreamble {
    /// What a coordinator without TLS shows its user.
    public static let text =
        "this worker accepts TLS connections only: give the coordinator a \"tls\" object in cluster.json (docs/CLUSTER.md, TLS)"

    /// `error(authenticationFailed, text)` under request id 0.
    public static let message = Message.error(code: .authenticationFailed, message: text)
}
