import ClusterProtocol

#if canImport(Glibc)
import Glibc
#endif

/// What the cluster layer can fail with, each with what a user can do about it.
///
/// One enum for the whole module (sockets, connections, handshakes, the worker server and the
/// coordinator), so callers match on one type. Payloads carry what a person needs to act: the
/// endpoint, the system call and its errno, the peer and what it said.
public enum ClusterError: Error, Equatable, CustomStringConvertible {
    /// A `host:port` string that cannot be an endpoint.
    case invalidEndpoint(String, reason: String)
    /// `getaddrinfo` could not turn a host name into an address.
    case addressResolution(host: String, message: String)
    /// A system call failed with `errno`; `call` names it (`socket`, `bind`, `send`, ...).
    case systemCall(call: String, errno: Int32)
    /// Binding or listening on a local endpoint failed.
    case listenFailed(Endpoint, errno: Int32)
    /// A connection to a worker could not be made.
    case connectFailed(Endpoint, errno: Int32)
    /// A connection to a worker was not established within the timeout.
    case connectTimedOut(Endpoint, after: Duration)
    /// The connection is closed (by us or by the peer) and can carry no more frames.
    case connectionClosed(peer: String)
    /// The connection broke: the peer reset it or the network failed.
    case connectionLost(peer: String, errno: Int32)
    /// The peer closed the connection in the middle of a frame; the partial frame is discarded.
    case closedMidFrame(peer: String)
    /// The peer sent bytes that are not a valid frame; an `error` frame has been sent and the
    /// connection closed.
    case protocolViolation(peer: String, ProtocolError)
    /// A message to send breaks a protocol limit, so the peer would refuse it.
    case messageTooLarge(ProtocolError)
    /// The peer answered with an `error` frame (its message is escaped when shown: `PeerText`).
    case peerError(peer: String, code: ErrorCode, message: String)
    /// The peer sent a valid message that does not fit the conversation at this point.
    case unexpectedMessage(peer: String, received: MessageType, expected: String)
    /// The peer speaks another protocol version.
    case unsupportedProtocolVersion(peer: String, version: UInt16)
    /// The handshake did not complete within the timeout.
    case handshakeTimedOut(peer: String, after: Duration)
    /// One side could not prove that it knows the shared secret.
    case authenticationFailed(peer: String, reason: String)
    /// The worker turned a connection away: it serves as many as it may, or it is stopping.
    case connectionRefused(peer: String, reason: String)
    /// The worker requires a shared secret and the coordinator has none.
    case workerRequiresSecret(peer: String)
    /// A shared-secret file is missing, empty or readable by others.
    case invalidSecretFile(path: String, reason: String)
    /// A worker configuration value is out of range.
    case invalidWorkerConfiguration(String)
    /// A TLS certificate, key or CA file cannot be used; `setting` names the option or key.
    case invalidTLSFile(setting: String, path: String, reason: String)
    /// TLS settings that do not fit together (a certificate without its key).
    case invalidTLSConfiguration(String)
    /// The TLS session with the peer failed: a refused certificate, a peer that does not speak
    /// TLS (or speaks it where plaintext was expected), a record changed in transit.
    case tlsFailed(peer: String, reason: String)
    /// A worker without a shared secret was asked to listen beyond loopback.
    case secretRequired(listen: Endpoint)

    // The coordinator's cases.

    /// `cluster.json` cannot be read or holds a wrong value.
    case configuration(path: String, problem: String)
    /// The cluster executor has been shut down and takes no more work.
    case shutDown
    /// A worker refused a request for a reason that would fail on every worker (its message is
    /// escaped when shown).
    case workerRefused(worker: String, code: ErrorCode, message: String)
    /// A worker is not connected (or not ready) when a request needs it.
    case workerUnavailable(worker: String)
    /// A worker did not answer a request in time.
    case requestTimedOut(worker: String, seconds: Double)
    /// A worker said goodbye (its reason is escaped when shown).
    case workerLeft(worker: String, reason: String)
    /// A worker's connection broke or stopped answering.
    case workerLost(worker: String, reason: String)
    /// `--verify-fraction` on a run whose results are not deterministic (sampled, or noisy
    /// QPUs), where two honest results differ.
    case verificationNeedsExactResults(reason: String)
    /// No worker able to run the work answered within the waiting bound.
    case noCapableWorker(workers: [String], waitedSeconds: Double)

    // Pinned placement (QPU profiles).

    /// Pinned placement needs every QPU's profile and capacity before the run starts.
    case pinnedWorkersMissing(workers: [String], waitedSeconds: Double)
    /// A worker announces another profile than cluster.json declares for it.
    case profileMismatch(worker: String, announced: String, declared: String)
    /// No QPU is wide enough for a sub-VQC: refused before training.
    case planTooWide(circuit: String, qubits: Int, widest: String, capacity: Int)
    /// A pinned QPU was lost and no ready QPU has its profile to take its sub-VQCs.
    case pinnedQPULost(worker: String, profile: String, circuits: [String], waitedSeconds: Double)

