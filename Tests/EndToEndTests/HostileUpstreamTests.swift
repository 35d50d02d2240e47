import EmulatorServer
import Foundation
import JSONCore
import Testing
import TiledeskSandbox

/// The bridge's real URLSession path, through the built binary, against an upstream that
/// misbehaves: faults from the emulator, never from timing.
@Suite struct HostileUpstreamTests: EmulatedUpstream {
    let emulator = Sandbox(seeded: true)
    let server: LoopbackHTTPServer

    init() throws {
        server = try Self.serve(emulator)
    }

    // MARK: Connections

    /// libcurl re-sends a request on a new connection when the server closed the reused one
    /// after reading it, and FoundationNetworking sent it without its body: the server waited for
    /// it and the call ended 504. Now it fails at once as a lost connection and the bridge's own
    /// retry sends the PUT again, whole.
    @Test func aPutTheServerDroppedAfterReadingIsRetriedWhole() throws {
        let path = "/\(Self.project)/project_users/\(Self.alice)"
        server.faults.set(rules: [rule("PUT", path, times: 1, .drop)])
        let b = try bridge(["--timeout", "5"])
        let answer = call(b, 1, "team.update", ["project_user_id": .string(Self.alice), "user_available": false])
        #expect(answer["result"]?["user_available"] == false, "\(answer)")
        let puts = logged("PUT", path)
        #expect(puts.count == 2)
        #expect(puts.allSatisfy { $0.bodyJSON["user_available"] == false }, "every PUT carried its body")
        _ = b.finish()
    }

    /// A POST is never repeated after the server may have read it: the invite fails as a lost
    /// connection (503), it is not re-sent behind the bridge's back, and nothing waits for the timeout.
    @Test func aPostTheServerDroppedAfterReadingIsSentOnce() throws {
        let path = "/\(Self.project)/project_users/invite"
        server.faults.set(rules: [rule("POST", path, times: 1, .drop)])
        let b = try bridge(["--timeout", "20"])
        #expect(call(b, 1, "user.get")["result"] != nil)  // a warm connection, reused by the POST
        let answer = call(b, 2, "team.invite", ["email": "nina@example.com", "role": "agent"])
        #expect(answer["error"]?["code"] == 503, "\(answer)")
        #expect(answer["error"]?["message"]?.stringValue?.contains("closed") == true)
        #expect(logged("POST", path).count == 1)
        _ = b.finish()
    }

    /// A resend of an invitation is a GET with no body that sends an email: libcurl used to send it
    /// again on a new connection when the reused one died, so the email went out twice. It now
    /// gets a connection of its own, which libcurl never retries, and the bridge does not retry it.
    @Test func aResendTheServerDroppedIsSentOnce() throws {
        let path = "/\(Self.project)/pendinginvitations/resendinvite/"
        server.faults.set(rules: [rule("GET", path, times: 1, .drop)])
        let b = try bridge(["--timeout", "20"])
        #expect(call(b, 1, "group.list")["result"] != nil)  // a warm connection
        let answer = call(b, 2, "invitation.resend", ["invitation_id": "65f0000000000000000000c1"])
        #expect(answer["error"]?["code"] == 503, "\(answer)")
        #expect(logged("GET", path).count == 1)
        _ = b.finish()
    }

    // MARK: Bad answers

    @Test(arguments: [HostileBody.badChunked, .conflictingLength])
    func brokenFramingIsABadAnswerNotAnUnreachableServer(_ kind: HostileBody) throws {
        server.faults.set(rules: [rule("GET", "/users", .hostile(kind))])
        let b = try bridge(["--retries", "2"])
        let answer = call(b, 1, "user.get")
        #expect(answer["error"]?["code"] == 502, "\(answer)")
        #expect(answer["error"]?["data"]?["retryable"] == false)
        #expect(logged("GET", "/users").count <= 1, "a bad answer is not retried")
        _ = b.finish()
    }

    /// A redirect loop cost 63 upstream requests with --retries 2: redirects are not followed,
    /// so one attempt is one request, and the loop is a bad answer naming --api-url.
    @Test func aRedirectLoopIsOneRequest() throws {
        server.faults.set(rules: [rule("GET", "/users", .redirect(to: server.baseURL + "/users"))])
        let b = try bridge(["--retries", "2"])
        let answer = call(b, 1, "user.get")
        #expect(answer["error"]?["code"] == 502, "\(answer)")
        #expect(answer["error"]?["message"]?.stringValue?.contains("--api-url") == true)
        #expect(logged("GET", "/users").count == 1)
        _ = b.finish()
    }

