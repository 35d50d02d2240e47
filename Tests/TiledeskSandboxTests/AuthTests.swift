import JSONCore
import TiledeskAPI
import Testing

@testable import TiledeskSandbox

/// Reference §1.1/§1.2: how the Authorization header is parsed and what failures look like.
@Suite struct AuthenticationTests {
    let emulator = makeEmulator()

    @Test func missingHeaderIs401PlainTextWithBasicChallenge() {
        let answer = emulator.call("GET", "/users", token: nil)
        #expect(answer.status == 401)
        #expect(answer.text == "Unauthorized")
        #expect(answer.header("www-authenticate") == "Basic realm=\"Users\"")
        #expect(answer.header("content-type") == nil)
    }

    @Test func bearerSchemeIsRejected() {
        let answer = emulator.call("GET", "/users", authorization: "Bearer \(Seed.ownerToken)")
        #expect(answer.status == 401)
        #expect(answer.text == "Unauthorized")
        #expect(answer.header("www-authenticate") == "Basic realm=\"Users\"")
    }

    @Test func unknownTokenIs401() {
        let answer = emulator.call("GET", "/users", token: "not-a-token")
        #expect(answer.status == 401)
        #expect(answer.text == "Unauthorized")
    }

    @Test(arguments: ["JWT", "jwt", "Jwt"])
    func jwtSchemeIsCaseInsensitive(scheme: String) {
        let answer = emulator.call("GET", "/users", authorization: "\(scheme) \(Seed.aliceToken)")
        #expect(answer.status == 200)
        #expect(answer.json["email"] == .string(Seed.aliceEmail))
    }

    @Test func basicAuthLowercasesTheEmail() {
        let answer = emulator.call("GET", "/users", authorization: basic("Bob@Example.COM", Seed.password))
        #expect(answer.status == 200)
        #expect(answer.json["_id"] == .string(Seed.bobUserID))
    }

    @Test func basicSchemeMatchIsCaseInsensitive() {
        let header = "basic " + Base64.encode(Array("bob@example.com:\(Seed.password)".utf8))
        #expect(emulator.call("GET", "/users", authorization: header).status == 200)
    }

    @Test func basicWithWrongPasswordOrUnknownEmailIs401() {
        for header in [basic(Seed.bobEmail, "wrong"), basic("nobody@example.com", Seed.password), basic(Seed.bobEmail, "")] {
            let answer = emulator.call("GET", "/users", authorization: header)
            #expect(answer.status == 401)
            #expect(answer.header("www-authenticate") == "Basic realm=\"Users\"")
        }
    }

    @Test func basicWithoutColonIs400BadRequest() {
        let answer = emulator.call("GET", "/users", authorization: "Basic " + Base64.encode(Array("no-colon-here".utf8)))
        #expect(answer.status == 400)
        #expect(answer.text == "Bad Request")
        #expect(answer.header("www-authenticate") == nil)
        #expect(answer.header("content-type") == nil)
    }

    @Test func headerWithoutSpaceIs400BadRequest() {
        let answer = emulator.call("GET", "/users", authorization: Seed.ownerToken)
        #expect(answer.status == 400)
        #expect(answer.text == "Bad Request")
    }

    @Test func moreThanOneSpaceFailsValidtokenWith403() {
        for header in ["JWT  \(Seed.ownerToken)", "JWT \(Seed.ownerToken) extra"] {
            let answer = emulator.call("GET", "/users", authorization: header)
            #expect(answer.status == 403)
            #expect(answer.json == msgBody("Unauthorized."))
            #expect(answer.isJSON)
        }
    }

    @Test func badTokenWithTwoSpacesIsStill401() {
        #expect(emulator.call("GET", "/users", authorization: "JWT  nope").status == 401)
    }

    @Test func secretTokenQueryNeedsATwoPartHeader() {
        let noHeader = emulator.call("GET", "/users?secret_token=\(Seed.ownerToken)", token: nil)
        #expect(noHeader.status == 403)
        #expect(noHeader.json == msgBody("Unauthorized."))
        let withHeader = emulator.call("GET", "/users?secret_token=\(Seed.ownerToken)", authorization: "Bearer whatever")
        #expect(withHeader.status == 200)
        #expect(withHeader.json["_id"] == .string(Seed.ownerUserID))
    }

    @Test func everySeedTokenAuthenticatesAsItsUser() {
        let pairs = [
            (Seed.ownerToken, Seed.ownerUserID), (Seed.adminToken, Seed.adminUserID), (Seed.aliceToken, Seed.aliceUserID),
            (Seed.bobToken, Seed.bobUserID), (Seed.ninaToken, Seed.ninaUserID), (Seed.oscarToken, Seed.oscarUserID),
        ]
        for (token, id) in pairs {
            #expect(emulator.call("GET", "/users", token: token).json["_id"] == .string(id))
        }
    }

