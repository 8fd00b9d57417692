import Cluster

/// What the HTTP layer can fail with: a request that breaks HTTP/1.1 or the server's limits
/// (answered with `status` and a JSON body, then the connection closes, since after a framing
/// error nothing says where the next request starts), or a server that cannot start.
public enum HTTPError: Error, Equatable, CustomStringConvertible {
    /// The request line is not `METHOD SP /target SP HTTP/1.x`.
    case malformedRequestLine(String)
    /// A version other than HTTP/1.0 and HTTP/1.1.
    case unsupportedVersion(String)
    /// The request line and headers together exceed `limit` bytes.
    case headTooLarge(limit: Int)
    /// More than `limit` header fields.
    case tooManyHeaders(limit: Int)
    /// A header line that is not `name: value`, or holds control characters.
    case malformedHeader(String)
    /// An HTTP/1.1 request without `Host` (RFC 9112 §3.2 requires a 400).
    case missingHost
    /// A `Content-Length` that is not one decimal number (or two different ones).
    case invalidContentLength(String)
    /// A request with a body and no `Content-Length`: `Transfer-Encoding` (chunked) is not
    /// accepted, so the size of every body is known before it is read.
    case lengthRequired(method: String, transferEncoding: String?)
    /// `Content-Length` beyond the server's limit: refused before a byte of the body is read.
    case bodyTooLarge(length: Int, limit: Int)
    /// The request did not arrive in time (a client that sends its head a byte at a time must
    /// not hold a connection for ever).
    case requestTimedOut(after: Duration)
    /// The server was asked to listen beyond loopback without authenticating its clients.
    case authenticationRequired(listen: Endpoint)
    /// Listening failed (address in use, a name that does not resolve).
    case listenFailed(ClusterError)
    /// A configuration value out of range.
    case invalidConfiguration(String)

    /// The status a client is answered with, for the errors a request causes.
    public var status: Int? {
        switch self {
        case .malformedRequestLine, .malformedHeader, .missingHost, .invalidContentLength: 400
        case .unsupportedVersion: 505
        case .headTooLarge, .tooManyHeaders: 431
        case .lengthRequired: 411
        case .bodyTooLarge: 413
        case .requestTimedOut: 408
        case .authenticationRequired, .listenFailed, .invalidConfiguration: nil
        }
    }

    public var description: String {
        switch self {
        case .malformedRequestLine(let line):
            "malformed request line '\(line)': expected METHOD /path HTTP/1.1"
        case .unsupportedVersion(let version):
            "\(version) is not supported: this server speaks HTTP/1.1 (and 1.0)"
        case .headTooLarge(let limit):
            "the request line and headers exceed \(limit) bytes"
        case .tooManyHeaders(let limit):
            "more than \(limit) header fields"
        case .malformedHeader(let line):
            "malformed header line '\(line)': expected 'Name: value' without control characters"
        case .missingHost:
            "an HTTP/1.1 request needs a Host header"
        case .invalidContentLength(let value):
            "Content-Length '\(value)' is not a single decimal number"
        case .lengthRequired(let method, let transferEncoding):
            transferEncoding.map {
                "Transfer-Encoding '\($0)' is not accepted: send the body with a Content-Length"
            } ?? "\(method) needs a Content-Length header giving the body's size in bytes"
        case .bodyTooLarge(let length, let limit):
            "the body is \(length) bytes, more than the \(limit) this server accepts (qlstm serve --max-body): send fewer windows per request"
        case .requestTimedOut(let after):
            "the request did not arrive within \(after.secondsText)"
        case .authenticationRequired(let listen):
            "\(listen) is reachable from other machines and no secret is given: give --secret-file to require a bearer token, listen on 127.0.0.1, or give --insecure"
        case .listenFailed(let error):
            "\(error)"
        case .invalidConfiguration(let message):
            message
        }
    }
}

extension Duration {
    /// `10 s`, `0.25 s`: for messages.
    var secondsText: String {
        let (seconds, attoseconds) = components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
