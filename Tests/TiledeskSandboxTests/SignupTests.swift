import JSONCore
import Testing

@testable import TiledeskSandbox

/// `POST /auth/signup` and the conversion of invitations (routes/auth.js, services/pendingInvitationService.js).
@Suite struct SignupTests {
    let emulator = makeEmulator()

    func signup(_ body: JSON, authorization: String = "") -> Answer {
        emulator.call("POST", "/auth/signup", token: nil, authorization: authorization, json: body)
    }

    func newcomer(_ email: String = "pending@example.com") -> JSON {
        ["email": .string(email), "password": "s3cret", "firstname": "Penny", "lastname": "Ending"]
    }

    @Test func validationNamesEveryBadField() {
        let empty = signup([:])
        #expect(empty.status == 422)
        #expect(
            empty.json
                == [
                    "errors": [
                        ["msg": "Invalid value", "param": "email", "location": "body"],
                        ["msg": "Invalid value", "param": "firstname", "location": "body"],
                        ["msg": "Invalid value", "param": "lastname", "location": "body"],
                    ]
                ])
        let badEmail = signup(["email": "nope", "password": "x", "firstname": "A", "lastname": ""])
        #expect(
            badEmail.json
                == [
                    "errors": [
                        ["value": "nope", "msg": "Invalid value", "param": "email", "location": "body"],
                        ["value": "", "msg": "Invalid value", "param": "lastname", "location": "body"],
                    ]
                ])
    }

    @Test func aMissingPasswordIs200WithSuccessFalse() {
        let answer = signup(["email": "a@example.com", "firstname": "A", "lastname": "B"])
        #expect(answer.status == 200)
        #expect(answer.json == ["success": false, "msg": "Please pass email and password."])
        #expect(emulator.call("POST", "/auth/signin", token: nil, json: ["email": "a@example.com", "password": "x"]).status == 401)
    }

    @Test func successSavesAUserWhoCanSignIn() throws {
        let answer = signup(["email": "New.Comer@Example.com", "password": "s3cret", "firstname": "New", "lastname": "Comer"])
        #expect(answer.status == 200)
        #expect(answer.json["success"] == true)
        #expect(answer.json["msg"] == "Successfully created new user.")
        let user = try #require(answer.json["user"])
        let id = try #require(user["_id"]?.stringValue)
        #expect(
            user
                == [
                    "_id": .string(id), "email": "new.comer@example.com", "firstname": "New", "lastname": "Comer", "emailverified": false,
                    "status": 100, "createdAt": .string(testNowISO), "updatedAt": .string(testNowISO), "__v": 0,
                ])

        let signin = emulator.call("POST", "/auth/signin", token: nil, json: ["email": "new.comer@example.com", "password": "s3cret"])
        #expect(signin.status == 200)
        let token = try #require(signin.json["token"]?.stringValue)
        #expect(emulator.call("GET", "/users", authorization: token).json["_id"] == .string(id))
        #expect(emulator.call("GET", "/projects", authorization: token).array.isEmpty)

        let verification = try #require(emulator.sentEmails().last)
        #expect(verification.kind == .verifyEmail)
        #expect(verification.to == "new.comer@example.com")
    }

    @Test func disableEmailSkipsTheVerification() {
        let body: JSON = ["email": "quiet@example.com", "password": "x", "firstname": "Q", "lastname": "T", "disableEmail": true]
        #expect(signup(body).status == 200)
        #expect(emulator.sentEmails().isEmpty)
    }

    @Test func aTakenEmailOrPhoneIs403() {
        let taken: JSON = ["success": false, "message": "Email already registered"]
        let answer = signup(["email": "ALICE@example.com", "password": "x", "firstname": "A", "lastname": "B"])
        #expect(answer.status == 403)
        #expect(answer.json == taken)
        #expect(signup(["email": "p1@example.com", "password": "x", "firstname": "A", "lastname": "B", "phone": " +391234 "]).status == 200)
        #expect(signup(["email": "p2@example.com", "password": "x", "firstname": "A", "lastname": "B", "phone": "+391234"]).json == taken)
    }

    @Test func castAndPhoneFormatFailuresAre500() {
        let failed: JSON = ["success": false, "message": "Registration cannot be completed"]
        #expect(signup(["email": "q@example.com", "password": "x", "firstname": "A", "lastname": "B", "phone": "0123"]).json == failed)
        #expect(signup(["email": "q@example.com", "password": ["x"], "firstname": "A", "lastname": "B"]).json == failed)
        #expect(signup(["email": ["q@example.com"], "password": "x", "firstname": "A", "lastname": "B"]).status == 500)
        #expect(signup(newcomer("q@example.com")).status == 200)
    }

    @Test func theInvitedAddressBecomesATeammateAndTheInvitationGoes() throws {
        let answer = signup(newcomer())
        #expect(answer.status == 200)
        let userID = try #require(answer.json["user", "_id"]?.stringValue)
        #expect(emulator.call("GET", "/\(P1)/pendinginvitations").array.isEmpty)
        let row = try #require(emulator.call("GET", "/\(P1)/project_users/users/\(userID)").array.first)
        let expected: JSONObject = [
            "role": "agent", "roleType": 1, "user_available": true, "status": "active", "trashed": false,
            "createdBy": .string(Seed.ownerUserID), "createdAt": .string(testNowISO),
        ]
        for (key, value) in expected { #expect(row[key] == value, "\(key)") }
        #expect(row["id_user", "email"] == "pending@example.com")
        #expect(emulator.call("GET", "/\(P1)/project_users").array.count == 5)
    }

    @Test func everyProjectsInvitationConvertsAndUpsertedOnesStay() throws {
        emulator.call("POST", "/\(P2)/project_users/invite", token: Seed.oscarToken, json: ["email": "Pending@Example.com", "role": "admin"])
        let dead = "65f0000000000000000000ce"
        emulator.call("PUT", "/\(P1)/pendinginvitations/\(dead)", json: ["email": "pending@example.com", "role": "agent"])
        let raw = emulator.call("POST", "/\(P1)/pendinginvitations", json: ["email": "pending@example.com", "role": "supervisor"])
        let rawID = try #require(raw.json["_id"]?.stringValue)

        let answer = signup(newcomer())
        let userID = try #require(answer.json["user", "_id"]?.stringValue)
        let signin = emulator.call("POST", "/auth/signin", token: nil, json: ["email": "pending@example.com", "password": "s3cret"])
        let token = try #require(signin.json["token"]?.stringValue)
        let memberships = emulator.call("GET", "/projects", authorization: token).array
        #expect(memberships.map { $0["id_project", "_id"] } == [.string(P2), .string(P1), nil])
        #expect(memberships.last?["id_project"] == nil)
        #expect(emulator.call("GET", "/\(P2)/project_users/me", authorization: token).array.first?["role"] == "admin")

        // The upserted invitation has no createdBy: it cannot become a membership and stays.
        #expect(emulator.call("GET", "/auth/pendinginvitationsnoauth/\(dead)", token: nil).status == 200)
        // The raw one had no project: it became a membership of no project.
        #expect(emulator.call("GET", "/auth/pendinginvitationsnoauth/\(rawID)", token: nil).status == 404)
        let orphan = emulator.withState { state in
            (state.membershipsByUser[userID] ?? []).compactMap { state.projectUsers[$0] }.filter { $0.idProject == nil }
        }
        #expect(orphan.count == 1)
        #expect(orphan.first?.roleString == "supervisor")
    }

    @Test func anAuthorizationHeaderMustBeAnIssuedToken() {
        let failed = signup(newcomer(), authorization: "JWT not-a-token")
        #expect(failed.status == 500)
        #expect(failed.json == ["success": false, "message": "Registration cannot be completed"])
        // The user was saved before the check; the invitation was not converted.
        #expect(emulator.call("POST", "/auth/signin", token: nil, json: ["email": "pending@example.com", "password": "s3cret"]).status == 200)
        #expect(emulator.call("GET", "/\(P1)/pendinginvitations").array.count == 1)

        #expect(signup(newcomer("other@example.com"), authorization: "JWT \(Seed.ownerToken)").status == 200)
    }
}
