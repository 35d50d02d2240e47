import Foundation
import HTTPCore
import JSONCore
import Testing
@testable import TiledeskAPI

/// A transport that records each request and answers from a closure.
final class StubTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var sent: [HTTPRequest] = []
    let answer: @Sendable (HTTPRequest) -> HTTPResponse
    init(_ answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse) { self.answer = answer }
    var requests: [HTTPRequest] { lock.withLock { sent } }
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        lock.withLock { sent.append(request) }
        return answer(request)
    }
}

func json(_ status: Int, _ body: JSON, headers: [String: String] = [:]) -> HTTPResponse {
    HTTPResponse(status: status, headers: ["Content-Type": "application/json"].merging(headers) { _, b in b }, body: JSONWriter.bytes(body))
}

func client(_ transport: StubTransport, token: String? = "JWT abc.def", email: String? = nil, password: String? = nil) -> TiledeskClient {
    TiledeskClient(apiRoot: "https://api.tiledesk.com/v3/", transport: transport,
                   auth: Authenticator(token: token, email: email, password: password, log: .silent))
}

let pid = "65f000000000000000000001"
let puid = "65f0000000000000000000b3"

@Suite struct ClientRequestTests {
    /// A call's first request queues with other calls' first ones, its later ones ahead of them.
    /// `team.apply` gates its client for cancellation; the gated copy used to count from zero, so
    /// the apply's first write queued as a first request behind newer calls' reads.
    @Test func aGatedClientCountsOnFromItsCall() async throws {
        let transport = StubTransport { _ in json(200, ["_id": "x"]) }
        let call = client(transport).forCall()
        _ = try await call.send(.teammate(pid, puid))
        _ = try await call.gated(by: StartGate()).send(.teammate(pid, puid))
        _ = try await call.forCall().send(.teammate(pid, puid))
        _ = try await call.forBackground().send(.teammate(pid, puid))
        #expect(transport.requests.map(\.priority) == [.first, .followUp, .first, .background])
    }

