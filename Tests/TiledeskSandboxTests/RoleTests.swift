import JSONCore
import Testing

@testable import TiledeskSandbox

/// `/:pid/roles` (tiledesk-server routes/roles.js) and what a custom role does.
@Suite struct RoleTests {
    let emulator = makeEmulator()
    let roles = "/\(P1)/roles"
    let triage: JSON = [
        "_id": .string(Seed.triageRoleID), "name": "triage", "permissions": ["request_read_group"], "id_project": .string(P1), "__v": 0,
    ]

    func create(_ names: [String]) {
        for name in names { emulator.call("POST", roles, json: ["name": .string(name)]) }
    }

    @Test func theSeededRole() {
        #expect(emulator.call("GET", roles, token: Seed.aliceToken).json == [triage])
        #expect(emulator.call("GET", "\(roles)/\(Seed.triageRoleID)").json == triage)
        #expect(emulator.call("GET", "/\(P2)/roles", token: Seed.oscarToken).json == [])
        // Unscoped by id.
        #expect(emulator.call("GET", "/\(P2)/roles/\(Seed.triageRoleID)", token: Seed.oscarToken).json == triage)
        #expect(emulator.call("GET", "\(roles)/65f0000000000000000000ff").json == msgBody("Object not found."))
        #expect(emulator.call("GET", "\(roles)/nope").json == msgBody("Error getting object."))
    }

    @Test func listPagesAndSorts() {
        create(["b", "c", "a"])
        #expect(emulator.call("GET", roles).array.map { $0["name"] } == ["triage", "b", "c", "a"])
        #expect(emulator.call("GET", "\(roles)?limit=2").array.map { $0["name"] } == ["triage", "b"])
        #expect(emulator.call("GET", "\(roles)?limit=2&page=1").array.map { $0["name"] } == ["c", "a"])
        #expect(emulator.call("GET", "\(roles)?limit=2abc&page=3").array.isEmpty)
        #expect(emulator.call("GET", "\(roles)?sort=name").array.map { $0["name"] } == ["triage", "c", "b", "a"])
        #expect(emulator.call("GET", "\(roles)?sort=name&direction=asc").array.map { $0["name"] } == ["a", "b", "c", "triage"])
        #expect(emulator.call("GET", "\(roles)?limit=0").array.count == 4)
    }

    @Test func queriesMongoRefusesNeverGetAnAnswer() {
        for query in ["limit=many", "page=x", "page=-1", "sort=name&direction=up"] {
            let answer = emulator.call("GET", "\(roles)?\(query)")
            #expect(answer.status == 500)
            #expect(answer.json["never_answered"] == true)
        }
    }

    @Test func createNeedsAName() throws {
        let answer = emulator.call("POST", roles, token: Seed.bobToken, json: ["name": "lead", "permissions": "request_read_all", "createdBy": "x"])
        let id = try #require(answer.json["_id"]?.stringValue)
        #expect(answer.json == ["_id": .string(id), "name": "lead", "permissions": ["request_read_all"], "id_project": .string(P1), "__v": 0])
        #expect(emulator.call("POST", roles, json: ["name": "empty"]).json["permissions"] == [])
        for body: JSON in [[:], ["name": ""], ["name": "x", "permissions": [["a": 1]]]] {
            #expect(emulator.call("POST", roles, json: body).json == msgBody("Error inserting object."))
        }
    }

    @Test func putUpsertsAndDeleteAnswersTheRole() {
        let renamed = emulator.call("PUT", "\(roles)/\(Seed.triageRoleID)", json: ["name": "triage2", "permissions": nil])
        #expect(renamed.json["name"] == "triage2")
        #expect(renamed.json["permissions"] == ["request_read_group"])
        let id = "65f0000000000000000000fe"
        #expect(emulator.call("PUT", "\(roles)/\(id)", json: ["permissions": ["x"]]).json == ["_id": .string(id), "permissions": ["x"]])
        #expect(emulator.call("GET", roles).array.count == 1)
        #expect(emulator.call("PUT", "\(roles)/nope", json: [:]).json == msgBody("Error updating object."))

        #expect(emulator.call("DELETE", "\(roles)/\(Seed.triageRoleID)").json["name"] == "triage2")
        let again = emulator.call("DELETE", "\(roles)/\(Seed.triageRoleID)")
        #expect(again.status == 200)
        #expect(again.text == "null")
        #expect(emulator.call("DELETE", "\(roles)/nope").json == msgBody("Error deleting object."))
    }

    @Test func theGateIsAgentWithNoTypes() {
        #expect(emulator.call("GET", roles, token: Seed.ninaToken).json == msgBody("you dont belong to the project."))
        #expect(emulator.call("GET", roles, token: nil).status == 401)
        #expect(emulator.call("PATCH", roles).status == 404)
    }

    @Test func aMemberWithTheCustomRoleSeesItsPermissionsInMe() throws {
        emulator.call("PUT", "/\(P1)/project_users/\(Seed.bobTeammateID)", json: ["role": "triage"])
        let me = try #require(emulator.call("GET", "/\(P1)/project_users/me", token: Seed.bobToken).array.first)
        #expect(me["rolePermissions"] == ["request_read_group"])
        let keys = me.objectValue?.keys ?? []
        #expect(Array(keys.suffix(4)) == ["rolePermissions", "id", "isAuthenticated", "isBusy"])
        // A custom role passes every gate, the admin one included.
        #expect(emulator.call("POST", "/\(P1)/project_users/invite", token: Seed.bobToken, json: ["email": "nina@example.com", "role": "agent"]).status == 200)
        // A standard role without a Role document shows none.
        #expect(emulator.call("GET", "/\(P1)/project_users/me", token: Seed.aliceToken).array.first?["rolePermissions"] == nil)
    }
}
