/// A request's line and headers: all a server needs to decide, before reading a body, whether
/// it wants it.
public struct HTTPRequestHead: Sendable, Equatable {
    /// `GET`, `POST`: case-sensitive, as RFC 9110 §9.1 says.
    public var method: String
    /// The request target as sent (`/predict?x=1`); an absolute-form target
    /// (`http://host/predict`) is kept as its path and query.
    public var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var headers: HTTPHeaders
    /// The body's size from `Content-Length` (0 without one).
    public var contentLength: Int

    public init(method: String, target: String, minorVersion: Int = 1, headers: HTTPHeaders, contentLength: Int = 0) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.headers = headers
        self.contentLength = contentLength
    }

    /// The target without its query.
    public var path: Substring { target.prefix { $0 != "?" } }

    /// Whether the client wants the connection kept open after the response: HTTP/1.1 unless it
    /// says `Connection: close`, HTTP/1.0 only when it says `Connection: keep-alive`.
    public var keepAlive: Bool {
        minorVersion >= 1
            ? !headers.contains(token: "close", in: "Connection")
            : headers.contains(token: "keep-alive", in: "Connection")
    }

    /// Whether the client waits for `100 Continue` before sending its body (curl does for
    /// bodies over 1 KiB).
    public var expectsContinue: Bool {
        minorVersion >= 1 && headers.contains(token: "100-continue", in: "Expect")
    }
}

/// A whole request: its head and its body.
public struct HTTPRequest: Sendable, Equatable {
    public var head: HTTPRequestHead
    public var body: [UInt8]

    public init(head: HTTPRequestHead, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }

    public var method: String { head.method }
    public var path: Substring { head.path }
}
