/// The code of an `error` message: what went wrong, and so what the receiver must do next.
///
/// The raw values are the wire codes and never change; 0 is reserved.
public enum ErrorCode: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The frame could not be parsed (bad magic, flags, truncated or over-long payload).
    case malformedFrame = 1
    /// The frame's protocol version is not the receiver's.
    case unsupportedVersion = 2
    /// The message type byte is not one this version defines.
    case unknownMessage = 3
    /// The payload length is above the receiver's limit for this message type.
    case frameTooLarge = 4
    /// A count or length inside the payload is above the receiver's limit.
    case limitExceeded = 5
    /// The peer's MAC is missing or wrong, or the peer cannot prove it knows the shared secret.
    case authenticationFailed = 6
    /// An evaluation or parameter update names circuits that have not been loaded.
    case notLoaded = 7
    /// The request is well formed but invalid: a circuit its constructor refuses, inputs or
    /// parameters of the wrong length, adjoint with shots, an invalid value.
    case badRequest = 8
    /// An evaluation asks for a parameter version other than the one last set.
    case parameterVersionMismatch = 9
    /// A circuit is wider than this worker's qubit capacity.
    case capacityExceeded = 10
    /// The worker is stopping and takes no more requests.
    case shuttingDown = 11
    /// The worker failed for a reason of its own; the request itself may be fine.
    case internalError = 12
    /// A valid message at the wrong time or in the wrong direction (a request before the
    /// handshake completed, a reply sent to a worker).
    case unexpectedMessage = 13

    /// Whether the coordinator may send the same request to another capable worker.
    ///
    /// Requests are idempotent (shot seeds travel in the request), so a request that failed
    /// because of the worker or the connection can be resent; one that failed because of its
    /// own contents would fail everywhere.
    public var isRetryableElsewhere: Bool {
        switch self {
        case .shuttingDown, .internalError, .capacityExceeded, .notLoaded, .parameterVersionMismatch:
            true
        case .malformedFrame, .unsupportedVersion, .unknownMessage, .frameTooLarge, .limitExceeded,
            .authenticationFailed, .badRequest, .unexpectedMessage:
            false
        }
    }

    public var description: String {
        switch self {
        case .malformedFrame: "malformed frame"
        case .unsupportedVersion: "unsupported version"
        case .unknownMessage: "unknown message"
        case .frameTooLarge: "frame too large"
        case .limitExceeded: "limit exceeded"
        case .authenticationFailed: "authentication failed"
        case .notLoaded: "not loaded"
        case .badRequest: "bad request"
        case .parameterVersionMismatch: "parameter version mismatch"
        case .capacityExceeded: "capacity exceeded"
        case .shuttingDown: "shutting down"
        case .internalError: "internal error"
        case .unexpectedMessage: "unexpected message"
        }
    }
}
