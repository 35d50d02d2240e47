import EmulatorServer
import Foundation
import JSONCore
import TestSupport
import Testing
import TiledeskSandbox

/// Every file of protocol/vectors/ through the built binary on its sandbox; those with an
/// `http` list are replayed against the emulator over loopback HTTP (the real URLSession
/// path) and the requests the emulator received are compared with that list.
@Suite struct VectorTests {
    static let directory = repositoryRoot.appendingPathComponent("protocol/vectors")
    static let names: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".json") }.sorted()

    static func load(_ name: String) throws -> JSON {
        try JSONParser.parse([UInt8](Data(contentsOf: directory.appendingPathComponent(name))))
    }

    /// Every method of the OpenRPC document is sent by at least one vector (directly, in a batch,
    /// or as an MCP tool), so all three suites exercise it.
    @Test func everyMethodHasAVector() throws {
        let document = try JSONParser.parse([UInt8](Data(contentsOf: repositoryRoot.appendingPathComponent("protocol/openrpc.json"))))
        var sent: Set<String> = []
        func collect(_ message: JSON) {
            if case .array(let members) = message { members.forEach(collect); return }
            if let method = message["method"]?.stringValue { sent.insert(method) }
            if message["method"] == "tools/call", let tool = message["params"]?["name"]?.stringValue {
                sent.insert(tool.replacingOccurrences(of: "_", with: "."))
            }
        }
        for name in Self.names {
            for step in try Self.load(name)["steps"]?.arrayValue ?? [] {
                let send = step["send"] ?? .null
                if case .string(let text) = send {
                    text.split(separator: "\n").compactMap { try? JSONParser.parse(Array($0.utf8)) }.forEach(collect)
                } else {
                    collect(send)
                }
            }
        }
        let methods = document["methods"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        let missing = methods.filter { !sent.contains($0) }
        #expect(missing.isEmpty, "no vector sends \(missing)")
    }

    @Test("vector on the sandbox", arguments: names)
    func sandbox(_ name: String) throws {
        let vector = try Self.load(name)
        let args = vector["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(args.first == "--sandbox", "every vector runs on the sandbox")
        try Self.run(vector, args: args, name: name)
    }

    @Test("vector over loopback HTTP", arguments: names.filter { (try? load($0))?["http"] != nil })
    func overHTTP(_ name: String) throws {
        let vector = try Self.load(name)
        let emulator = Sandbox(seeded: true)
        let server = LoopbackHTTPServer(pathPrefix: "/api", handler: emulator.handle)
        try server.start()
        defer { server.stop() }
        var args = ["--api-url", server.baseURL, "--project-id", SandboxSeed.projectID]
        var rest = (vector["args"]?.arrayValue?.compactMap(\.stringValue) ?? []).dropFirst()[...]
        var hasToken = false
        while let arg = rest.popFirst() {
            if arg == "--sandbox-latency" { _ = rest.popFirst(); continue }
            if arg == "--token" { hasToken = true }
            args.append(arg)
        }
        if !hasToken { args += ["--token", SandboxSeed.ownerToken] }
        try Self.run(vector, args: args, name: name)

        let expected = vector["http"]?.arrayValue ?? []
        let received = server.stats().log
        #expect(received.count == expected.count, "\(name): \(received.map { "\($0.method) \($0.path)" })")
        for (want, got) in zip(expected, received) {
            #expect(want["method"]?.stringValue == got.method, "\(name)")
            #expect(want["path"]?.stringValue == got.path, "\(name)")
            if let body = want["body"] {
                #expect(VectorMatcher.matches(body, got.bodyJSON) && got.bodyJSON.objectValue?.count == body.objectValue?.count,
                        "\(name): body \(got.bodyJSON)")
            }
            #expect(got.header("Authorization") == "JWT \(SandboxSeed.ownerToken)" || hasToken, "\(name)")
        }
    }

    static func run(_ vector: JSON, args: [String], name: String) throws {
        let bridge = try BridgeProcess(args)
        for (index, step) in (vector["steps"]?.arrayValue ?? []).enumerated() {
            switch step["send"] {
            case .string(let raw)?: bridge.send(raw)
            case let value?: bridge.send(value)
            case nil: Issue.record("\(name): step \(index) has nothing to send")
            }
            let expect = step["expect"]?.arrayValue ?? []
            guard !expect.isEmpty else { continue }
            let got = bridge.read(expect.count)
            #expect(VectorMatcher.assign(expect, got) != nil, "\(name) step \(index): expected \(JSON.array(expect)) got \(JSON.array(got))")
        }
        let (status, rest) = bridge.finish()
        #expect(status == 0, "\(name): exit status \(status)")
        #expect(rest.isEmpty, "\(name): unexpected output \(rest.map { String(decoding: $0, as: UTF8.self) })")
    }
}
