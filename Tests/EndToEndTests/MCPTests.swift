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
        #expect(tools.count == 12)
        #expect(methods.count == 14, "lines \(out.lines.count) ids \(out.lines.map { $0["id"] ?? "none" }) keys \(out.lines.map { $0["result"]?.objectValue?.keys ?? [] })")
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

    static let calls: [(String, JSON)] = [
        ("user_get", [:]), ("user_update", ["firstname": "Liv"]), ("project_list", [:]), ("team_list", [:]),
        ("team_get", ["project_user_id": "65f0000000000000000000b3"]), ("team_getByUser", ["user_id": "65f0000000000000000000a3"]),
        ("team_me", [:]), ("team_invite", ["email": "nina@example.com", "role": "agent"]), ("team_updateMe", ["user_available": false]),
        ("team_update", ["project_user_id": "65f0000000000000000000b4", "user_available": true]),
        ("team_leave", ["project_user_id": "65f0000000000000000000b4", "mode": "trash"]),
        ("team_restore", ["project_user_id": "65f0000000000000000000b4"]),
    ]

    @Test func everyToolSucceedsAndFailsAsAResult() throws {
        let b = try BridgeProcess(["--sandbox"])
        for (i, (name, arguments)) in Self.calls.enumerated() {
            b.send(["jsonrpc": "2.0", "id": .number(JSONNumber(i)), "method": "tools/call", "params": ["name": .string(name), "arguments": arguments]])
            let result = b.read(1).first?["result"]
            #expect(result?["isError"] == false, "\(name): \(String(describing: result))")
            #expect(result?["structuredContent"]?.objectValue != nil)
            let text = result?["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
            #expect((try? JSONParser.parse(text)) != nil)
        }
        for (i, (name, _)) in Self.calls.enumerated() {
            b.send(["jsonrpc": "2.0", "id": .number(JSONNumber(100 + i)), "method": "tools/call",
                    "params": ["name": .string(name), "arguments": ["project_id": "not-hex"]]])
            let result = b.read(1).first?["result"]
            let expectError = !["user_get", "user_update", "project_list"].contains(name)
            if expectError {
                #expect(result?["isError"] == true, "\(name)")
                #expect(result?["content"]?.arrayValue?.first?["text"]?.stringValue?.contains("project_id") == true)
            } else {
                #expect(result?["isError"] == true, "\(name) takes no project_id")
            }
        }
        #expect(b.finish().status == 0)
    }
}