    /// Every endpoint: method, path (segments encoded), query, headers and body as sent.
    @Test func everyEndpointSendsTheExpectedRequest() async throws {
        let transport = StubTransport { request in
            if request.path.hasSuffix("/invite") { return json(200, ["_id": "x", "role": "agent"]) }
            if request.path.hasSuffix("/me") || request.path.contains("/users/") && request.method == "GET" { return json(200, [["_id": "x"]]) }
            if request.path == "/users/" { return json(200, ["success": true, "updatedUser": ["_id": "u"]]) }
            if request.path == "/auth/signin" { return json(200, ["success": true, "token": "JWT new", "user": ["_id": "u"]]) }
            return json(200, request.path.hasSuffix("project_users") || request.path.contains("project_users?") || request.path == "/projects" ? [] : ["_id": "x"])
        }
        let c = client(transport)
        _ = try await c.send(.currentUser)
        _ = try await c.send(.updateCurrentUser(["firstname": "A"]))
        _ = try await c.send(.projects)
        _ = try await c.send(.teammates(pid, query: [("role", "agent"), ("presencestatus", "online")]))
        _ = try await c.send(.teammate(pid, puid))
        _ = try await c.send(.teammate(pid, userID: "a b/c"))
        _ = try await c.send(.myTeammate(pid))
        _ = try await c.invite(.invite(pid, body: ["email": "x@example.com", "role": "agent"]))
        _ = try await c.send(.updateMyTeammate(pid, body: ["user_available": false]))
        _ = try await c.send(.updateTeammate(pid, puid, body: ["role": "admin"]))
        _ = try await c.send(.removeTeammate(pid, puid, mode: .trash))
        _ = try await c.send(.removeTeammate(pid, puid, mode: .delete))
        _ = try await c.send(.removeTeammate(pid, puid, mode: .disable))
        _ = try await c.send(.restoreTeammate(pid, puid))
        _ = try await c.signIn(email: "o@example.com", password: "pw")
        _ = try await c.send(.currentUser)

        let sent = transport.requests.map { "\($0.method) \($0.path)" }
        #expect(sent == [
            "GET /users", "PUT /users/", "GET /projects",
            "GET /\(pid)/project_users?role=agent&presencestatus=online",
            "GET /\(pid)/project_users/\(puid)", "GET /\(pid)/project_users/users/a%20b%2Fc",
            "GET /\(pid)/project_users/me", "POST /\(pid)/project_users/invite", "PUT /\(pid)/project_users/",
            "PUT /\(pid)/project_users/\(puid)", "DELETE /\(pid)/project_users/\(puid)?soft=true",
            "DELETE /\(pid)/project_users/\(puid)?hard=true", "DELETE /\(pid)/project_users/\(puid)",
            "PUT /\(pid)/project_users/\(puid)/restore", "POST /auth/signin", "GET /users",
        ])
        let requests = transport.requests
        #expect(requests[0].header("Authorization") == "JWT abc.def")
        #expect(requests[0].body == nil && requests[0].header("Content-Type") == nil)
        #expect(try JSONParser.parse(requests[1].body!) == ["firstname": "A"])
        #expect(requests[1].header("Content-Type") == "application/json")
        #expect(try JSONParser.parse(requests[7].body!) == ["email": "x@example.com", "role": "agent"])
        #expect(requests[14].header("Authorization") == nil, "sign-in sends no token")
        #expect(requests[15].header("Authorization") == "JWT new", "auth.signin switches the token")
    }

    @Test func resultsAreUnwrappedAndGetAnID() async throws {
        let transport = StubTransport { request in
            switch request.path {
            case "/users": return json(200, ["_id": "u1", "email": "a@b.c", "extra": ["kept": .number(JSONNumber(uncheckedText: "1.50"))]])
            case "/users/": return json(200, ["success": true, "updatedUser": ["_id": "u1", "firstname": "A"]])
            default: return json(200, [["_id": "p1", "id_user": ["_id": "u1"]]])
            }
        }
        let c = client(transport)
        let user = try await c.send(.currentUser)
        #expect(user["id"] == "u1")
        #expect(JSONWriter.string(user["extra"]!) == #"{"kept":1.50}"#)
        #expect(try await c.send(.updateCurrentUser(["firstname": "A"])) == ["_id": "u1", "firstname": "A", "id": "u1"])
        let me = try await c.send(.myTeammate(pid))
        #expect(me["id"] == "p1" && me["id_user"]?["id"] == "u1")
    }

    @Test func credentialsSignInOnceThenAgainOnceAfterA401() async throws {
        let state = NSLock()
        nonisolated(unsafe) var signins = 0
        nonisolated(unsafe) var rejectNext = false
        let transport = StubTransport { request in
            if request.path == "/auth/signin" {
                state.withLock { signins += 1 }
                return json(200, ["success": true, "token": .string("JWT t\(state.withLock { signins })"), "user": ["_id": "u"]])
            }
            if state.withLock({ rejectNext }) {
                state.withLock { rejectNext = false }
                return HTTPResponse(status: 401, headers: ["WWW-Authenticate": "Basic realm=\"Users\""], body: Array("Unauthorized".utf8))
            }
            return json(200, ["_id": "u"])
        }
        let c = client(transport, token: nil, email: "a@example.com", password: "pw")
        async let a = c.send(.currentUser)
        async let b = c.send(.currentUser)
        _ = try await (a, b)
        #expect(state.withLock { signins } == 1)
        state.withLock { rejectNext = true }
        _ = try await c.send(.currentUser)
        #expect(state.withLock { signins } == 2)
        #expect(transport.requests.last?.header("Authorization") == "JWT t2")
        #expect(transport.requests.allSatisfy { $0.header("Authorization")?.hasPrefix("Basic") != true })
    }

    /// A forced group delete of an id already gone answers 200 with nothing: not a bad answer for
    /// a route whose answer is not used, still one for any other.
    @Test func anEmptyAnswerIsNullOnlyWhereTheAnswerIsUnused() async throws {
        let transport = StubTransport { _ in HTTPResponse(status: 200, body: []) }
        let c = client(transport)
        #expect(try await c.send(.deleteGroup("p", "g", force: true)) == .null)
        await #expect(throws: TiledeskError.self) { try await c.send(.group("p", "g")) }
    }

    @Test func noCredentialsFailsBeforeSending() async {
        let transport = StubTransport { _ in json(200, [:]) }
        await #expect(throws: TiledeskError.self) { try await client(transport, token: nil).send(.currentUser) }
        #expect(transport.requests.isEmpty)
    }
}

