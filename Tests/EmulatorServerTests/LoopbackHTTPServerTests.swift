import EmulatorServer
import Foundation
import JSONCore
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct LoopbackHTTPServerTests {
    // MARK: Connections

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await withServer { server in
            let port = server.port
            let statuses = try await onThread {
                let client = try RawClient(port: port)
                try client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
                let first = try client.readResponse()
                try client.send("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
                let second = try client.readResponse()
                // Pipelined: two requests in one write.
                try client.send("GET /c HTTP/1.1\r\n\r\nGET /d HTTP/1.1\r\nConnection: close\r\n\r\n")
                let third = try client.readResponse()
                let fourth = try client.readResponse()
                #expect(fourth?.headers["connection"] == "close")
                #expect(try client.closedWithoutResponse())
                return [first, second, third, fourth].map { $0?.status }
            }
            #expect(statuses == [200, 200, 200, 200])
            let stats = server.stats()
            #expect(stats.connections == 1)
            #expect(stats.requests == 4)
            #expect(stats.log.map(\.path) == ["/a", "/b", "/c", "/d"])
        }
    }

    @Test func urlSessionReusesItsConnection() async throws {
        try await withServer(prefix: "/api") { server in
            let session = makeSession()
            defer { session.finishTasksAndInvalidate() }
            let first = try await fetch(server.baseURL + "/one", session: session)
            let second = try await fetch(server.baseURL + "/two", method: "POST", body: #"{"n":2}"#, session: session)
            #expect(first.status == 200)
            #expect(second.json?["body"] == ["n": 2])
            let stats = server.stats()
            #expect(stats.requests == 2)
            #expect(stats.connections == 1)
        }
    }

    @Test func pathPrefixIsStrippedAndOtherPathsAre404() async throws {
        try await withServer(prefix: "/api/") { server in
            #expect(server.pathPrefix == "/api")
            #expect(server.baseURL == "http://127.0.0.1:\(server.port)/api")
            let port = server.port
            let results = try await onThread {
                try ["/api/users?x=1", "/api", "/api?q=2", "/apix", "/other", "/users"].map { try rawGet($0, port: port) }
            }
            #expect(results[0].json?["path"] == "/users?x=1")
            #expect(results[1].json?["path"] == "/")
            #expect(results[2].json?["path"] == "/?q=2")
            #expect(results[3...].map(\.status) == [404, 404, 404])
            #expect(results[4].json == ["error": "Not Found"])
            let log = server.stats().log
            #expect(log.map(\.path) == ["/users?x=1", "/", "/?q=2", "/apix", "/other", "/users"])
            #expect(log[0].target == "/api/users?x=1")
        }
    }

    @Test func requestBodiesAndHeadersReachTheHandler() async throws {
        try await withServer { server in
            let port = server.port
            let (chunked, continued, head) = try await onThread {
                let client = try RawClient(port: port)
                try client.send(
                    "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\nAuthorization: JWT abc\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n"
                )
                let chunked = try client.readResponse()
                try client.send("POST /e HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
                guard let interim = try client.readInterim(), interim.hasPrefix("HTTP/1.1 100") else {
                    throw TestFailure("no 100 Continue")
                }
                try client.send("true")
                let continued = try client.readResponse()
                try client.send("HEAD /h HTTP/1.1\r\n\r\n")
                let head = try client.readResponse(head: true)
                return (chunked, continued, head)
            }
            #expect(chunked?.json?["body"] == ["a": 1])
            #expect(chunked?.json?["headers"]?["Authorization"] == "JWT abc")
            #expect(continued?.json?["body"] == true)
            #expect(head?.status == 200)
            #expect(Int(head?.headers["content-length"] ?? "") ?? 0 > 0)
            #expect(head?.body.isEmpty == true)
            let log = server.stats().log
            #expect(log[0].header("authorization") == "JWT abc")
            #expect(log[0].bodyJSON == ["a": 1])
            #expect(log.count == 3)
        }
    }

    @Test func http10ConnectionsCloseUnlessKeptAlive() async throws {
        try await withServer { server in
            let port = server.port
            let (kept, closed) = try await onThread {
                let client = try RawClient(port: port)
                try client.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let kept = try client.readResponse()
                try client.send("GET /b HTTP/1.0\r\n\r\n")
                let closed = try client.readResponse()
                #expect(try client.closedWithoutResponse())
                return (kept, closed)
            }
            #expect(kept?.headers["connection"] == "keep-alive")
            #expect(closed?.headers["connection"] == "close")
            #expect(server.stats().connections == 1)
        }
    }

    @Test func badRequestsAreAnsweredAndClosed() async throws {
        try await withServer { server in
            let port = server.port
            let response = try await onThread { () -> RawResponse? in
                let client = try RawClient(port: port)
                try client.send("NOT HTTP\r\n\r\n")
                return try client.readResponse()
            }
            #expect(response?.status == 400)
            #expect(response?.headers["connection"] == "close")
            #expect(server.stats().requests == 0)
        }
    }

    @Test func clientsDisconnectingMidRequestDoNotHurtTheServer() async throws {
        try await withServer { server in
            server.faults.set(rules: [
                FaultRule(match: FaultMatch(path: "/slow"), action: .delay(0.2)),
                FaultRule(match: FaultMatch(path: "/huge"), action: .hugeBody(bytes: 20_000_000)),
            ])
            let port = server.port
            try await onThread {
                // Half a request line.
                try RawClient(port: port).send("GET /x HT")
                // A head promising more body than sent.
                try RawClient(port: port).send("POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc")
                // Gone before the response is written (the server then writes to a closed socket).
                try RawClient(port: port).send("GET /slow HTTP/1.1\r\n\r\n")
                // Gone while a big body is being written.
                let reader = try RawClient(port: port)
                try reader.send("GET /huge HTTP/1.1\r\n\r\n")
                _ = try reader.readSome()
            }
            try await Task.sleep(for: .milliseconds(500))
            let response = try await onThread { try rawGet("/after", port: port) }
            #expect(response.status == 200)
            #expect(response.json?["path"] == "/after")
            #expect(server.stats().log.map(\.path).contains("/slow"))
        }
    }

    @Test func fiftyConcurrentRequestsAreAllServed() async throws {
        try await withServer(prefix: "/v3") { server in
            server.faults.set(rules: [FaultRule(action: .delay(0.2))])
            let session = makeSession(maxConnections: 50)
            defer { session.finishTasksAndInvalidate() }
            let base = server.baseURL
            let paths = try await withThrowingTaskGroup(of: String?.self) { group in
                for i in 0..<50 {
                    group.addTask { try await fetch(base + "/item/\(i)", session: session).json?["path"]?.stringValue }
                }
                var paths: [String] = []
                for try await path in group { paths.append(path ?? "?") }
                return paths
            }
            #expect(Set(paths) == Set((0..<50).map { "/item/\($0)" }))
            let stats = server.stats()
            #expect(stats.requests == 50)
            #expect(stats.maxInFlight >= 2)
            #expect(stats.inFlight == 0)
        }
    }

    @Test func fiftyRawConnectionsAtOnce() async throws {
        try await withServer { server in
            server.faults.set(rules: [FaultRule(action: .delay(0.3))])
            let port = server.port
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<50 { group.addTask { try await onThread { try rawGet("/n/\(i)", port: port).status } } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 50))
            let stats = server.stats()
            #expect(stats.connections == 50)
            #expect(stats.maxInFlight >= 2)
        }
    }

    @Test func stopClosesTheListenerAndStartBindsAgain() async throws {
        let server = LoopbackHTTPServer(handler: echoHandler)
        let port = try server.start()
        #expect(port != 0)
        #expect(try server.start() == port)
        server.stop()
        await #expect(throws: TestFailure.self) { try await onThread { _ = try RawClient(port: port) } }
        let again = try server.start()
        defer { server.stop() }
        let response = try await onThread { try rawGet("/back", port: again) }
        #expect(response.status == 200)
    }

    @Test func anotherLoopbackHostCanBeBound() async throws {
        try await withServer(host: "127.0.0.2") { server in
            #expect(server.baseURL.hasPrefix("http://127.0.0.2:"))
            let port = server.port
            let response = try await onThread { try rawGet("/here", port: port, host: "127.0.0.2") }
            #expect(response.status == 200)
        }
        #expect(throws: EmulatorServerError.self) { try LoopbackHTTPServer(host: "no.such.host", handler: echoHandler).start() }
    }
}

extension RawClient {
    /// Reads one interim response head (`HTTP/1.1 100 Continue`) as text.
    func readInterim() throws -> String? {
        var bytes: [UInt8] = []
        while !(bytes.count >= 4 && bytes.suffix(4) == [13, 10, 13, 10]) {
            var byte: UInt8 = 0
            guard recv(fd, &byte, 1, 0) == 1 else { return nil }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads whatever arrives next, at most 64 KiB.
    func readSome() throws -> Int {
        var chunk = [UInt8](repeating: 0, count: 65536)
        return chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    }
}
