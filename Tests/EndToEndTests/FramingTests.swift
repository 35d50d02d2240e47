import Foundation
import JSONCore
import Testing

/// LSP framing through the built binary: `--framing auto` follows the input, `line` and `lsp`
/// force one; answers go out in the session's framing and nothing else is written.
@Suite struct FramingTests {
    static func ping(_ id: Int) -> String { #"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"# }
    static func frame(_ body: String) -> [UInt8] { Array("Content-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8) }

    /// Splits output that must be nothing but `Content-Length: N\r\n\r\n` + N bytes, repeated:
    /// the bodies parsed, and whatever follows the last whole frame (empty when all is framed).
    static func frames(_ raw: [UInt8]) -> (messages: [JSON], rest: [UInt8]) {
        var messages: [JSON] = []
        var rest = raw[...]
        let prefix = Array("Content-Length: ".utf8)
        while rest.starts(with: prefix) {
            let afterPrefix = rest.dropFirst(prefix.count)
            let digits = afterPrefix.prefix { (0x30...0x39).contains($0) }
            guard let length = Int(String(decoding: digits, as: UTF8.self)),
                afterPrefix.dropFirst(digits.count).starts(with: Array("\r\n\r\n".utf8))
            else { break }
            let body = afterPrefix.dropFirst(digits.count + 4)
            guard body.count >= length, let message = try? JSONParser.parse(Array(body.prefix(length))) else { break }
            messages.append(message)
            rest = body.dropFirst(length)
        }
        return (messages, Array(rest))
    }

    /// Waits for `count` whole frames from `bridge`; every byte written must belong to one.
    static func readFrames(_ bridge: BridgeProcess, _ count: Int) -> (messages: [JSON], rest: [UInt8]) {
        frames(bridge.rawOutput { frames($0).messages.count >= count })
    }

    @Test func autoDetectsLSPAndAnswersSplitMergedAndMalformedFramesInFrames() throws {
        let bridge = try BridgeProcess(["--sandbox"])
        for byte in Self.frame(Self.ping(1)) { bridge.write([byte]) }  // split byte by byte
        bridge.write(Self.frame(Self.ping(2)) + Self.frame(Self.ping(3)))  // two frames in one write
        bridge.write(Array("Content-Type: application/json\r\nContent-Length: twelve\r\n\r\n{}".utf8) + Self.frame(Self.ping(4)))
        bridge.write(Array("content-length: \(Self.ping(5).utf8.count)\nContent-Type: application/vscode-jsonrpc; charset=utf-8\n\n\(Self.ping(5))".utf8))
        let (messages, rest) = Self.readFrames(bridge, 6)
        #expect(rest.isEmpty, "not LSP framing: \(String(decoding: rest, as: UTF8.self))")
        #expect(messages.count == 6)
        #expect(Array(messages.prefix(3)) == [1, 2, 3].map { id -> JSON in ["jsonrpc": "2.0", "id": .number(JSONNumber(id)), "result": [:]] })
        #expect(messages[3]["id"] == .null && messages[3]["error"]?["code"] == -32700)
        #expect(messages[3]["error"]?["message"] == "Parse error: malformed frame header: Content-Length is not a number")
        #expect(messages[4] == ["jsonrpc": "2.0", "id": 4, "result": [:]])
        #expect(messages[5] == ["jsonrpc": "2.0", "id": 5, "result": [:]])
        #expect(bridge.finish().status == 0)
    }

    /// Expects two frames and nothing else: the error `code` with id null, then ping `id`'s answer.
    static func expectRefusalThenPing(_ bridge: BridgeProcess, code: Int, id: Int) {
        let (messages, rest) = readFrames(bridge, 2)
        #expect(rest.isEmpty)
        #expect(messages.first?["error"]?["code"] == .number(JSONNumber(code)) && messages.first?["id"] == .null)
        #expect(messages.last == ["jsonrpc": "2.0", "id": .number(JSONNumber(id)), "result": [:]])
        #expect(bridge.finish().status == 0)
    }

    @Test func aFrameBodyOverTheLimitIsRefusedAndTheNextFrameServed() throws {
        let bridge = try BridgeProcess(["--sandbox", "--max-line-bytes", "100"])
        let big = #"{"jsonrpc":"2.0","id":9,"method":"ping","params":{"pad":""# + String(repeating: "x", count: 500) + #""}}"#
        bridge.write(Self.frame(big) + Self.frame(Self.ping(10)))
        Self.expectRefusalThenPing(bridge, code: -32600, id: 10)
    }

    @Test func framingLineTakesHeadersForBadLinesAndAnswersInLines() throws {
        let out = try BridgeProcess.run(["--framing", "line"], lines: ["Content-Length: 40\r", "", Self.ping(1)])
        #expect(out.lines.count == 2)
        #expect(out.lines.first?["error"]?["code"] == -32700)
        #expect(out.lines.last == ["jsonrpc": "2.0", "id": 1, "result": [:]])
    }

    @Test func framingLSPTakesALineForAMalformedHeaderAndAnswersInFrames() throws {
        let bridge = try BridgeProcess(["--framing", "lsp"])
        bridge.send(Self.ping(1))
        bridge.write(Self.frame(Self.ping(2)))
        Self.expectRefusalThenPing(bridge, code: -32700, id: 2)
    }

    @Test func autoStaysWithLinesWhenTheInputStartsWithJSON() throws {
        let out = try BridgeProcess.run([], lines: ["", Self.ping(1), "Content-Length: 2"])
        #expect(out.lines.count == 2)
        #expect(out.lines.first == ["jsonrpc": "2.0", "id": 1, "result": [:]])
        #expect(out.lines.last?["error"]?["code"] == -32700)
    }
}
