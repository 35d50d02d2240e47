import JSONCore
import Testing

@testable import TiledeskSandbox

/// `/:pid/groups` (tiledesk-server routes/group.js).
@Suite struct GroupTests {
    let emulator = makeEmulator()
    let groups = "/\(P1)/groups"

    func members(_ id: String) -> [JSON] { emulator.call("GET", "\(groups)/\(id)").json["members"]?.arrayValue ?? [] }

    /// A group of the other project, made by its owner.
    func otherProjectGroup() throws -> String {
        let answer = emulator.call("POST", "/\(P2)/groups", token: Seed.oscarToken, json: ["name": "Far", "members": [.string(Seed.aliceUserID)]])
        return try #require(answer.json["_id"]?.stringValue)
    }

    @Test func theSeededGroups() throws {
        let items = emulator.call("GET", groups, token: Seed.bobToken).array
        #expect(ids(items) == [Seed.supportGroupID, Seed.nightShiftGroupID, Seed.billingGroupID])
        #expect(
            items.first
                == [
                    "_id": .string(Seed.supportGroupID), "name": "Support team", "members": [.string(Seed.aliceUserID), .string(Seed.bobUserID)],
                    "id_project": .string(P1), "enabled": true, "trashed": false, "createdBy": .string(Seed.ownerUserID),
                    "createdAt": "2026-01-15T10:00:00.000Z", "updatedAt": "2026-01-15T10:00:00.000Z", "__v": 0,
                ])
        #expect(items[1]["enabled"] == false)
    }

    @Test func memberFilter() {
        #expect(ids(emulator.call("GET", "\(groups)?member=\(Seed.aliceUserID)").array) == [Seed.supportGroupID])
        #expect(ids(emulator.call("GET", "\(groups)?member=\(Seed.adminUserID)").array) == [Seed.nightShiftGroupID, Seed.billingGroupID])
        #expect(emulator.call("GET", "\(groups)?member=\(Seed.aliceUserID)&member=\(Seed.adminUserID)").array.count == 3)
        #expect(emulator.call("GET", "\(groups)?member=\(Seed.ownerUserID)").array.isEmpty)
        #expect(emulator.call("GET", "\(groups)?member=").array.count == 3)
    }

    @Test func getIsUnscopedAndShowsTrashedGroups() throws {
        let other = try otherProjectGroup()
        #expect(emulator.call("GET", "\(groups)/\(other)").json["id_project"] == .string(P2))
        emulator.call("DELETE", "\(groups)/\(Seed.billingGroupID)")
        let trashed = emulator.call("GET", "\(groups)/\(Seed.billingGroupID)")
        #expect(trashed.status == 200)
        #expect(trashed.json["trashed"] == true)
        #expect(trashed.json["enabled"] == false)
        #expect(!ids(emulator.call("GET", groups).array).contains(Seed.billingGroupID))
        #expect(emulator.call("GET", "\(groups)/65f0000000000000000000df").json == msgBody("Object not found."))
        #expect(emulator.call("GET", "\(groups)/nope").json == msgBody("Error getting object."))
    }

    @Test func createNeedsANameAndCastsMembers() throws {
        let answer = emulator.call("POST", groups, token: Seed.aliceToken, json: ["name": "Solo", "members": .string(Seed.bobUserID), "enabled": false])
        #expect(answer.status == 200)
        let id = try #require(answer.json["_id"]?.stringValue)
        #expect(
            answer.json
                == [
                    "_id": .string(id), "name": "Solo", "members": [.string(Seed.bobUserID)], "id_project": .string(P1), "enabled": true,
                    "trashed": false, "createdBy": .string(Seed.aliceUserID), "createdAt": .string(testNowISO),
                    "updatedAt": .string(testNowISO), "__v": 0,
                ])
        #expect(emulator.call("POST", groups, json: ["name": "Empty"]).json["members"] == [])
        for body: JSON in [[:], ["name": ""], ["name": ["x": 1]], ["members": []]] {
            #expect(emulator.call("POST", groups, json: body).json == msgBody("Error saving object."))
        }
        #expect(emulator.call("GET", groups).array.count == 5)
    }

    @Test func putChangesOnlyWhatIsSentAndNeverEnabled() {
        let answer = emulator.call(
            "PUT", "\(groups)/\(Seed.nightShiftGroupID)",
            json: ["members": [.string(Seed.bobUserID), "not-even-an-id"], "enabled": true, "name": nil, "attributes": ["tier": 2]])
        #expect(answer.status == 200)
        #expect(answer.json["name"] == "Night shift")
        #expect(answer.json["members"] == [.string(Seed.bobUserID), "not-even-an-id"])
        #expect(answer.json["enabled"] == false)
        #expect(answer.json["attributes"] == ["tier": 2])
        #expect(answer.json["updatedAt"] == .string(testNowISO))
    }

    @Test func trashingThroughPutSkipsTheDepartmentCheck() {
        let answer = emulator.call("PUT", "\(groups)/\(Seed.supportGroupID)", json: ["trashed": "true"])
        #expect(answer.json["trashed"] == true)
        #expect(answer.json["enabled"] == true)
        #expect(!ids(emulator.call("GET", groups).array).contains(Seed.supportGroupID))
        #expect(emulator.call("GET", "/\(P1)/departments/\(Seed.supportDepartmentID)", token: nil).json["id_group"] == .string(Seed.supportGroupID))
    }

    @Test func putUpsertsAndIsUnscoped() throws {
        let id = "65f0000000000000000000de"
        let answer = emulator.call("PUT", "\(groups)/\(id)", json: ["name": "Orphan"])
        #expect(answer.json == ["_id": .string(id), "name": "Orphan", "createdAt": .string(testNowISO), "updatedAt": .string(testNowISO)])
        #expect(emulator.call("GET", groups).array.count == 3)

        let other = try otherProjectGroup()
        #expect(emulator.call("PUT", "\(groups)/\(other)", json: ["members": []]).json["id_project"] == .string(P2))
        #expect(emulator.call("GET", "/\(P2)/groups/\(other)", token: Seed.oscarToken).json["members"] == [])

        #expect(emulator.call("PUT", "\(groups)/nope", json: ["name": "x"]).json == msgBody("Error updating object."))
        #expect(emulator.call("PUT", "\(groups)/\(Seed.billingGroupID)", json: ["name": ["x"]]).json == msgBody("Error updating object."))
        #expect(emulator.call("PUT", "\(groups)/\(Seed.billingGroupID)", json: ["trashed": "maybe"]).status == 500)
    }

    @Test func enableAndDisable() {
        #expect(emulator.call("PUT", "\(groups)/disable/\(Seed.billingGroupID)").json["enabled"] == false)
        #expect(emulator.call("PUT", "\(groups)/enable/\(Seed.billingGroupID)").json["enabled"] == true)
        #expect(emulator.call("PUT", "\(groups)/enable/\(Seed.nightShiftGroupID)", token: Seed.bobToken).json["enabled"] == true)

        let linked = emulator.call("PUT", "\(groups)/disable/\(Seed.supportGroupID)")
        #expect(linked.status == 403)
        #expect(linked.json == errorBody("Unable to disabled a group associated with a department"))
        #expect(emulator.call("PUT", "\(groups)/disable/\(Seed.nightShiftGroupID)").status == 403)
        // The check looks at the URL's project only.
        #expect(emulator.call("PUT", "/\(P2)/groups/disable/\(Seed.supportGroupID)", token: Seed.oscarToken).json["enabled"] == false)

        let id = "65f0000000000000000000dd"
        #expect(
            emulator.call("PUT", "\(groups)/enable/\(id)").json
                == ["_id": .string(id), "enabled": true, "createdAt": .string(testNowISO), "updatedAt": .string(testNowISO)])
        #expect(emulator.call("PUT", "\(groups)/enable/nope").json == errorBody("Error enabling group"))
        #expect(emulator.call("PUT", "\(groups)/disable/nope").json == errorBody("Error disabling group"))
        // `enable` with no id is `PUT /:id` with a malformed id.
        #expect(emulator.call("PUT", "\(groups)/enable", json: [:]).json == msgBody("Error updating object."))
    }

    @Test func softDelete() {
        let deleted: JSON = ["success": true, "message": "Group successfully deleted"]
        #expect(emulator.call("DELETE", "\(groups)/\(Seed.billingGroupID)").json == deleted)
        #expect(emulator.call("DELETE", "\(groups)/65f0000000000000000000dc").json == deleted)
        #expect(emulator.call("GET", "\(groups)/65f0000000000000000000dc").status == 404)
        let linked = emulator.call("DELETE", "\(groups)/\(Seed.supportGroupID)")
        #expect(linked.status == 403)
        #expect(linked.json == errorBody("Unable to delete a group associated with a department"))
        let malformed = emulator.call("DELETE", "\(groups)/nope")
        #expect(malformed.status == 500)
        #expect(malformed.json == msgBody("Error deleting group"))
    }

    @Test func forcedDeleteIsPhysical() throws {
        let billing = emulator.call("GET", "\(groups)/\(Seed.billingGroupID)").json
        #expect(emulator.call("DELETE", "\(groups)/\(Seed.billingGroupID)?force=true").json == billing)
        #expect(emulator.call("GET", "\(groups)/\(Seed.billingGroupID)").status == 404)
        let unknown = emulator.call("DELETE", "\(groups)/\(Seed.billingGroupID)?force=true")
        #expect(unknown.status == 200)
        #expect(unknown.response.body.isEmpty)
        #expect(unknown.header("content-type") == nil)
        #expect(unknown.header("etag") == ETag.weak([]))
        #expect(emulator.call("DELETE", "\(groups)/\(Seed.supportGroupID)?force=true").status == 403)
    }

    @Test func theGateIsAgentOrTheAdminEmail() throws {
        #expect(emulator.call("GET", groups, token: Seed.ninaToken).json == msgBody("you dont belong to the project."))
        #expect(emulator.call("POST", groups, token: nil, json: ["name": "x"]).status == 401)
        #expect(emulator.call("PATCH", groups, token: nil).status == 401)

        // `ADMIN_EMAIL` defaults to admin@tiledesk.com on the routes that also admit types.
        emulator.call("POST", "/auth/signup", token: nil, json: ["email": "admin@tiledesk.com", "password": "pw", "firstname": "S", "lastname": "A"])
        let signin = emulator.call("POST", "/auth/signin", token: nil, json: ["email": "admin@tiledesk.com", "password": "pw"])
        let token = try #require(signin.json["token"]?.stringValue)
        #expect(emulator.call("GET", groups, authorization: token).status == 200)
        #expect(emulator.call("GET", "/\(P1)/project_users", authorization: token).status == 200)
        #expect(emulator.call("GET", "/\(P1)/departments/allstatus", authorization: token).status == 200)
        #expect(emulator.call("GET", "/\(P1)/project_users/me", authorization: token).json == ["err": "error"])
        #expect(emulator.call("GET", "/\(P1)/pendinginvitations", authorization: token).json == msgBody("you dont belong to the project."))
    }

    @Test func trashingOrDeletingATeammatePullsThemFromTheProjectsGroups() throws {
        let other = try otherProjectGroup()
        let team = "/\(P1)/project_users"
        emulator.call("DELETE", "\(team)/\(Seed.bobTeammateID)")
        #expect(members(Seed.supportGroupID) == [.string(Seed.aliceUserID), .string(Seed.bobUserID)])

        emulator.call("DELETE", "\(team)/\(Seed.aliceTeammateID)?soft=true")
        #expect(members(Seed.supportGroupID) == [.string(Seed.bobUserID)])
        #expect(emulator.call("GET", "\(groups)/\(Seed.billingGroupID)").json["updatedAt"] == .string(testNowISO))
        // Another project's group keeps Alice; restoring her does not put her back.
        #expect(emulator.call("GET", "/\(P2)/groups/\(other)", token: Seed.oscarToken).json["members"] == [.string(Seed.aliceUserID)])
        emulator.call("PUT", "\(team)/\(Seed.aliceTeammateID)/restore")
        #expect(members(Seed.supportGroupID) == [.string(Seed.bobUserID)])

        emulator.call("DELETE", "\(team)/\(Seed.adminTeammateID)?hard=true")
        #expect(members(Seed.billingGroupID) == [])
        #expect(members(Seed.nightShiftGroupID) == [])
    }
}
