import Testing

@testable import HTTPServer

@Suite("HTTP/1.1 request parser")
struct HTTPRequestParserTests {
    /// Every request of `bytes`, fed in the given chunks.
    static func requests(
        _ bytes: [UInt8],
        chunks: [Int],
        limits: HTTPRequestParser.Limits = .init()
    ) throws
        -> [HTTPRequest]
    {
        var parser = HTTPRequestParser(limits: limits)
        var requests: [HTTPRequest] = []
        var offset = 0
        for size in chunks + [bytes.count] {
            let end = min(bytes.count, offset + size)
            parser.append(bytes[offset..<end])
            offset = end
            while let event = try parser.next() {
                if case .request(let request) = event { requests.append(request) }
            }
            if offset == bytes.count { break }
        }
        return requests
    }

    static let pipelined = Array(
        ("POST /predict HTTP/1.1\r\nHost: a\r\nContent-Length: 13\r\n\r\n{\"windows\":1}"
            + "GET /health HTTP/1.1\r\nHost: a\r\n\r\n"
            + "\r\nPOST /x?y=1 HTTP/1.0\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc").utf8
    )

    @Test("three pipelined requests come out the same however the bytes are split")
    func splitAtEveryByte() throws {
        let whole = try Self.requests(Self.pipelined, chunks: [])
        #expect(whole.map(\.method) == ["POST", "GET", "POST"])
        #expect(whole.map { String($0.path) } == ["/predict", "/health", "/x"])
        #expect(whole[0].body == Array("{\"windows\":1}".utf8))
        #expect(whole[1].body.isEmpty)
        #expect(whole[2].body == Array("abc".utf8))
        #expect(whole[2].head.minorVersion == 0 && whole[2].head.keepAlive)
        #expect(whole[0].head.headers["content-length"] == "13")
        for split in 1..<Self.pipelined.count {
            #expect(try Self.requests(Self.pipelined, chunks: [split]) == whole, "split at \(split)")
        }
        #expect(try Self.requests(Self.pipelined, chunks: Array(repeating: 1, count: Self.pipelined.count)) == whole)
    }

    @Test("the head is reported before its body arrives, and the parser is idle only between requests")
    func headFirst() throws {
        var parser = HTTPRequestParser()
        #expect(parser.isIdle)
        parser.append(
            Array("POST /p HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8)[...]
        )
        #expect(!parser.isIdle)
        guard case .head(let head) = try parser.next() else {
            Issue.record("no head")
            return
        }
        #expect(head.expectsContinue && head.contentLength == 2)
        #expect(try parser.next() == nil)
        parser.append(Array("ok".utf8)[...])
        guard case .request(let request) = try parser.next() else {
            Issue.record("no request")
            return
        }
        #expect(request.body == Array("ok".utf8))
        #expect(parser.isIdle)
    }

    @Test("keep-alive by version and Connection; absolute-form targets keep their path")
    func connectionSemantics() throws {
        func head(_ text: String) throws -> HTTPRequestHead {
            try HTTPRequestParser.parseHead(Array(text.utf8)[...], limits: .init())
        }
        #expect(try head("GET / HTTP/1.1\r\nHost: a").keepAlive)
        #expect(try !head("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close").keepAlive)
        #expect(try !head("GET / HTTP/1.0").keepAlive)
        #expect(try head("GET / HTTP/1.0\r\nConnection: Keep-Alive").keepAlive)
        #expect(try head("GET http://h:80/health?x HTTP/1.1\r\nHost: h").target == "/health?x")
        #expect(try head("GET http://h HTTP/1.1\r\nHost: h").target == "/")
        #expect(try head("GET /a HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Pad:  v \t").headers["x-pad"] == "v")
    }

    @Test(
        "bad requests are refused with the status that says why",
        arguments: [
            ("GET / HTTP/1.1\r\n\r\n", 400, "Host"),
            ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "HTTP/2.0"),
            ("GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400, "request line"),
            ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "request line"),
            ("GET relative HTTP/1.1\r\nHost: a\r\n\r\n", 400, "request line"),
            ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "request line"),
            ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "header line"),
            ("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400, "header line"),
            ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1}b\r\n\r\n", 400, "header line"),
            ("GET / HTTP/1.1\r\nHost: a\r\nX: a\nb\r\n\r\n", 400, "header line"),
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "Host"),
            ("POST / HTTP/1.1\r\nHost: a\r\n\r\n", 411, "Content-Length"),
            ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 411, "chunked"),
            ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 411, "chunked"),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400, "Content-Length"),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1e3\r\n\r\n", 400, "Content-Length"),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400, "Content-Length"),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400, "Content-Length"),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1025\r\n\r\n", 413, "1025 bytes"),
        ]
    )
    func badRequests(raw: String, status: Int, mentions: String) throws {
        var parser = HTTPRequestParser(limits: .init(maxBodyBytes: 1024))
        parser.append(Array(raw.utf8)[...])
        do {
            _ = try parser.next()
            Issue.record("accepted: \(raw.debugDescription)")
        } catch {
            #expect(error.status == status, "\(error)")
            #expect(error.description.contains(mentions), "\(error)")
            // A failed parser stays failed: the connection must close.
            parser.append(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)[...])
            #expect(throws: error) { try parser.next() }
        }
    }

    @Test("a head over the limit is refused before its blank line arrives; so are too many fields")
    func headLimits() throws {
        var parser = HTTPRequestParser(limits: .init(maxHeadBytes: 100))
        parser.append(Array(("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: 100)).utf8)[...])
        #expect(throws: HTTPError.headTooLarge(limit: 100)) { try parser.next() }

        var fields = HTTPRequestParser(limits: .init(maxHeaderCount: 3))
        fields.append(Array("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n".utf8)[...])
        #expect(throws: HTTPError.tooManyHeaders(limit: 3)) { try fields.next() }
    }
}
