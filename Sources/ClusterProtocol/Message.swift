import VariationalCircuits

/// Everything a coordinator and a worker say to each other; one message per frame.
///
/// Directions: `hello`, `welcome`, `acknowledged` and `result` go from worker to coordinator;
/// `authenticate`, `loadCircuits`, `setParameters` and `evaluate` from coordinator to worker;
/// `error`, `ping`, `pong` and `goodbye` either way. `docs/PROTOCOL.md` has the byte layouts.
public enum Message: Sendable, Hashable {
    /// The worker's first frame on every connection.
    case hello(WorkerHello)
    /// The coordinator's answer to `hello`: its own nonce and
    /// HMAC-SHA256(secret, `AuthenticationTranscript.coordinatorProof`), or an empty MAC when it
    /// has no secret.
    case authenticate(nonce: AuthenticationNonce, mac: [UInt8])
    /// The worker's acceptance of `authenticate`: HMAC-SHA256(secret,
    /// `AuthenticationTranscript.workerProof`), or an empty MAC when it has no secret.
    case welcome(mac: [UInt8])
    /// Replaces the connection's circuits; later requests name them by index in this list.
    case loadCircuits([SubVQC])
    /// Replaces every loaded circuit's parameters (`parameters[i]` for circuit `i`).
    case setParameters(version: UInt64, parameters: [[Double]])
    /// Evaluates a batch; answered by `result` with one evaluation per item, in order.
    case evaluate(EvaluationBatch)
    /// The reply to `loadCircuits` and `setParameters`.
    case acknowledged
    /// The reply to `evaluate`: evaluation `k` belongs to item `k`.
    case result(evaluations: [CircuitEvaluation], usage: [SlotUsage])
    /// A refusal or failure; its frame's request id is the request it answers (0 for none).
    case error(code: ErrorCode, message: String)
    /// A liveness check; answered by `pong` with the same nonce and request id.
    case ping(nonce: UInt64)
    case pong(nonce: UInt64)
    /// The sender is closing the connection and will send nothing more.
    case goodbye(reason: String)

    /// The type byte of this message's frame.
    public var type: MessageType {
        switch self {
        case .hello: .hello
        case .authenticate: .authenticate
        case .welcome: .welcome
        case .loadCircuits: .loadCircuits
        case .setParameters: .setParameters
        case .evaluate: .evaluate
        case .acknowledged: .acknowledged
        case .result: .result
        case .error: .error
        case .ping: .ping
        case .pong: .pong
        case .goodbye: .goodbye
        }
    }
}
