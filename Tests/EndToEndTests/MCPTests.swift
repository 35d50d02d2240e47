import Foundation
import JSONCore
import Testing

/// The MCP face through the built binary's stdio, on the sandbox.
@Suite struct MCPTests {
    @Test("the handshake negotiates each supported version", arguments: ["2025-11-25", "2025-06-18", "2025-03-26"])
    func handshake(_ version: String) throws {
        let b = try BridgeProcess(["--sandbox"])
        b.send(["jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": ["protocolVersion": .string(version), "capabilities": [:], "clientInfo": ["name": "test", "version": "1"]]])
        let answer = b.read(1).first
        #expect(answer?["result"]?["protocolVersion"] == .string(version))
        #expect(answer?["result"]?["capabilities"]?["tools"] != nil)
        b.send(["jsonrpc": "2.0", "method": "notifications/initialized"])
        b.send(["jsonrpc": "2.0", "id": 2, "method": "server/discover"])
        #expect(b.read(1).first?["error"]?["code"] == -32601)
        #expect(b.finish().status == 0)
    }

    @Test func toolsMatchTheOpenRPCDocument() throws {
        let out = try BridgeProcess.run(["--sandbox"], lines: [
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#, #"{"jsonrpc":"2.0","id":2,"method":"rpc.discover"}"#,
        ])
        let tools = out.lines.first { $0["id"] == 1 }?["result"]?["tools"]?.arrayValue ?? []
        let methods = out.lines.first { $0["id"] == 2 }?["result"]?["methods"]?.arrayValue ?? []
        // One tool per method the document marks as one (not ping, not auth.signin: credentials are configuration).
        let expected = methods.filter { $0["x-mcp-tool"] == true }
        #expect(tools.compactMap { $0["name"]?.stringValue } == expected.compactMap { $0["name"]?.stringValue?.replacingOccurrences(of: ".", with: "_") })
        for tool in tools {
            let name = tool["name"]?.stringValue ?? ""
            let method = methods.first { $0["name"]?.stringValue?.replacingOccurrences(of: ".", with: "_") == name }
            #expect(method != nil, "\(name) is an OpenRPC method")
            let params = method?["params"]?.arrayValue ?? []
            let properties = tool["inputSchema"]?["properties"]?.objectValue
            #expect(properties?.keys == params.compactMap { $0["name"]?.stringValue }, "\(name)")
            for param in params {
                #expect(properties?[param["name"]?.stringValue ?? ""] == param["schema"], "\(name)")
            }
            let required = params.filter { $0["required"] == true }.compactMap { $0["name"] }
            #expect((tool["inputSchema"]?["required"]?.arrayValue ?? []) == required, "\(name)")
        }
    }

    /// Each tool with its first OpenRPC example (a fresh bridge each, so no example sees
    /// another's changes) is a result with structured content and JSON text; with a bad
    /// `project_id` it is an error result naming the param.
    @Test func everyToolSucceedsAndFailsAsAResult() throws {
        let listing = try BridgeProcess.run(["--sandbox"], lines: [
            #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#, #"{"jsonrpc":"2.0","id":2,"method":"rpc.discover"}"#,
        ])
        let tools = listing.lines.first { $0["id"] == 1 }?["result"]?["tools"]?.arrayValue ?? []
        let methods = listing.lines.first { $0["id"] == 2 }?["result"]?["methods"]?.arrayValue ?? []
        for tool in tools {
            let name = tool["name"]?.stringValue ?? ""
            let method = methods.first { $0["name"]?.stringValue?.replacingOccurrences(of: ".", with: "_") == name }
            let example = method?["examples"]?.arrayValue?.first
            // An example that needs earlier calls (a restore needs a trash first) says so in its name.
            guard let example, !(example["name"]?.stringValue ?? "").contains(" after ") else { continue }
            var arguments = JSONObject()
            for param in example["params"]?.arrayValue ?? [] { arguments[param["name"]?.stringValue ?? ""] = param["value"] }
            let b = try BridgeProcess(["--sandbox"])
            b.send(["jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": ["name": .string(name), "arguments": .object(arguments)]])
            let result = b.read(1).first?["result"]
            #expect(result?["isError"] == false, "\(name): \(String(describing: result))")
            #expect(result?["structuredContent"]?.objectValue != nil)
            let text = result?["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
            #expect((try? JSONParser.parse(text)) != nil)
            b.send(["jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": ["name": .string(name), "arguments": ["project_id": "not-hex"]]])
            let failure = b.read(1).first?["result"]
            #expect(failure?["isError"] == true, "\(name)")
            #expect(failure?["content"]?.arrayValue?.first?["text"]?.stringValue?.contains("project_id") == true, "\(name)")
            #expect(b.finish().status == 0)
        }
    }
}
