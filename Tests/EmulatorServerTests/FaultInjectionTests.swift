import EmulatorServer
import Foundation
import JSONCore
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct FaultInjectionTests {
    @Test func statusWithRetryAfterAndBodies() async throws {
        try await withServer(prefix: "/api") { server in
            server.faults.set(rules: [
                FaultRule(match: FaultMatch(path: "/a"), action: .retryAfter(1)),
                FaultRule(match: FaultMatch(path: "/b"), action: .status(500, body: ["message": "boom"])),
                FaultRule(match: FaultMatch(path: "/c"), action: .status(401, body: "Unauthorized")),
                FaultRule(match: FaultMatch(path: "/d"), action: .status(400, body: #"{"ok":false}"#)),
            ])
            let session = makeSession()
            defer { session.finishTasksAndInvalidate() }
            let a = try await fetch(server.baseURL + "/a", session: session)
            #expect(a.status == 503)
            #expect(a.headers["retry-after"] == "1")
            #expect(a.json == ["error": "Service Unavailable"])
            let b = try await fetch(server.baseURL + "/b", session: session)
            #expect(b.status == 500)
            #expect(b.json == ["message": "boom"])
            #expect(b.headers["content-type"] == "application/json")
            let c = try await fetch(server.baseURL + "/c", session: session)
            #expect(c.status == 401)
            #expect(c.text == "Unauthorized")
            #expect(c.headers["content-type"]?.hasPrefix("text/plain") == true)
            let d = try await fetch(server.baseURL + "/d", session: session)
            #expect(d.json == ["ok": false])
            #expect(d.headers["content-type"] == "application/json")
            #expect(server.stats().requests == 4)
        }
    }

    @Test func htmlErrorPageAndMalformedJSON() async throws {
        try await withServer { server in
            server.faults.set(rules: [
                FaultRule(match: FaultMatch(path: "/html"), action: .html()),
                FaultRule(match: FaultMatch(path: "/html504"), action: .html(status: 504)),
                FaultRule(match: FaultMatch(path: "/bad"), action: .malformed),
            ])
            let session = makeSession()
            defer { session.finishTasksAndInvalidate() }
            let html = try await fetch(server.baseURL + "/html", session: session)
            #expect(html.status == 502)
            #expect(html.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(html.text.contains("<h1>502 Bad Gateway</h1>"))
            let html504 = try await fetch(server.baseURL + "/html504", session: session)
            #expect(html504.status == 504)
            #expect(html504.text.contains("504 Gateway Timeout"))
            let bad = try await fetch(server.baseURL + "/bad", session: session)
            #expect(bad.status == 200)
            #expect(bad.headers["content-type"] == "application/json")
            #expect(!bad.body.isEmpty)
            #expect(bad.json == nil)
        }
    }

    @Test func delayThenHandlerOrThenStatus() async throws {
        try await withServer { server in
            server.faults.set(rules: [
                FaultRule(match: FaultMatch(path: "/slow"), action: .delay(0.3)),
                FaultRule(match: FaultMatch(path: "/slow-fail"), action: FaultAction(status: 504, delay: 0.3)),
            ])
            let session = makeSession()
            defer { session.finishTasksAndInvalidate() }
            let clock = ContinuousClock()
            var slow: Fetched?
            let slowTime = try await clock.measure { slow = try await fetch(server.baseURL + "/slow", session: session) }
            #expect(slow?.status == 200)
            #expect(slow?.json?["path"] == "/slow")
            #expect(slowTime >= .milliseconds(280))
            var failed: Fetched?
            let failTime = try await clock.measure { failed = try await fetch(server.baseURL + "/slow-fail", session: session) }
            #expect(failed?.status == 504)
            #expect(failTime >= .milliseconds(280))
        }
    }

    @Test func dropClosesTheConnectionWithoutAResponse() async throws {
        try await withServer { server in
            server.faults.set(rules: [FaultRule(match: FaultMatch(method: "POST"), times: 1, action: .drop)])
            let port = server.port
            let (closed, after) = try await onThread {
                let client = try RawClient(port: port)
                try client.send("POST /x HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}")
                let closed = try client.closedWithoutResponse()
                return (closed, try rawRequest("POST", "/x", body: "{}", port: port).status)
            }
            #expect(closed)
            #expect(after == 200)
            let stats = server.stats()
            #expect(stats.requests == 2)
            #expect(stats.log.first?.bodyJSON == [:])
        }
    }

    @Test func droppedRequestFailsInURLSession() async throws {
        try await withServer { server in
            server.faults.set(rules: [FaultRule(action: .drop)])
            let session = makeSession()
            defer { session.finishTasksAndInvalidate() }
            await #expect(throws: (any Error).self) { try await fetch(server.baseURL + "/gone", session: session) }
        }
    }

    @Test func redirectToAnotherHostIsFollowedByURLSession() async throws {
        try await withServer(host: "127.0.0.2", prefix: "/api") { other in
            try await withServer(prefix: "/api") { server in
                server.faults.set(rules: [
                    FaultRule(
                        match: FaultMatch(pathPrefix: "/users"), times: 1, action: .redirect(to: other.baseURL + "/elsewhere"))
                ])
                let port = server.port
                let raw = try await onThread { try rawGet("/api/users", port: port) }
                #expect(raw.status == 302)
                #expect(raw.headers["location"] == other.baseURL + "/elsewhere")
                #expect(raw.headers["content-length"] == "0")

                server.faults.set(rules: [FaultRule(action: .redirect(to: other.baseURL + "/elsewhere", status: 307))])
                let session = makeSession()
                defer { session.finishTasksAndInvalidate() }
                let followed = try await fetch(server.baseURL + "/users", session: session)
                #expect(followed.status == 200)
                #expect(followed.json?["path"] == "/elsewhere")
                #expect(other.stats().log.map(\.path) == ["/elsewhere"])
            }
        }
    }

    @Test func hugeBodyIsStreamed() async throws {
        try await withServer { server in
            server.faults.set(rules: [
                FaultRule(match: FaultMatch(path: "/big"), action: .hugeBody(bytes: 3_000_000)),
                FaultRule(match: FaultMatch(path: "/tiny"), action: .hugeBody(bytes: 5)),
            ])
            let session = makeSession()
            defer { session.finishTasksAndInvalidate() }
            let big = try await fetch(server.baseURL + "/big", session: session)
            #expect(big.status == 200)
            #expect(big.body.count == 3_000_000)
            #expect(big.json?["padding"]?.stringValue?.count == 3_000_000 - 14)
            let tiny = try await fetch(server.baseURL + "/tiny", session: session)
            #expect(tiny.text == "xxxxx")
            // The connection survives for the next request.
            let next = try await fetch(server.baseURL + "/next", session: session)
            #expect(next.status == 200)
        }
    }

    @Test func timesCountsMatchesAndMatchFiltersThem() async throws {
        try await withServer(prefix: "/api") { server in
            server.faults.set(rules: [
                FaultRule(match: FaultMatch(method: "GET", pathPrefix: "/users"), times: 2, action: .status(503))
            ])
            let port = server.port
            let statuses = try await onThread {
                try [
                    rawRequest("POST", "/api/users", body: "{}", port: port).status,  // other method
                    rawGet("/api/teams", port: port).status,  // other path
                    rawGet("/api/users/1", port: port).status,
                    rawGet("/api/users?page=2", port: port).status,
                    rawGet("/api/users", port: port).status,  // used up
                ]
            }
            #expect(statuses == [200, 200, 503, 503, 200])
            #expect(server.faults.config.rules.first?.times == 0)
        }
    }

    @Test func headersOnlyRuleDecoratesTheHandlersResponse() async throws {
        try await withServer { server in
            server.faults.set(rules: [FaultRule(action: FaultAction(headers: ["X-Request-Id": "42"]))])
            let port = server.port
            let response = try await onThread { try rawGet("/x", port: port) }
            #expect(response.status == 200)
            #expect(response.headers["x-request-id"] == "42")
            #expect(response.json?["path"] == "/x")
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        try await withServer { server in
            server.faults.setRateLimit(RateLimit(rps: 0.01, burst: 2, retryAfter: true))
            let port = server.port
            let responses = try await onThread { try (0..<4).map { try rawGet("/r/\($0)", port: port) } }
            #expect(responses.map(\.status) == [200, 200, 429, 429])
            #expect(responses[2].json == ["error": "Too Many Requests"])
            let retryAfter = Int(responses[2].headers["retry-after"] ?? "")
            #expect(retryAfter != nil && retryAfter! >= 1)
            #expect(responses[0].headers["retry-after"] == nil)
            let stats = server.stats()
            #expect(stats.rateLimited == 2)
            #expect(stats.requests == 4)
        }
    }

    @Test func rateLimitWithoutRetryAfter() async throws {
        try await withServer { server in
            server.faults.setRateLimit(RateLimit(rps: 0.01, burst: 1, retryAfter: false))
            let port = server.port
            let responses = try await onThread { try (0..<2).map { try rawGet("/r/\($0)", port: port) } }
            #expect(responses.map(\.status) == [200, 429])
            #expect(responses[1].headers["retry-after"] == nil)
            #expect(responses[1].json == ["error": "Too Many Requests"])
            #expect(server.stats().rateLimited == 1)
        }
    }

    @Test func rateLimitIsSharedAndComesBeforeRules() async throws {
        try await withServer { server in
            server.faults.set(
                rules: [FaultRule(times: 1, action: .status(500))], rateLimit: RateLimit(rps: 0.01, burst: 1))
            let port = server.port
            let statuses = try await onThread {
                try [rawGet("/a", port: port).status, rawGet("/b", port: port).status]
            }
            #expect(statuses == [500, 429])
            server.faults.setRateLimit(nil)
            #expect(server.faults.config.rules.first?.times == 0)
            let after = try await onThread { try rawGet("/c", port: port).status }
            #expect(after == 200)
        }
    }
}