@Suite struct ErrorShapeTests {
    static let cases: [(HTTPResponse, TiledeskError.Kind, String)] = [
        (HTTPResponse(status: 401, headers: ["WWW-Authenticate": "Basic realm=\"Users\""], body: Array("Unauthorized".utf8)), .notAuthenticated, "Unauthorized"),
        (json(403, ["success": false, "msg": "you dont belong to the project."]), .forbidden, "you dont belong to the project."),
        (json(403, ["success": false, "error": "Unable to disabled a group associated with a department"]), .conflict, "associated with a department"),
        (json(403, ["success": false, "error": "Unable to delete a group associated with a department"]), .conflict, "Unable to delete"),
        (json(403, ["success": false, "msg": "Forbidden. User is already a member", "code": 4001]), .conflict, "4001"),
        (json(403, ["success": false, "msg": "Forbidden. It is not allowed to invite oneself", "code": 4000]), .forbidden, "oneself"),
        (json(404, ["success": false, "error": "Project user not found with id x"]), .notFound, "Project user not found"),
        (json(400, ["error": "Project not found with id: x"]), .notFound, "Project not found"),
        (json(400, ["success": false, "error": "Project user is not trashed, cannot restore"]), .conflict, "not trashed"),
        (json(422, ["errors": [["value": "", "msg": "Invalid value", "param": "email", "location": "body"]]]), .badUpstream, "email: Invalid value"),
        (json(500, ["err": "error"]), .badUpstream, "error"),
        (json(500, ["success": false, "message": "Registration cannot be completed"]), .badUpstream, "Registration"),
        (HTTPResponse(status: 404, headers: ["Content-Type": "text/html"], body: Array("<!DOCTYPE html><html><body><pre>Cannot GET /x</pre></body></html>".utf8)), .badUpstream, "Cannot GET /x"),
        (json(429, ["error": "Too Many Requests"], headers: ["Retry-After": "7"]), .rateLimited, "rate limited"),
        (json(503, ["error": "down"]), .unreachable, "down"),
        (HTTPResponse(status: 400, body: Array("Bad Request".utf8)), .badUpstream, "Bad Request"),
    ]

    @Test("every body shape of the real server maps to its kind", arguments: cases)
    func shape(_ response: HTTPResponse, _ kind: TiledeskError.Kind, _ fragment: String) {
        let error = ResponseClassifier.error(for: response, operation: "GET /x")
        #expect(error?.kind == kind)
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
        #expect(error?.httpStatus == response.status)
        #expect(error?.operation == "GET /x")
        if response.status == 429 { #expect(error?.retryAfter == 7) }
    }

    @Test func successFalseHTMLAndMalformedSuccessesAre502() {
        #expect(throws: TiledeskError.self) { try ResponseClassifier.successBody(json(200, ["success": false, "msg": "Role is required.", "code": 405]), operation: "x") }
        #expect(throws: TiledeskError.self) { try ResponseClassifier.successBody(HTTPResponse(status: 200, body: Array("<html>hi</html>".utf8)), operation: "x") }
        #expect(throws: TiledeskError.self) { try ResponseClassifier.successBody(HTTPResponse(status: 200, body: Array("{\"a\":".utf8)), operation: "x") }
        do {
            _ = try ResponseClassifier.successBody(json(200, ["success": false, "msg": "Role is required.", "code": 405]), operation: "x")
        } catch {
            #expect(error.kind == .badUpstream && error.tiledeskCode == 405)
        }
    }

    @Test func pendingInvitationIsAConflict() async {
        let transport = StubTransport { _ in json(200, ["success": false, "msg": "Pending Invitation already exist.", "pendinginvitation": []]) }
        do {
            _ = try await client(transport).invite(.invite(pid, body: ["email": "p@example.com", "role": "agent"]))
            Issue.record("no error")
        } catch let error as TiledeskError {
            #expect(error.kind == .conflict && error.httpStatus == 200)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func tokensAreBareWithOrWithoutTheirScheme() {
        #expect(Authenticator.bareToken("JWT abc") == "abc")
        #expect(Authenticator.bareToken("jwt  abc ") == "abc")
        #expect(Authenticator.bareToken("abc") == "abc")
    }
}
