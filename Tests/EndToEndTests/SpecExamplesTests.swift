import JSONCore
import TestSupport
import Testing

/// Every example of the JSON-RPC 2.0 specification (section 7), sent verbatim through the
/// built binary. Its example methods do not exist here, so they answer -32601.
@Suite struct SpecExamplesTests {
    func exchange(_ line: String) throws -> [JSON] {
        try BridgeProcess.run(["--sandbox"], lines: [line]).lines
    }

    func error(_ code: Int, id: JSON) -> JSON { ["jsonrpc": "2.0", "error": ["code": .number(JSONNumber(code))], "id": id] }

    @Test("rpc calls with positional and named params", arguments: [
        (#"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"#, 1 as JSON),
        (#"{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}"#, 2 as JSON),
        (#"{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}"#, 3 as JSON),
        (#"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}"#, 4 as JSON),
        (#"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#, "1" as JSON),
    ])
    func calls(_ line: String, _ id: JSON) throws {
        let out = try exchange(line)
        #expect(out.count == 1)
        #expect(VectorMatcher.matches(error(-32601, id: id), out[0]))
    }

    @Test("notifications are not answered", arguments: [
        #"{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}"#,
        #"{"jsonrpc": "2.0", "method": "foobar"}"#,
    ])
    func notifications(_ line: String) throws {
        #expect(try exchange(line).isEmpty)
    }

    @Test func invalidJSON() throws {
        let out = try exchange(#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#)
        #expect(out.count == 1 && VectorMatcher.matches(error(-32700, id: nil), out[0]))
    }

    @Test func invalidRequestObject() throws {
        let out = try exchange(#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#)
        #expect(out.count == 1 && VectorMatcher.matches(error(-32600, id: nil), out[0]))
    }

    @Test func batchInvalidJSON() throws {
        let out = try exchange(#"[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method""#)
        #expect(out.count == 1 && VectorMatcher.matches(error(-32700, id: nil), out[0]))
    }

    @Test func emptyArray() throws {
        let out = try exchange("[]")
        #expect(out.count == 1 && VectorMatcher.matches(error(-32600, id: nil), out[0]))
    }

    @Test func invalidBatchOfOne() throws {
        let out = try exchange("[1]")
        #expect(out.count == 1 && VectorMatcher.matchesLine([error(-32600, id: nil)], out[0]))
    }

    @Test func invalidBatchOfThree() throws {
        let out = try exchange("[1,2,3]")
        let e = error(-32600, id: nil)
        #expect(out.count == 1 && VectorMatcher.matchesLine([e, e, e], out[0]))
    }

    @Test func mixedBatch() throws {
        let out = try exchange(#"""
            [
                    {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
                    {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
                    {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
                    {"foo": "boo"},
                    {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
                    {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
                ]
            """#.split(separator: "\n").joined())
        #expect(out.count == 1)
        let expected: JSON = [error(-32601, id: "1"), error(-32601, id: "2"), error(-32600, id: nil), error(-32601, id: "5"), error(-32601, id: "9")]
        #expect(VectorMatcher.matchesLine(expected, out[0]))
    }

    @Test func batchOfNotificationsOnly() throws {
        let line = #"[{"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},{"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}]"#
        #expect(try exchange(line).isEmpty)
    }
}
