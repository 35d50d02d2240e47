import EmulatorServer
import Foundation
import JSONCore
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct ControlEndpointTests {
    @Test func faultsStatsAndResetOverHTTP() async throws {
        try await withServer(prefix: "/api") { server in
            let session = makeSession()
            defer { session.finishTasksAndInvalidate() }
            let root = server.rootURL
            let faults = #"""
                {"rules": [{"match": {"method": "GET", "path_prefix": "/users"}, "times": 1,
                            "action": {"status": 503, "headers": {"Retry-After": "2"}}}],
                 "rate_limit": {"rps": 1000, "burst": 100}}
                """#
            let set = try await fetch(root + "/__emulator/faults", method: "POST", body: faults, session: session)
            #expect(set.status == 200)
            #expect(set.json?["rules"]?.arrayValue?.count == 1)
            #expect(set.json?["rate_limit"] == ["shape": "token-bucket", "rps": 1000, "burst": 100, "retry_after": "seconds"])

            let failed = try await fetch(server.baseURL + "/users?page=1", session: session)
            #expect(failed.status == 503)
            #expect(failed.headers["retry-after"] == "2")
            let posted = try await fetch(
                server.baseURL + "/users", method: "POST", body: #"{"email":"a@b.c"}"#,
                headers: ["Content-Type": "application/json", "Authorization": "JWT t"], session: session)
            #expect(posted.status == 200)
            let text = try await fetch(server.baseURL + "/notes", method: "PUT", body: "plain words", session: session)
            #expect(text.status == 200)

            let current = try await fetch(root + "/__emulator/faults", session: session)
            #expect(current.json?["rules"]?.arrayValue?.first?["times"] == 0)

            let stats = try await fetch(root + "/__emulator/stats", session: session)
            let json = try #require(stats.json)
            #expect(json["requests"] == 3)
            #expect(json["rate_limited"] == 0)
            #expect(json["max_in_flight"] == 1)
            #expect(json["connections"]?.intValue ?? 0 >= 1)
            let log = try #require(json["log"]?.arrayValue)
            #expect(log.count == 3)
            #expect(log[0]["method"] == "GET")
            #expect(log[0]["path"] == "/users?page=1")
            #expect(log[0]["target"] == "/api/users?page=1")
            #expect(log[0]["body"] == .null)
            #expect(log[1]["method"] == "POST")
            #expect(log[1]["body"] == ["email": "a@b.c"])
            #expect(log[1]["headers"]?["Authorization"] == "JWT t")
            #expect(log[2]["body"] == "plain words")

            let withoutLog = try await fetch(root + "/__emulator/stats?log=0", session: session)
            #expect(withoutLog.json?["log"] == [])
            #expect(withoutLog.json?["requests"] == 3)

            let reset = try await fetch(root + "/__emulator/reset", method: "POST", session: session)
            #expect(reset.json == ["ok": true])
            let cleared = try await fetch(root + "/__emulator/stats", session: session)
            #expect(cleared.json?["requests"] == 0)
            #expect(cleared.json?["log"] == [])
            #expect(server.faults.config == FaultConfig())
            #expect(server.stats().requests == 0)
        }
    }

    @Test func invalidFaultsAreRefusedAndKeepTheOldOnes() async throws {
        try await withServer { server in
            server.faults.set(rules: [FaultRule(action: .status(500))])
            let port = server.port
            let (badJSON, badMember, wrongMethod, unknown) = try await onThread {
                (
                    try rawRequest("POST", "/__emulator/faults", body: "{nope", port: port),
                    try rawRequest("POST", "/__emulator/faults", body: #"{"rules":[{"action":{"stauts":1}}]}"#, port: port),
                    try rawGet("/__emulator/reset", port: port),
                    try rawGet("/__emulator/nothing", port: port)
                )
            }
            #expect(badJSON.status == 400)
            #expect(badJSON.json?["error"]?.stringValue?.contains("invalid JSON") == true)
            #expect(badMember.status == 400)
            #expect(badMember.json == ["error": #"rules[0].action: unknown member "stauts""#])
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.headers["allow"] == "POST")
            #expect(unknown.status == 404)
            #expect(server.faults.config.rules.count == 1)
            #expect(server.stats().requests == 0)
        }
    }

    @Test func deeplyNestedJSONIsParsedOnAConnectionThread() async throws {
        try await withServer { server in
            let port = server.port
            let (deep, tooDeep) = try await onThread {
                (
                    try rawRequest(
                        "POST", "/__emulator/faults",
                        body: String(repeating: "[", count: 512) + String(repeating: "]", count: 512),
                        port: port),
                    try rawRequest(
                        "POST", "/__emulator/faults",
                        body: String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000),
                        port: port)
                )
            }
            #expect(deep.json == ["error": "faults: expected an object"])
            #expect(tooDeep.json?["error"]?.stringValue?.contains("nesting") == true)
        }
    }

    @Test func swiftAPIMirrorsTheEndpoints() async throws {
        try await withServer { server in
            try server.faults.set(json: JSONParser.parse(#"{"rules":[{"times":1,"action":{"status":502}}]}"#))
            let port = server.port
            let statuses = try await onThread { try [rawGet("/a", port: port).status, rawGet("/b", port: port).status] }
            #expect(statuses == [502, 200])
            let stats = server.stats()
            #expect(stats.requests == 2)
            #expect(stats.json["log"]?.arrayValue?.count == 2)
            #expect(server.stats(includeLog: false).log.isEmpty)
            server.reset()
            #expect(server.stats().requests == 0)
            #expect(server.stats().connections == 0)
        }
    }

    @Test func bigBodiesAreLoggedCut() async throws {
        try await withServer { server in
            let port = server.port
            let big = "\"" + String(repeating: "a", count: 100_000) + "\""
            let response = try await onThread { try rawRequest("POST", "/big", body: big, port: port) }
            #expect(response.json?["body"]?.stringValue?.count == 100_000)
            let entry = try #require(server.stats().log.first)
            #expect(entry.bodySize == 100_002)
            #expect(entry.body?.count == LoggedRequest.maxLoggedBody)
            #expect(entry.bodyTruncated)
            #expect(entry.json["body_size"] == 100_002)
        }
    }

    @Test func theLogKeepsTheMostRecentRequests() async throws {
        let server = LoopbackHTTPServer(logLimit: 3, handler: echoHandler)
        let port = try server.start()
        defer { server.stop() }
        try await onThread {
            let client = try RawClient(port: port)
            for i in 0..<10 {
                try client.send("GET /\(i) HTTP/1.1\r\n\r\n")
                _ = try client.readResponse()
            }
        }
        let stats = server.stats()
        #expect(stats.requests == 10)
        #expect(stats.log.map(\.path) == ["/7", "/8", "/9"])
        #expect(stats.logDropped == 7)
    }
}
