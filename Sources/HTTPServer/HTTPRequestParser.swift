/// Turns the bytes of a connection into requests: an explicit state machine (head, then body,
/// then the next head) fed whatever each read returns, so a request split across reads at any
/// byte, or several requests in one read (pipelining), come out the same.
///
/// A request's head is reported on its own (`Event.head`) before its body is read, so a server
/// can refuse it (no credentials) or answer `100 Continue` first. Framing is strict, after
/// RFC 9112: CRLF line ends, no whitespace before a header's colon, no obsolete line folding,
/// one `Content-Length` and no `Transfer-Encoding`, so that no two parsers can disagree on
/// where a request ends (request smuggling). After an error the parser stays failed: the
/// connection must close.
public struct HTTPRequestParser: Sendable {
    /// What one request may hold.
    public struct Limits: Sendable, Equatable {
        /// The request line and headers together, CRLFs included.
        public var maxHeadBytes: Int
        public var maxHeaderCount: Int
        public var maxBodyBytes: Int

        public init(maxHeadBytes: Int = 16 << 10, maxHeaderCount: Int = 100, maxBodyBytes: Int = 1 << 20) {
            self.maxHeadBytes = maxHeadBytes
            self.maxHeaderCount = maxHeaderCount
            self.maxBodyBytes = maxBodyBytes
        }
    }

    public enum Event: Sendable, Equatable {
        /// A request's head is complete; its body (of `contentLength` bytes) follows.
        case head(HTTPRequestHead)
        /// The request whose head came last is complete.
        case request(HTTPRequest)
    }

    private enum State: Sendable {
        case head
        case body(HTTPRequestHead)
        case failed(HTTPError)
    }

    public let limits: Limits
    private var buffer: [UInt8] = []
    /// The first byte not yet consumed.
    private var start = 0
    /// In the head state: bytes after `start` already searched for the blank line.
    private var scanned = 0
    private var state = State.head

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Bytes received and not yet consumed by a complete request.
    public var bufferedByteCount: Int { buffer.count - start }

    /// True between requests: no byte of an unfinished request is held.
    public var isIdle: Bool {
        if case .head = state { return start == buffer.count }
        return false
    }

