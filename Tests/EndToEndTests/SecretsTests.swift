import EmulatorServer
import Foundation
import JSONCore
import Testing
import TiledeskSandbox

/// Secrets the bridge knows never come out of it, whatever the upstream echoes back, and a
/// token that could break a header is refused.
@Suite struct SecretsTests: EmulatedUpstream {
    let emulator = Sandbox(seeded: true)
    let server: LoopbackHTTPServer

    init() throws {
        server = try Self.serve(emulator)
    }

    @Test func aTokenOrPasswordEchoedByTheUpstreamIsRedactedInTheError() throws {
        let echo: JSON = ["msg": "bad token sandbox-token-owner", "seen": ["Authorization": "JWT sandbox-token-owner", "password": "demo-password"]]
        server.faults.set(rules: [rule("GET", "/users", .status(500, body: echo))])
        let b = try bridge(environment: ["TILEDESK_PASSWORD": "demo-password", "TILEDESK_EMAIL": "owner@example.com"])
        let answer = call(b, 1, "user.get")
        let text = JSONWriter.string(answer)
        #expect(answer["error"]?["code"] == 502)
        #expect(!text.contains("sandbox-token-owner") && !text.contains("demo-password"), "\(text)")
        #expect(text.contains("***"))
        #expect(b.finish().status == 0)
    }

    @Test func aTokenSignedInForIsRedactedToo() throws {
        let b = try bridge(token: nil, environment: ["TILEDESK_EMAIL": "owner@example.com", "TILEDESK_PASSWORD": "demo-password"])
        let signedIn = call(b, 1, "auth.signin", ["email": "owner@example.com", "password": "demo-password"])
        let token = try #require(signedIn["result"]?["token"]?.stringValue)
        server.faults.set(rules: [rule("GET", "/users", .status(500, body: ["msg": .string("you sent \(token)")]))])
        let failed = JSONWriter.string(call(b, 2, "user.get"))
        #expect(!failed.contains(Self.bare(token)), "\(failed)")
        #expect(b.finish().status == 0)
    }

    @Test func aSignedInTokenWithALineBreakIsRefused() throws {
        server.faults.set(rules: [rule("POST", "/auth/signin", .status(200, body: ["success": true, "token": "JWT abc\r\nX-Evil: 1", "user": ["_id": "u"]]))])
        let b = try bridge(token: nil)
        let answer = call(b, 1, "auth.signin", ["email": "owner@example.com", "password": "demo-password"])
        #expect(answer["error"]?["code"] == 502)
        #expect(answer["error"]?["message"]?.stringValue?.contains("control characters") == true)
        #expect(b.finish().status == 0)
    }

    static func bare(_ token: String) -> String { token.hasPrefix("JWT ") ? String(token.dropFirst(4)) : token }
}
