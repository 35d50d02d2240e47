import JSONCore
import TiledeskAPI
import Testing

@testable import TiledeskSandbox

/// Reference §3: GET/PUT /users.
@Suite struct CurrentUserTests {
    let emulator = makeEmulator()

    @Test func getIsTheFiveFieldProjection() {
        let answer = emulator.call("GET", "/users")
        #expect(answer.status == 200)
        #expect(answer.isJSON)
        #expect(answer.header("content-type") == "application/json; charset=utf-8")
        #expect(answer.json.objectValue?.keys == ["_id", "email", "firstname", "lastname", "emailverified"])
        #expect(
            answer.json
                == [
                    "_id": .string(Seed.ownerUserID), "email": .string(Seed.ownerEmail), "firstname": "Olivia", "lastname": "Owner",
                    "emailverified": true,
                ])
        #expect(emulator.call("GET", "/users/").status == 200)
    }

    @Test func putAppliesTheWhitelistAndReturnsTheFullDocument() {
        let answer = emulator.call(
            "PUT", "/users/",
            json: [
                "firstname": "Liv", "lastname": nil, "attributes": ["team": "blue"], "description": "Boss",
                "public_email": "liv@example.com", "public_website": "https://example.com", "phone": " +3912345 ",
                "email": "hacker@example.com", "status": 0, "password": "x",
            ])
        #expect(answer.status == 200)
        #expect(answer.json["success"] == true)
        let user = answer.json["updatedUser"]
        #expect(user?["_id"] == .string(Seed.ownerUserID))
        #expect(user?["email"] == .string(Seed.ownerEmail))
        #expect(user?["firstname"] == "Liv")
        #expect(user?["lastname"] == "Owner")
        #expect(user?["attributes"] == ["team": "blue"])
        #expect(user?["description"] == "Boss")
        #expect(user?["public_email"] == "liv@example.com")
        #expect(user?["public_website"] == "https://example.com")
        #expect(user?["phone"] == "+3912345")
        #expect(user?["status"] == 100)
        #expect(user?["emailverified"] == true)
        #expect(user?["__v"] == 0)
        #expect(user?["createdAt"] == "2026-01-15T08:00:00.000Z")
        #expect(user?["updatedAt"] == .string(testNowISO))
        #expect(user?["password"] == nil)
        #expect(user?["id"] == nil)

        #expect(emulator.call("GET", "/users").json["firstname"] == "Liv")
        // Basic auth still uses the unchanged email.
        #expect(emulator.call("GET", "/users", authorization: basic(Seed.ownerEmail, Seed.password)).status == 200)
    }

    @Test func attributesAreReplacedNotMerged() {
        emulator.call("PUT", "/users", json: ["attributes": ["a": 1, "b": 2]])
        let answer = emulator.call("PUT", "/users", json: ["attributes": ["c": 3]])
        #expect(answer.json["updatedUser", "attributes"] == ["c": 3])
    }

    @Test func castFailureIs500WithTheRawError() {
        let answer = emulator.call("PUT", "/users", json: ["firstname": ["nested": true]])
        #expect(answer.status == 500)
        #expect(answer.json["success"] == false)
        #expect(answer.json["msg", "name"] == "CastError")
        #expect(answer.json["msg", "path"] == "firstname")
        #expect(emulator.call("GET", "/users").json["firstname"] == "Olivia")
    }

    @Test func duplicatePhoneIs500() {
        #expect(emulator.call("PUT", "/users", token: Seed.bobToken, json: ["phone": "+391111"]).status == 200)
        let answer = emulator.call("PUT", "/users", json: ["phone": "+391111"])
        #expect(answer.status == 500)
        #expect(answer.json["msg", "code"] == 11000)
    }

    @Test func usersUtilIsPublic() {
        let answer = emulator.call("GET", "/users_util/\(Seed.aliceUserID)", token: nil)
        #expect(answer.json == ["_id": .string(Seed.aliceUserID), "firstname": "Alice", "lastname": "Agent"])
        #expect(emulator.call("GET", "/users_util/xyz", token: nil).json == msgBody("User id not found"))
        #expect(emulator.call("GET", "/users_util/65f0000000000000000000ff", token: nil).json == msgBody("Object not found."))
    }
}

/// Reference §4: GET /projects.
@Suite struct ProjectsTests {
    let emulator = makeEmulator()

    @Test func ownerSeesTheDemoProjectPopulated() throws {
        let answer = emulator.call("GET", "/projects")
        #expect(answer.status == 200)
        let items = answer.array
        #expect(items.count == 1)
        let row = try #require(items.first)
        #expect(row["_id"] == .string(Seed.ownerTeammateID))
        #expect(row["id_user"] == .string(Seed.ownerUserID))
        #expect(row["role"] == "owner")
        #expect(row["isBusy"] == nil)
        let project = try #require(row["id_project"])
        #expect(project["_id"] == .string(P1))
        #expect(project["id"] == .string(P1))
        #expect(project["name"] == "Demo Support")
        #expect(project["status"] == 100)
        #expect(project["createdBy"] == .string(Seed.ownerUserID))
        #expect(project["trialExpired"] == false)
        #expect(project["isActiveSubscription"] == false)
        #expect(project["profile", "name"] == "Sandbox")
        // Created 2026-01-15T09:00Z, trial 14 days, now 2026-02-01T00:00Z: 2 days past the end.
        #expect(project["trialDaysLeft"] == 2)
        #expect(project["jwtSecret"] == nil)
        let keys = project.objectValue?.keys ?? []
        #expect(Array(keys.suffix(4)) == ["id", "trialExpired", "trialDaysLeft", "isActiveSubscription"])
    }

    @Test func eachUserSeesOnlyTheirProjects() {
        #expect(ids(emulator.call("GET", "/projects", token: Seed.oscarToken).array) == [Seed.oscarTeammateID])
        #expect(emulator.call("GET", "/projects", token: Seed.ninaToken).array.isEmpty)
        #expect(emulator.call("GET", "/projects", token: Seed.aliceToken).array.count == 1)
    }

    @Test func newestProjectFirst() {
        // Oscar (owner of P2) invites Alice; P2 was updated later than P1.
        #expect(emulator.call("POST", "/\(P2)/project_users/invite", token: Seed.oscarToken, json: ["email": "alice@example.com", "role": "agent"]).status == 200)
        let rows = emulator.call("GET", "/projects", token: Seed.aliceToken).array
        #expect(rows.map { $0["id_project", "_id"]?.stringValue } == [P2, P1])
    }

    @Test func disabledAndTrashedMembershipsDropOut() {
        #expect(emulator.call("DELETE", "/\(P1)/project_users/\(Seed.aliceTeammateID)").status == 200)
        #expect(emulator.call("GET", "/projects", token: Seed.aliceToken).array.isEmpty)
        #expect(emulator.call("DELETE", "/\(P1)/project_users/\(Seed.bobTeammateID)?soft=true").status == 200)
        #expect(emulator.call("GET", "/projects", token: Seed.bobToken).array.isEmpty)
    }

    @Test func getOneProject() {
        let mine = emulator.call("GET", "/projects/\(P1)", token: Seed.aliceToken)
        #expect(mine.status == 200)
        #expect(mine.json["name"] == "Demo Support")
        #expect(emulator.call("GET", "/projects/\(P2)").json == msgBody("you dont belong to the project."))
        let invalid = emulator.call("GET", "/projects/bogus")
        #expect(invalid.status == 500)
        #expect(invalid.json == ["err": "error"])
        #expect(emulator.call("GET", "/projects", token: nil).status == 401)
    }
}