    /// Adds bytes read from the connection.
    public mutating func append(_ bytes: ArraySlice<UInt8>) {
        // Drop what complete requests consumed before the buffer grows again.
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next event the buffered bytes complete, or `nil` when more bytes are needed.
    /// - Throws: `HTTPError` for a request that breaks HTTP/1.1 or `limits`; every later call
    ///   throws it again.
    public mutating func next() throws(HTTPError) -> Event? {
        switch state {
        case .failed(let error):
            throw error
        case .body(let head):
            guard buffer.count - start >= head.contentLength else { return nil }
            let body = Array(buffer[start..<(start + head.contentLength)])
            start += head.contentLength
            state = .head
            return .request(HTTPRequest(head: head, body: body))
        case .head:
            do throws(HTTPError) {
                guard let head = try nextHead() else { return nil }
                state = .body(head)
                return .head(head)
            } catch {
                state = .failed(error)
                throw error
            }
        }
    }

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    /// Parses the head once its blank line has arrived.
    private mutating func nextHead() throws(HTTPError) -> HTTPRequestHead? {
        // Empty lines before a request line are ignored (RFC 9112 §2.2): some clients send a
        // CRLF after a body.
        while buffer.count - start >= 2 && buffer[start] == Self.cr && buffer[start + 1] == Self.lf {
            start += 2
            scanned = 0
        }
        let available = buffer.count - start
        var index = start + max(0, scanned - 3)
        var end: Int?
        while index + 3 < buffer.count {
            if buffer[index] == Self.cr && buffer[index + 1] == Self.lf && buffer[index + 2] == Self.cr
                && buffer[index + 3] == Self.lf
            {
                end = index
                break
            }
            index += 1
        }
        guard let end else {
            scanned = available
            if available > limits.maxHeadBytes { throw .headTooLarge(limit: limits.maxHeadBytes) }
            return nil
        }
        guard end + 4 - start <= limits.maxHeadBytes else { throw .headTooLarge(limit: limits.maxHeadBytes) }
        let head = try Self.parseHead(buffer[start..<end], limits: limits)
        start = end + 4
        scanned = 0
        return head
    }

    /// The request line and header fields of one head (without its final blank line).
    static func parseHead(_ bytes: ArraySlice<UInt8>, limits: Limits) throws(HTTPError) -> HTTPRequestHead {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == cr && index + 1 < bytes.endIndex && bytes[index + 1] == lf {
                lines.append(bytes[lineStart..<index])
                index += 2
                lineStart = index
            } else {
                index += 1
            }
        }
        lines.append(bytes[lineStart..<bytes.endIndex])

        let requestLine = lines[0]
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        let lineText = String(decoding: requestLine.prefix(200), as: UTF8.self)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte), !parts[1].isEmpty,
            parts[1].allSatisfy({ $0 > 0x20 && $0 != 0x7F })
        else {
            throw .malformedRequestLine(lineText)
        }
        let version = String(decoding: parts[2], as: UTF8.self)
        let minorVersion: Int
        switch version {
        case "HTTP/1.1": minorVersion = 1
        case "HTTP/1.0": minorVersion = 0
        default:
            let isVersion =
                version.count == 8 && version.hasPrefix("HTTP/")
                && version.dropFirst(5).enumerated().allSatisfy {
                    $0.offset == 1 ? $0.element == "." : $0.element.isNumber
                }
            throw isVersion ? .unsupportedVersion(version) : .malformedRequestLine(lineText)
        }
        guard let target = originForm(String(decoding: parts[1], as: UTF8.self)) else {
            throw .malformedRequestLine(lineText)
        }

        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard headers.fields.count < limits.maxHeaderCount else {
                throw .tooManyHeaders(limit: limits.maxHeaderCount)
            }
            let text = String(decoding: line.prefix(200), as: UTF8.self)
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                line[..<colon].allSatisfy(isTokenByte),
                line[(colon + 1)...].allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) })
            else {
                throw .malformedHeader(text)
            }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingWhitespace()
            headers.add(name: String(decoding: line[..<colon], as: UTF8.self), value: String(value))
        }

        let method = String(decoding: parts[0], as: UTF8.self)
        let hosts = headers.values(of: "Host")
        if minorVersion == 1 && hosts.isEmpty { throw .missingHost }
        if hosts.count > 1 { throw .malformedHeader("Host: given \(hosts.count) times") }
        if let encoding = headers.values(of: "Transfer-Encoding").first {
            throw .lengthRequired(method: method, transferEncoding: encoding)
        }
        var contentLength = 0
        let lengths = headers.values(of: "Content-Length").flatMap {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        if let first = lengths.first {
            let text = first.trimmingWhitespace()
            guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }),
                lengths.allSatisfy({ $0.trimmingWhitespace() == text }), let length = Int(text)
            else {
                throw .invalidContentLength(headers.values(of: "Content-Length").joined(separator: ", "))
            }
            contentLength = length
        } else if ["POST", "PUT", "PATCH"].contains(method) {
            throw .lengthRequired(method: method, transferEncoding: nil)
        }
        guard contentLength <= limits.maxBodyBytes else {
            throw .bodyTooLarge(length: contentLength, limit: limits.maxBodyBytes)
        }
        return HTTPRequestHead(
            method: method,
            target: target,
            minorVersion: minorVersion,
            headers: headers,
            contentLength: contentLength
        )
    }

    /// A target in origin form (`/path?query`): as it is, or the path and query of an
    /// absolute-form one (`http://host:port/path`), or `*`; `nil` for anything else.
    static func originForm(_ target: String) -> String? {
        if target.hasPrefix("/") || target == "*" { return target }
        for scheme in ["http://", "https://"] where target.lowercased().hasPrefix(scheme) {
            let rest = target.dropFirst(scheme.count)
            guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
            return rest[slash] == "?" ? "/" + rest[slash...] : String(rest[slash...])
        }
        return nil
    }

    /// A `tchar` of RFC 9110 §5.6.2: what method and header names are made of.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
