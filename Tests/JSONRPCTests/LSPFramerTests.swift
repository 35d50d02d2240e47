import Testing
@testable import JSONRPC

/// LSP framing fed one byte at a time (every boundary exercised) and all at once (one write
/// holding several frames): both must give the same events.
@Suite struct LSPFramerTests {
    static let ping = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
    static let multiline = "{\"jsonrpc\":\"2.0\",\n\"id\":2,\r\n\"method\":\"ping\"}"

    static func frame(_ body: String, header: String = "Content-Length") -> String {
        "\(header): \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// The events for `text`, checked to be the same whether it comes bytewise or in one piece.
    func events(_ text: String, limit: Int = 1024) -> [FrameEvent] {
        var bytewise = LSPFramer(maxBodyBytes: limit)
        var byByte: [FrameEvent] = []
        for byte in text.utf8 { byByte += bytewise.push([byte]) }
        byByte += bytewise.finish()
        var whole = LSPFramer(maxBodyBytes: limit)
        let inOnePiece = whole.push(Array(text.utf8)) + whole.finish()
        #expect(byByte == inOnePiece)
        return byByte
    }

    func message(_ s: String) -> FrameEvent { .message(Array(s.utf8)) }

    @Test func aFrameSplitByteByByteAndTwoFramesInOneWrite() {
        #expect(events(Self.frame(Self.ping) + Self.frame(Self.multiline)) == [message(Self.ping), message(Self.multiline)])
    }

    @Test func aBodyHoldingNewlinesIsTakenByItsLengthNotItsLines() {
        #expect(events(Self.frame(Self.multiline)) == [message(Self.multiline)])
    }

    @Test func headerNamesIgnoreCaseHeaderLinesMayEndInLFAndOtherHeadersAreAllowed() {
        let text = "content-LENGTH:\(Self.ping.utf8.count)\nContent-Type: application/vscode-jsonrpc; charset=utf-8\n\n\(Self.ping)"
            + "Content-Type: application/json\r\nCONTENT-LENGTH:  \(Self.ping.utf8.count) \r\n\r\n\(Self.ping)"
        #expect(events(text) == [message(Self.ping), message(Self.ping)])
    }

    @Test func blankLinesBetweenFramesAreSkipped() {
        #expect(events("\r\n\n" + Self.frame(Self.ping) + "\r\n\r\n" + Self.frame(Self.ping)) == [message(Self.ping), message(Self.ping)])
    }

    @Test("a malformed header block is reported and the next frame still served", arguments: [
        ("Content-Type: text/plain\r\n\r\n{}", "no Content-Length header"),
        ("Content-Length: ten\r\n\r\n{}", "Content-Length is not a number"),
        ("Content-Length: -5\r\n\r\n{}", "Content-Length is not a number"),
        ("Content-Length:\r\n\r\n", "Content-Length is not a number"),
        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n", "not a header line"),
        ("Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", "two different Content-Length headers"),
        ("Content-Length: 4 0\r\n\r\n{}", "Content-Length is not a number"),
        ("no colon here\r\n\r\n", "not a header line"),
    ])
    func malformedHeaderBlock(_ bad: String, _ reason: String) {
        #expect(events(bad + Self.frame(Self.ping)) == [.malformed(reason), message(Self.ping)])
    }

    @Test func anEndlessHeaderBlockIsMalformedOnceNotBufferedForever() {
        let endless = "X-Padding: " + String(repeating: "p", count: 3 * LSPFramer.maxHeaderBytes) + "\r\n\r\n"
        #expect(events(endless + Self.frame(Self.ping)) == [.malformed("header block longer than \(LSPFramer.maxHeaderBytes) bytes"), message(Self.ping)])
    }

    @Test func aBodyOverTheLimitIsReportedOnceAndDropped() {
        let big = "{\"pad\":\"" + String(repeating: "x", count: 200) + "\"}"
        #expect(events(Self.frame(big) + Self.frame(Self.ping), limit: 64) == [.tooLong, message(Self.ping)])
        #expect(events(Self.frame(String(repeating: "q", count: 64)), limit: 64) == [message(String(repeating: "q", count: 64))])
    }

    @Test func aLengthTooBigForAnIntIsTooLongNotACrash() {
        #expect(events("Content-Length: 99999999999999999999999\r\n\r\n{}", limit: Int.max) == [.tooLong])
    }

    @Test func anEmptyBodyIsAnEmptyMessage() {
        #expect(events("Content-Length: 0\r\n\r\n" + Self.frame(Self.ping)) == [message(""), message(Self.ping)])
    }

    @Test func inputEndingInsideAFrameIsReported() {
        #expect(events("Content-Length: 40\r\n\r\n{\"jsonrpc\"") == [.malformed("input ended 30 bytes before the end of a frame's body")])
        #expect(events("Content-Length: 4") == [.malformed("input ended inside a header block")])
        #expect(events(Self.frame(Self.ping) + "\r\n") == [message(Self.ping)])
    }
}

/// `--framing auto` decides from the first non-blank bytes; `line` and `lsp` force one.
@Suite struct MessageFramerTests {
    func events(_ text: String, mode: FramingMode, bytewise: Bool = true) -> (events: [FrameEvent], framing: Framing?) {
        var framer = MessageFramer(mode: mode, maxMessageBytes: 1024)
        var events: [FrameEvent] = []
        if bytewise {
            for byte in text.utf8 { events += framer.push([byte]) }
        } else {
            events = framer.push(Array(text.utf8))
        }
        return (events + framer.finish(), framer.framing)
    }

    let ping = LSPFramerTests.ping

    @Test func contentLengthInAnyCaseAfterBlankBytesSelectsLSP() {
        for bytewise in [true, false] {
            let out = events(" \r\n\tcOnTeNt-LeNgTh: \(ping.utf8.count)\r\n\r\n\(ping)", mode: .auto, bytewise: bytewise)
            #expect(out.framing == .lsp)
            #expect(out.events == [.message(Array(ping.utf8))])
        }
    }

    @Test func anythingElseSelectsLines() {
        let out = events("\n\n\(ping)\n\(ping)", mode: .auto)
        #expect(out.framing == .line)
        #expect(out.events == [.message(Array(ping.utf8)), .message(Array(ping.utf8))])
        #expect(events("Content-Type: x\n", mode: .auto).framing == .line)
    }

    @Test func theFramingIsUnknownUntilTheInputShowsIt() {
        var framer = MessageFramer(mode: .auto, maxMessageBytes: 1024)
        #expect(framer.push(Array("\n  Content-Len".utf8)).isEmpty)
        #expect(framer.framing == nil)
        #expect(framer.push(Array("gth: 2\r\n\r\n{}".utf8)) == [.message(Array("{}".utf8))])
        #expect(framer.framing == .lsp)
    }

    @Test func aShortInputThatCouldHaveBeenAHeaderIsALine() {
        #expect(events("Cont", mode: .auto).events == [.message(Array("Cont".utf8))])
    }

    @Test func forcedModesIgnoreWhatTheInputLooksLike() {
        let lsp = "Content-Length: \(ping.utf8.count)\r\n\r\n\(ping)"
        let asLines = events(lsp, mode: .line)
        #expect(asLines.framing == .line)
        #expect(asLines.events == [.message(Array("Content-Length: \(ping.utf8.count)".utf8)), .message(Array(ping.utf8))])
        let asFrames = events("\(ping)\n", mode: .lsp)
        #expect(asFrames.framing == .lsp)
        #expect(asFrames.events == [.malformed("not a header line")])
    }
}
