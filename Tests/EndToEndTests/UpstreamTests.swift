import EmulatorServer
import Foundation
import JSONCore
import Testing
import TiledeskAPI
import TiledeskSandbox

/// The bridge's real URLSession path, through the built binary, against the emulator served
/// over loopback HTTP with injected faults (protocol/README.md: configuration, errors and retries).
@Suite struct UpstreamTests: EmulatedUpstream {
    let emulator = Sandbox(seeded: true)
    let server: LoopbackHTTPServer

    init() throws {
        server = try Self.serve(emulator)
    }

    // MARK: Authentication

    @Test func a401WithBasicChallengeAnswersAtOnce() throws {
        let b = try bridge(token: "revoked")
        let started = Date()
        let answer = call(b, 1, "user.get")
        #expect(answer["error"]?["code"] == 401)
        #expect(answer["error"]?["data"]?["http_status"] == 401)
        let message = answer["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains("TILEDESK_TOKEN"))
        // The hang this guards against lasts the whole default --timeout (30 s).
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(b.finish().status == 0)
    }

    @Test func tokenIsSentAsJWTWithOrWithoutItsPrefix() throws {
        for token in [SandboxSeed.ownerToken, "JWT " + SandboxSeed.ownerToken] {
            let b = try bridge(token: token)
            #expect(call(b, 1, "user.get")["result"]?["email"] == "owner@example.com")
            _ = b.finish()
        }
        #expect(server.stats().log.allSatisfy { $0.header("Authorization") == "JWT " + SandboxSeed.ownerToken })
    }

    @Test func credentialsSignInOnceAndAgainOnceAfterA401() throws {
        let b = try bridge(token: nil, environment: ["TILEDESK_EMAIL": "alice@example.com", "TILEDESK_PASSWORD": "demo-password"])
        for i in 1...3 { #expect(call(b, i, "user.get")["result"]?["email"] == "alice@example.com") }
        #expect(logged("POST", "/auth/signin").count == 1)
        server.faults.set(rules: [rule("GET", "/users", times: 1, .status(401, body: "Unauthorized"))])
        #expect(call(b, 4, "user.get")["result"]?["email"] == "alice@example.com")
        #expect(logged("POST", "/auth/signin").count == 2)
        #expect(server.stats().log.allSatisfy { $0.header("Authorization")?.hasPrefix("Basic") != true })
        _ = b.finish()
    }

    @Test func noCredentialsIs401BeforeAnyRequest() throws {
        let b = try bridge(token: nil)
        let answer = call(b, 1, "team.list")
        #expect(answer["error"]?["code"] == 401)
        #expect(server.stats().requests == 0)
        _ = b.finish()
    }

    // MARK: Guards and dry runs

    @Test func guardsSendNoChange() throws {
        let b = try bridge()
        #expect(call(b, 1, "team.update", ["project_user_id": .string(SandboxSeed.oscarTeammateID), "user_available": false])["error"]?["code"] == 404)
        #expect(call(b, 2, "team.leave", ["project_user_id": .string(SandboxSeed.ownerTeammateID)])["error"]?["code"] == 403)
        #expect(call(b, 3, "team.update", ["project_user_id": .string(SandboxSeed.ownerTeammateID), "status": "disabled"])["error"]?["code"] == 403)
        #expect(call(b, 4, "team.restore", ["project_user_id": .string(SandboxSeed.oscarTeammateID)])["error"]?["code"] == 404)
        #expect(server.stats().log.allSatisfy { $0.method == "GET" })
        _ = b.finish()
    }

    @Test func dryRunSendsNothingAndShowsNoCredential() throws {
        let b = try bridge()
        let calls: [(String, JSON)] = [
            ("team.invite", ["email": "nina@example.com", "role": "agent", "dry_run": true]),
            ("team.update", ["project_user_id": .string(Self.alice), "role": "admin", "dry_run": true]),
            ("team.leave", ["project_user_id": .string(Self.alice), "mode": "delete", "dry_run": true]),
            ("team.updateMe", ["user_available": false, "dry_run": true]),
            ("user.update", ["lastname": "X", "dry_run": true]),
        ]
        for (i, (method, params)) in calls.enumerated() {
            let answer = call(b, i, method, params)
            #expect(answer["result"]?["dry_run"] == true, "\(method): \(answer)")
            #expect(answer["result"]?["request"]?["url"]?.stringValue?.hasPrefix(server.baseURL) == true)
            #expect(!JSONWriter.string(answer).contains(SandboxSeed.ownerToken))
        }
        #expect(server.stats().log.allSatisfy { $0.method == "GET" })
        _ = b.finish()
    }

    // MARK: Retries

    @Test func getIsRetriedThrough503s() throws {
        server.faults.set(rules: [rule("GET", "/users", times: 2, .status(503))])
        let b = try bridge()
        #expect(call(b, 1, "user.get")["result"]?["email"] == "owner@example.com")
        #expect(logged("GET", "/users").count == 3)
        _ = b.finish()
    }

    @Test func exhaustedRetriesAre503() throws {
        server.faults.set(rules: [rule("GET", "/users", .status(502))])
        let b = try bridge(["--retries", "1"])
        let answer = call(b, 1, "user.get")
        #expect(answer["error"]?["code"] == 503)
        #expect(answer["error"]?["data"]?["retryable"] == true)
        #expect(logged("GET", "/users").count == 2)
        _ = b.finish()
    }

    @Test func anInviteMeetingA503IsSentExactlyOnce() throws {
        server.faults.set(rules: [rule("POST", "/\(Self.project)/project_users/invite", times: 1, .status(503))])
        let b = try bridge()
        let answer = call(b, 1, "team.invite", ["email": "nina@example.com", "role": "agent"])
        #expect(answer["error"]?["code"] == 503)
        #expect(logged("POST", "/\(Self.project)/project_users/invite").count == 1)
        _ = b.finish()
    }

    @Test func anInviteMeetingA429IsRetried() throws {
        server.faults.set(rules: [rule("POST", "/\(Self.project)/project_users/invite", times: 1, .retryAfter(1, status: 429))])
        let b = try bridge()
        let answer = call(b, 1, "team.invite", ["email": "nina@example.com", "role": "agent"])
        #expect(answer["result"]?["status"] == "added")
        #expect(logged("POST", "/\(Self.project)/project_users/invite").count == 2)
        _ = b.finish()
    }

    @Test func aDroppedConnectionOnAGetIsRetried() throws {
        server.faults.set(rules: [rule("GET", "/users", times: 1, .drop)])
        let b = try bridge()
        #expect(call(b, 1, "user.get")["result"]?["email"] == "owner@example.com")
        #expect(logged("GET", "/users").count == 2)
        _ = b.finish()
    }

    @Test func aStallAnswers504AndTheNextCallSucceeds() throws {
        server.faults.set(rules: [rule("GET", "/users", times: 1, .delay(60))])
        let b = try bridge(["--timeout", "1"])
        let started = Date()
        let answer = call(b, 1, "user.get")
        #expect(answer["error"]?["code"] == 504)
        // Cut by --timeout, not by the stall's end: far apart, so load cannot blur them.
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(call(b, 2, "user.get")["result"]?["email"] == "owner@example.com")
        _ = b.finish()
    }

    @Test func htmlAndMalformedBodiesAre502() throws {
        server.faults.set(rules: [rule("GET", "/users", times: 1, .html(status: 500)), rule("GET", "/users", times: 1, .malformed)])
        let b = try bridge()
        let html = call(b, 1, "user.get")
        #expect(html["error"]?["code"] == 502)
        #expect(html["error"]?["data"]?["http_status"] == 500)
        let malformed = call(b, 2, "user.get")
        #expect(malformed["error"]?["code"] == 502)
        #expect(malformed["error"]?["data"]?["http_status"] == 200)
        _ = b.finish()
    }

    @Test func anOversizeBodyIsRefused() throws {
        server.faults.set(rules: [rule("GET", "/users", times: 1, .hugeBody(bytes: 40 << 20))])
        let b = try bridge()
        let answer = call(b, 1, "user.get")
        #expect(answer["error"]?["code"] == 502)
        _ = b.finish()
    }

    // MARK: Rate limits and concurrency

    func bulk(retryAfter: Bool) throws {
        server.faults.set(rules: [], rateLimit: RateLimit(rps: 50, burst: 10, retryAfter: retryAfter))
        let b = try bridge(["--rate-limit-wait", "60"])
        let started = Date()
        for i in 0..<300 {
            b.send(["jsonrpc": "2.0", "id": .number(JSONNumber(i)), "method": "team.get", "params": ["project_user_id": .string(Self.alice)]])
        }
        let answers = b.read(300, timeout: 90)
        let elapsed = Date().timeIntervalSince(started)
        #expect(answers.count == 300)
        #expect(answers.allSatisfy { $0["result"]?["_id"] == .string(Self.alice) }, "\(answers.filter { $0["error"] != nil }.prefix(3))")
        // The ideal is 300 / 50 = 6 s; a collapsed pace takes minutes. The benchmarks measure the
        // ratio; RateLimitConvergenceTests checks it in simulated time.
        #expect(elapsed < 60, "took \(elapsed) s")
        _ = b.finish()
    }

    @Test func bulkUnderARateLimitWithRetryAfter() throws { try bulk(retryAfter: true) }
    @Test func bulkUnderARateLimitWithoutRetryAfter() throws { try bulk(retryAfter: false) }

    @Test func concurrencyAndConnectionsAreBounded() throws {
        server.faults.set(rules: [rule("GET", "/\(Self.project)/project_users/", .delay(0.2))])
        let b = try bridge(["--max-concurrency", "4"])
        for i in 0..<50 {
            b.send(["jsonrpc": "2.0", "id": .number(JSONNumber(i)), "method": "team.get", "params": ["project_user_id": .string(Self.alice)]])
        }
        let answers = b.read(50, timeout: 30)
        #expect(answers.count == 50)
        #expect(answers.allSatisfy { $0["result"] != nil })
        let stats = server.stats()
        #expect(stats.maxInFlight <= 4 && stats.maxInFlight >= 2, "max in flight \(stats.maxInFlight)")
        #expect(stats.connections <= 4, "connections \(stats.connections)")
        _ = b.finish()
    }

    // MARK: Transport security

    @Test func aCrossHostRedirectDoesNotCarryTheToken() throws {
        let other = LoopbackHTTPServer(host: "127.0.0.2", pathPrefix: "/v3", handler: emulator.handle)
        try other.start()
        defer { other.stop() }
        server.faults.set(rules: [rule("GET", "/users", times: 1, .redirect(to: other.baseURL + "/users"))])
        let b = try bridge()
        let answer = call(b, 1, "user.get")
        #expect(answer["error"]?["code"] == 502, "\(answer)")
        #expect(answer["error"]?["message"]?.stringValue?.contains("redirect") == true)
        #expect(other.stats().log.allSatisfy { $0.header("Authorization") == nil })
        _ = b.finish()
    }

    @Test func secretsAppearNowhereAtDebugLevel() throws {
        let b = try bridge(["--log-level", "debug"], token: nil,
                           environment: ["TILEDESK_EMAIL": "alice@example.com", "TILEDESK_PASSWORD": "demo-password"])
        _ = call(b, 1, "user.get")
        _ = call(b, 2, "team.list")
        _ = call(b, 3, "team.leave", ["project_user_id": .string(Self.alice), "dry_run": true])
        let (_, rest) = b.finish()
        let stdout = rest.map { String(decoding: $0, as: UTF8.self) }.joined()
        let tokens = server.stats().log.compactMap { $0.header("Authorization") }.map { String($0.dropFirst(4)) }
        #expect(!tokens.isEmpty)
        for secret in tokens + ["demo-password"] {
            #expect(!stdout.contains(secret))
            #expect(!b.stderrText.contains(secret))
        }
        #expect(b.stderrText.contains("GET"))
    }

    /// A rename with a switch is two requests (the server sets enabled only through its own
    /// route): when the second fails, the error says what the first changed.
    @Test func aFailedSwitchAfterARenameSaysTheRenameWasApplied() throws {
        let group = "65f0000000000000000000d3"
        server.faults.set(rules: [rule("PUT", "/\(Self.project)/groups/disable/", times: 1, .status(500))])
        let b = try bridge(["--retries", "0"])
        let answer = call(b, 1, "group.update", ["group_id": .string(group), "name": "Billing desk", "enabled": false])
        #expect(answer["error"]?["code"] == 502, "\(answer)")
        #expect(answer["error"]?["data"]?["applied"]?["request"] == "PUT /{pid}/groups/{id}")
        #expect(answer["error"]?["data"]?["applied"]?["result"]?["name"] == "Billing desk")
        _ = b.finish()
    }
}
