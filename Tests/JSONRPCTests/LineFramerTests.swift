import Testing
@testable import JSONRPC

/// The framer is fed one byte at a time, so every boundary is exercised.
@Suite struct LineFramerTests {
    func feedBytewise(_ text: [UInt8], limit: Int = 64) -> [FrameEvent] {
        var framer = LineFramer(maxLineBytes: limit)
        var events: [FrameEvent] = []
        for byte in text { events += framer.push([byte]) }
        return events + framer.finish()
    }

    func line(_ s: String) -> FrameEvent { .message(Array(s.utf8)) }

    @Test func splitsLinesAndToleratesCRLF() {
        #expect(feedBytewise(Array("a\r\nbb\nccc\n".utf8)) == [line("a"), line("bb"), line("ccc")])
    }

    @Test func skipsBlankLines() {
        #expect(feedBytewise(Array("\n\r\n  \nx\n\n".utf8)) == [line("x")])
    }

    @Test func lastLineWithoutNewlineIsALine() {
        #expect(feedBytewise(Array("x\ny".utf8)) == [line("x"), line("y")])
    }

    @Test func overlongLineIsReportedOnceAndSkippedToItsNewline() {
        let long = String(repeating: "z", count: 200)
        #expect(feedBytewise(Array("a\n\(long)\nb\n".utf8), limit: 64) == [line("a"), .tooLong, line("b")])
    }

    @Test func lineExactlyAtTheLimitPassesAndCRDoesNotCount() {
        let exact = String(repeating: "q", count: 64)
        #expect(feedBytewise(Array("\(exact)\r\n".utf8), limit: 64) == [line(exact)])
        #expect(feedBytewise(Array("\(exact)q\n".utf8), limit: 64) == [.tooLong])
    }

    @Test func overlongLastLineWithoutNewline() {
        #expect(feedBytewise(Array(String(repeating: "z", count: 100).utf8), limit: 64) == [.tooLong])
    }

    @Test func invalidUTF8PassesThroughForTheParserToReject() {
        #expect(feedBytewise([0xFF, 0xFE, 0x0A]) == [.message([0xFF, 0xFE])])
    }

    @Test func theLargestLimitTakesACRLFLineWithoutOverflowing() {
        #expect(feedBytewise(Array("a\r\nbb\r\n".utf8), limit: Int.max) == [line("a"), line("bb")])
    }

    @Test func chunkingDoesNotMatter() {
        let text = Array("{\"a\":1}\r\n\n{\"b\":2}\nlast".utf8)
        var framer = LineFramer(maxLineBytes: 64)
        let whole = framer.push(text) + framer.finish()
        #expect(whole == feedBytewise(text))
    }
}
