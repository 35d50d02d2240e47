import HTTPCore
import Testing

@testable import EmulatorServer

@Suite struct HTTPRequestParserTests {
    /// Feeds `text` one byte at a time and collects every event.
    func events(_ text: String, parser: inout HTTPRequestParser) throws(HTTPParseError) -> [HTTPRequestParser.Event] {
        var events: [HTTPRequestParser.Event] = []
        for byte in text.utf8 {
            parser.feed(CollectionOfOne(byte))
            while let event = try parser.next() { events.append(event) }
        }
        return events
    }

    func requests(_ text: String) throws(HTTPParseError) -> [ParsedRequest] {
        var parser = HTTPRequestParser()
        return try events(text, parser: &parser).compactMap {
            if case .request(let request) = $0 { request } else { nil }
        }
    }

    func error(_ text: String, parser: HTTPRequestParser = HTTPRequestParser()) -> HTTPParseError? {
        var parser = parser
        do {
            _ = try events(text, parser: &parser)
            return nil
        } catch {
            return error
        }
    }

    @Test func pipelinedRequestsFedOneByteAtATime() throws {
        let text =
            "\r\nPOST /api/users?x=1 HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"
            + "PUT /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-Twice: a\r\nx-twice: b\r\nX-Twice: c\r\n\r\n"
            + "3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nTrailer: t\r\n\r\n"
            + "GET / HTTP/1.1\nConnection: close\n\n"
        let parsed = try requests(text)
        try #require(parsed.count == 3)

        #expect(parsed[0].head.method == "POST")
        #expect(parsed[0].head.target == "/api/users?x=1")
        #expect(parsed[0].head.framing == .length(7))
        #expect(parsed[0].head.keepAlive)
        #expect(parsed[0].head.headerDictionary["Content-Type"] == "application/json")
        #expect(parsed[0].body == Array(#"{"a":1}"#.utf8))

        #expect(parsed[1].head.method == "PUT")
        #expect(parsed[1].head.framing == .chunked)
        #expect(parsed[1].body == Array("abc0123456789".utf8))
        #expect(parsed[1].head.headerDictionary["X-Twice"] == "a, c")
        #expect(parsed[1].head.headerDictionary["x-twice"] == "b")

        #expect(parsed[2].head.method == "GET")
        #expect(parsed[2].head.target == "/")
        #expect(parsed[2].head.keepAlive == false)
        #expect(parsed[2].body.isEmpty)
    }

    @Test func wholeBufferAtOnceGivesTheSameRequests() throws {
        let text = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\ncontent-length: 2\r\n\r\nhiGET /c HTTP/1.1\r\n\r\n"
        var parser = HTTPRequestParser()
        parser.feed(Array(text.utf8))
        var targets: [String] = []
        while case .request(let request)? = try parser.next() { targets.append(request.head.target) }
        #expect(targets == ["/a", "/b", "/c"])
        #expect(parser.isIdle)
    }

    @Test func expectContinueIsAnnouncedBeforeTheBody() throws {
        var parser = HTTPRequestParser()
        parser.feed(Array("POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8))
        #expect(try parser.next() == .expectContinue)
        #expect(try parser.next() == nil)
        parser.feed(Array("ok".utf8))
        guard case .request(let request)? = try parser.next() else {
            Issue.record("no request")
            return
        }
        #expect(request.body == Array("ok".utf8))
        #expect(request.head.expectContinue)
    }

    @Test func http10KeepsAliveOnlyWhenAsked() throws {
        let parsed = try requests(
            "GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET /c HTTP/1.1\r\nConnection: TE, close\r\n\r\n"
        )
        #expect(parsed.map(\.head.keepAlive) == [false, true, false])
        #expect(parsed.map(\.head.minorVersion) == [0, 0, 1])
    }

    @Test func malformedRequestsAreRefusedWithTheRightStatus() {
        #expect(error("GARBAGE\r\n\r\n")?.status == 400)
        #expect(error("GET  HTTP/1.1\r\n\r\n")?.status == 400)
        #expect(error("GET / HTTP/2.0\r\n\r\n")?.status == 505)
        #expect(error("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n")?.status == 400)
        #expect(error("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n")?.status == 400)
        #expect(error("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")?.status == 400)
        #expect(error("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")?.status == 400)
        #expect(error("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")?.status == 501)
        #expect(error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")?.status == 400)
        #expect(error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXY")?.status == 400)
        let small = HTTPRequestParser(maxHeadBytes: 100, maxBodyBytes: 10)
        #expect(error("GET / HTTP/1.1\r\nX: " + String(repeating: "y", count: 200), parser: small)?.status == 431)
        #expect(error("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", parser: small)?.status == 413)
        #expect(error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nB\r\n", parser: small)?.status == 413)
    }

    @Test func anErrorIsSticky() {
        var parser = HTTPRequestParser()
        parser.feed(Array("NOPE\r\n\r\nGET / HTTP/1.1\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { try parser.next() }
        #expect(throws: HTTPParseError.self) { try parser.next() }
    }
}