    @Test func unseededEmulatorKnowsNoOne() {
        let empty = makeEmulator(seeded: false)
        #expect(empty.call("GET", "/users").status == 401)
        #expect(empty.call("GET", "/\(P1)/project_users").json == ["error": .string("Project not found with id: \(P1)")])
    }
}

/// Reference §0 and §6.1: project checks run before authentication; then roles.
@Suite struct CheckOrderTests {
    let emulator = makeEmulator()

    @Test func badProjectIDBeatsBadToken() {
        let answer = emulator.call("GET", "/not-an-id/project_users", token: "bad")
        #expect(answer.status == 400)
        #expect(answer.json == ["error": "Invalid project id: not-an-id"])
    }

    @Test func unknownProjectBeatsBadToken() {
        let answer = emulator.call("GET", "/65f0000000000000000000ff/project_users", token: "bad")
        #expect(answer.status == 400)
        #expect(answer.json == ["error": "Project not found with id: 65f0000000000000000000ff"])
    }

    @Test func validProjectThenBadTokenIs401() {
        #expect(emulator.call("GET", "/\(P1)/project_users", token: "bad").status == 401)
    }

    @Test func unknownFirstSegmentIsAnInvalidProjectID() {
        let answer = emulator.call("GET", "/foo")
        #expect(answer.status == 400)
        #expect(answer.json == ["error": "Invalid project id: foo"])
        #expect(answer.isJSON)
    }

    @Test func unmatchedPathUnderAValidProjectIsExpress404Page() {
        let answer = emulator.call("GET", "/\(P1)/nothing/here", token: nil)
        #expect(answer.status == 404)
        #expect(answer.header("content-type") == "text/html; charset=utf-8")
        #expect(answer.text.contains("<pre>Cannot GET /\(P1)/nothing/here</pre>"))
        #expect(answer.text.hasPrefix("<!DOCTYPE html>"))
        let wrongMethod = emulator.call("PATCH", "/\(P1)/project_users/\(Seed.aliceTeammateID)")
        #expect(wrongMethod.status == 404)
        #expect(wrongMethod.text.contains("Cannot PATCH /\(P1)/project_users/\(Seed.aliceTeammateID)"))
    }

    @Test func unmatchedUsersPathAuthenticatesThenFallsThroughToTheProjectMiddleware() {
        #expect(emulator.call("GET", "/users/nothing", token: nil).status == 401)
        let answer = emulator.call("GET", "/users/nothing")
        #expect(answer.status == 400)
        #expect(answer.json == ["error": "Invalid project id: users"])
    }

    @Test func nonMemberGets403BelongBeforeTheRoleCheck() {
        let answer = emulator.call("POST", "/\(P1)/project_users/invite", token: Seed.ninaToken, json: ["email": "x@example.com", "role": "agent"])
        #expect(answer.status == 403)
        #expect(answer.json == msgBody("you dont belong to the project."))
    }

    @Test func agentFailsAnAdminGate() {
        let answer = emulator.call("POST", "/\(P1)/project_users/invite", token: Seed.aliceToken, json: ["email": "x@example.com", "role": "agent"])
        #expect(answer.status == 403)
        #expect(answer.json == msgBody("you dont have the required role."))
    }

    @Test func authenticationBeatsTheRoleCheck() {
        #expect(emulator.call("POST", "/\(P1)/project_users/invite", token: "bad", json: ["email": "x@example.com"]).status == 401)
    }

    @Test func malformedJSONBodyIs500BeforeAnythingElse() {
        let answer = emulator.call("PUT", "/foo", token: "bad", rawBody: Array("{not json".utf8), contentType: "application/json")
        #expect(answer.status == 500)
        #expect(answer.json == ["err": "error"])
        let scalar = emulator.call("PUT", "/users", rawBody: Array("\"text\"".utf8), contentType: "application/json")
        #expect(scalar.status == 500)
    }

    @Test func projectIDsAreCaseInsensitiveHexAndPercentDecoded() {
        #expect(emulator.call("GET", "/65F000000000000000000001/project_users/me").status == 200)
        #expect(emulator.call("GET", "/%36%35f000000000000000000001/project_users/me").status == 200)
        #expect(emulator.call("GET", "/\(P1)/PROJECT_USERS/ME").status == 200)
        #expect(emulator.call("GET", "/%zz/project_users").json == ["err": "error"])
    }

    @Test func rootAnswersTheHealthText() {
        let answer = emulator.call("GET", "/", token: nil)
        #expect(answer.status == 200)
        #expect(answer.text.hasPrefix("Hello from Tiledesk server"))
    }