    public var description: String {
        switch self {
        case .invalidEndpoint(let text, let reason):
            "'\(text)' is not a valid endpoint: \(reason); use HOST:PORT such as 127.0.0.1:7000, [::1]:7000 or qpu-a.local:7000"
        case .addressResolution(let host, let message):
            "cannot resolve host '\(host)': \(message); check the name or use an IP address"
        case .systemCall(let call, let code):
            "\(call) failed: \(Self.errnoText(code))"
        case .listenFailed(let endpoint, let code):
            "cannot listen on \(endpoint): \(Self.errnoText(code))"
                + (code == EADDRINUSE ? "; another process uses this port: choose another with --listen" : "")
        case .connectFailed(let endpoint, let code):
            "cannot connect to \(endpoint): \(Self.errnoText(code)); check that 'qlstm worker --listen \(endpoint)' is running there and reachable"
        case .connectTimedOut(let endpoint, let timeout):
            "no connection to \(endpoint) within \(timeout); check the address, the network and any firewall"
        case .connectionClosed(let peer):
            "the connection to \(peer) is closed"
        case .connectionLost(let peer, let code):
            "the connection to \(peer) was lost: \(Self.errnoText(code))"
        case .closedMidFrame(let peer):
            "\(peer) closed the connection in the middle of a frame"
        case .protocolViolation(let peer, let error):
            "\(peer) broke the wire protocol and was disconnected: \(error)"
        case .messageTooLarge(let error):
            "a message breaks a protocol limit and was not sent: \(error)"
        case .peerError(let peer, let code, let message):
            "\(peer) answered \(code): \(PeerText(message))"
        case .unexpectedMessage(let peer, let received, let expected):
            "\(peer) sent \(received) where \(expected) was expected: the peer is not a compatible qlstm"
        case .unsupportedProtocolVersion(let peer, let version):
            "\(peer) speaks protocol version \(version) but this build speaks \(ProtocolVersion.current): run the same qlstm release everywhere"
        case .handshakeTimedOut(let peer, let timeout):
            "\(peer) did not complete the handshake within \(timeout); check that the other side runs the same qlstm release and is not overloaded"
        case .authenticationFailed(let peer, let reason):
            "authentication with \(peer) failed: \(reason)"
        case .connectionRefused(let peer, let reason):
            "\(peer) was turned away: \(reason)"
        case .workerRequiresSecret(let peer):
            "\(peer) requires a shared secret: set secret_file in cluster.json to the worker's --secret-file"
        case .invalidSecretFile(let path, let reason):
            "secret file '\(path)': \(reason)"
        case .invalidWorkerConfiguration(let reason):
            "invalid worker configuration: \(reason)"
        case .invalidTLSFile(let setting, let path, let reason):
            "\(setting) '\(path)': \(reason)"
        case .invalidTLSConfiguration(let reason):
            "invalid TLS settings: \(reason)"
        case .tlsFailed(let peer, let reason):
            "TLS with \(peer) failed: \(reason)"
        case .secretRequired(let listen):
            "without a shared secret a worker listens only on loopback, not \(listen): give --secret-file FILE "
                + "(create one with 'qlstm secret generate FILE'), or --insecure to let anyone who reaches the port use it"
        case .configuration(let path, let problem):
            "\(path): \(problem)"
        case .shutDown:
            "the cluster executor has been shut down"
        case .workerRefused(let worker, let code, let message):
            "worker \(worker) refused the request (\(code)): \(PeerText(message))"
        case .workerUnavailable(let worker):
            "worker \(worker) is not connected"
        case .requestTimedOut(let worker, let seconds):
            "worker \(worker) did not answer within \(seconds) s; raise request_timeout in cluster.json if its batches are that slow"
        case .workerLeft(let worker, let reason):
            "worker \(worker) left: \(PeerText(reason))"
        case .workerLost(let worker, let reason):
            "worker \(worker) was lost: \(reason)"
        case .verificationNeedsExactResults(let reason):
            "--verify-fraction compares exact results of ideal QPUs, and \(reason): drop --verify-fraction, or run with exact expectations on ideal workers"
        case .noCapableWorker(let workers, let waitedSeconds):
            "no capable worker answered within \(waitedSeconds) s; start the workers in cluster.json or fix their addresses: "
                + workers.joined(separator: "; ")
        case .pinnedWorkersMissing(let workers, let waitedSeconds):
            "pinned placement (QPU profiles) needs every QPU at the start, but \(workers.joined(separator: ", ")) did not answer within \(waitedSeconds) s: start them, or remove them from cluster.json"
        case .profileMismatch(let worker, let announced, let declared):
            "worker \(worker) emulates profile \(announced) but cluster.json declares \(declared): start it with --profile \(declared) or fix its \"profile\""
        case .planTooWide(let circuit, let qubits, let widest, let capacity):
            "sub-VQC \(circuit) needs \(qubits) qubits but the widest QPU, \(widest), holds \(capacity): raise --partitions, lower the qubits per part, or add a wider QPU"
        case .pinnedQPULost(let worker, let profile, let circuits, let waitedSeconds):
            "QPU \(worker) (profile \(profile)) was lost and did not come back within \(waitedSeconds) s, and no other QPU has that profile to take over \(circuits.joined(separator: ", ")) (failover keeps a sub-VQC on identical hardware)"
        }
    }

    /// A plan the cluster can never run (a sub-VQC wider than every QPU, a placement naming a
    /// QPU too narrow): bad input, found before training.
    public var isBadPlan: Bool {
        switch self {
        case .planTooWide, .configuration, .verificationNeedsExactResults: true
        default: false
        }
    }

    /// `strerror` text with the symbolic number, such as "Connection refused (errno 111)".
    static func errnoText(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}