    /// A route Tiledesk always has, answered by a web page: the API URL is wrong.
    @Test func anHTMLNotFoundHintsAtTheAPIURL() throws {
        server.faults.set(rules: [rule("GET", "/users", .html(status: 404))])
        let b = try bridge()
        let answer = call(b, 1, "user.get")
        #expect(answer["error"]?["code"] == 502, "\(answer)")
        let hint = answer["error"]?["data"]?["hint"]?.stringValue ?? ""
        #expect(hint.contains("/api") && hint.contains("/v3"), "\(hint)")
        _ = b.finish()
    }

    /// Speaking TLS to a plain-HTTP server fails the handshake: the message says TLS.
    @Test func aTLSFailureSaysTLS() throws {
        let b = try bridge(["--retries", "0"], apiURL: "https://127.0.0.1:\(server.port)/v3")
        let answer = call(b, 1, "user.get")
        #expect(answer["error"]?["code"] == 503, "\(answer)")
        #expect(answer["error"]?["message"]?.stringValue?.contains("TLS") == true, "\(answer)")
        _ = b.finish()
    }

    // MARK: Bodies without end

    /// The body limit used to stop keeping bytes but not receiving them (hundreds of MiB per
    /// endless body). Now the transfer is refused and dropped, and the bridge goes on serving;
    /// a compressed answer (the bridge asks for none) is refused before it inflates.
    @Test(arguments: [(HostileBody.endless, "larger than"), (.gzipBomb, "compressed")])
    func anEndlessBodyIsRefusedAndTheBridgeKeepsServing(_ kind: HostileBody, _ why: String) throws {
        server.faults.set(rules: [rule("GET", "/users", times: 1, .hostile(kind))])
        let b = try bridge(["--retries", "0"])
        let refused = call(b, 1, "user.get")
        #expect(refused["error"]?["code"] == 502, "\(refused)")
        #expect(refused["error"]?["message"]?.stringValue?.contains(why) == true, "\(refused)")
        #expect(call(b, 2, "team.get", ["project_user_id": .string(Self.alice)])["result"] != nil)
        let peak = peakResidentMegabytes(of: b.process.processIdentifier)
        #expect(peak < 400, "peak RSS \(peak) MB")
        _ = b.finish()
    }

    // MARK: Rate limits

    /// `Retry-After: inf` (or any absurd value) disabled the process: every later call answered
    /// 429 without contacting the server. An absurd value is now no value.
    @Test(arguments: ["inf", "1e400", "999999999", "-1", "0x10"])
    func anAbsurdRetryAfterIsIgnored(_ value: String) throws {
        server.faults.set(rules: [rule("GET", "/users", times: 1, .status(429, headers: ["Retry-After": value]))])
        let b = try bridge()
        #expect(call(b, 1, "user.get")["result"]?["email"] == "owner@example.com")
        #expect(call(b, 2, "user.get")["result"]?["email"] == "owner@example.com")
        #expect(logged("GET", "/users").count == 3)
        _ = b.finish()
    }

    /// 10 requests in any second, `Retry-After: 1`: the pace used to collapse to 0.1/s.
    @Test func aSlidingWindowBulkJobFinishesWithNo429ReachingTheCaller() throws {
        server.faults.set(FaultConfig(rateLimit: RateLimit(.slidingWindow(limit: 10, seconds: 1))))
        let b = try bridge()
        for i in 0..<40 {
            b.send(["jsonrpc": "2.0", "id": .number(JSONNumber(i)), "method": "team.get", "params": ["project_user_id": .string(Self.alice)]])
        }
        let answers = b.read(40, timeout: 60)
        #expect(answers.count == 40)
        #expect(answers.allSatisfy { $0["result"] != nil }, "\(answers.filter { $0["error"] != nil }.prefix(2))")
        #expect(server.stats().rateLimited <= 12, "\(server.stats().rateLimited) answered 429")
        _ = b.finish()
    }
}

/// The most memory a process has held (VmHWM), in MB.
func peakResidentMegabytes(of pid: Int32) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
    else { return 0 }
    return kilobytes / 1024
}