    @Test func preflightAndHead() {
        let preflight = emulator.call(
            "OPTIONS", "/users", token: nil, headers: ["Access-Control-Request-Headers": "authorization,content-type"])
        #expect(preflight.status == 204)
        #expect(preflight.header("access-control-allow-origin") == "*")
        #expect(preflight.header("access-control-allow-headers") == "authorization,content-type")
        let head = emulator.call("HEAD", "/users")
        #expect(head.status == 200)
        #expect(head.response.body.isEmpty)
        #expect(head.isJSON)
    }

    @Test func oversizedJSONBodyIs413() {
        let big = Array("{\"a\":\"".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 600_000) + Array("\"}".utf8)
        let answer = emulator.call("PUT", "/users", rawBody: big, contentType: "application/json")
        #expect(answer.status == 413)
        #expect(answer.json["err"] == "Request entity too large")
    }
}

/// Reference §1.3: POST /auth/signin.
@Suite struct SigninTests {
    let emulator = makeEmulator()

    @Test func emptyBodyGivesTwoValidationErrors() {
        let answer = emulator.call("POST", "/auth/signin", token: nil, json: [:])
        #expect(answer.status == 422)
        #expect(
            answer.json
                == [
                    "errors": [
                        ["msg": "Invalid value", "param": "email", "location": "body"],
                        ["msg": "Invalid value", "param": "password", "location": "body"],
                    ]
                ])
    }

    @Test func invalidEmailIsEchoedInTheError() {
        let answer = emulator.call("POST", "/auth/signin", token: nil, json: ["email": "not-an-email", "password": "x"])
        #expect(answer.status == 422)
        #expect(answer.json == ["errors": [["value": "not-an-email", "msg": "Invalid value", "param": "email", "location": "body"]]])
    }

    @Test func emptyPasswordIsInvalid() {
        let answer = emulator.call("POST", "/auth/signin", token: nil, json: ["email": .string(Seed.ownerEmail), "password": ""])
        #expect(answer.status == 422)
        #expect(answer.json == ["errors": [["value": "", "msg": "Invalid value", "param": "password", "location": "body"]]])
    }

    @Test func unknownUserAndWrongPassword() {
        let unknown = emulator.call("POST", "/auth/signin", token: nil, json: ["email": "ghost@example.com", "password": "x"])
        #expect(unknown.status == 401)
        #expect(unknown.json == msgBody("Authentication failed. User not found."))
        let wrong = emulator.call("POST", "/auth/signin", token: nil, json: ["email": .string(Seed.ownerEmail), "password": "nope"])
        #expect(wrong.status == 401)
        #expect(wrong.json == msgBody("Authentication failed. Wrong password."))
    }

    @Test func successIssuesAFreshTokenThatAuthenticates() throws {
        let first = emulator.call("POST", "/auth/signin", token: nil, json: ["email": "Alice@Example.com", "password": .string(Seed.password)])
        #expect(first.status == 200)
        #expect(first.json["success"] == true)
        #expect(
            first.json["user"]
                == [
                    "_id": .string(Seed.aliceUserID), "email": .string(Seed.aliceEmail), "firstname": "Alice", "lastname": "Agent",
                    "emailverified": true,
                ])
        let token = try #require(first.json["token"]?.stringValue)
        #expect(token.hasPrefix("JWT "))
        #expect(first.json["user", "password"] == nil)

        let me = emulator.call("GET", "/users", authorization: token)
        #expect(me.status == 200)
        #expect(me.json["_id"] == .string(Seed.aliceUserID))

        let second = emulator.call("POST", "/auth/signin", token: nil, json: ["email": .string(Seed.aliceEmail), "password": .string(Seed.password)])
        #expect(second.json["token"] != first.json["token"])
    }

    @Test func formEncodedBodyWorks() {
        let body = Array("email=owner%40example.com&password=demo-password".utf8)
        let answer = emulator.call("POST", "/auth/signin", token: nil, rawBody: body, contentType: "application/x-www-form-urlencoded")
        #expect(answer.status == 200)
    }

    @Test func bodyWithoutJSONContentTypeIsIgnored() {
        let body = JSONWriter.bytes(["email": .string(Seed.ownerEmail), "password": .string(Seed.password)])
        let answer = emulator.call("POST", "/auth/signin", token: nil, rawBody: body, contentType: nil)
        #expect(answer.status == 422)
    }

    @Test func signinPathFallsThroughForOtherMethods() {
        #expect(emulator.call("GET", "/auth/signin", token: nil).json == ["error": "Invalid project id: auth"])
    }
}
