import JSONCore
import Testing

@testable import TiledeskSandbox

/// `/:pid/departments` (tiledesk-server routes/department.js).
@Suite struct DepartmentTests {
    let emulator = makeEmulator()
    let departments = "/\(P1)/departments"

    @Test func thePublicListShowsStatusOneWithoutAuth() {
        let answer = emulator.call("GET", departments, token: nil)
        #expect(answer.status == 200)
        #expect(ids(answer.array) == [Seed.defaultDepartmentID, Seed.supportDepartmentID, Seed.legacyDeskDepartmentID])
        let sorted = emulator.call("GET", "\(departments)?sort=yes", token: nil).array
        #expect(sorted.map { $0["name"] } == ["Default Department", "Legacy desk", "Support"])
    }

    @Test func allstatusNeedsAnAgentAndHidesOnlyMinusOne() {
        #expect(emulator.call("GET", "\(departments)/allstatus", token: nil).status == 401)
        #expect(emulator.call("GET", "\(departments)/allstatus", token: Seed.ninaToken).json == msgBody("you dont belong to the project."))
        let all = emulator.call("GET", "\(departments)/allstatus", token: Seed.bobToken)
        #expect(
            ids(all.array)
                == [Seed.defaultDepartmentID, Seed.supportDepartmentID, Seed.nightDeskDepartmentID, Seed.legacyDeskDepartmentID])
        emulator.call("PATCH", "\(departments)/\(Seed.legacyDeskDepartmentID)", json: ["status": -1])
        #expect(emulator.call("GET", "\(departments)/allstatus").array.count == 3)
        #expect(emulator.call("GET", departments, token: nil).array.count == 2)
    }

    @Test func theSeededDepartmentsAsToJSONWritesThem() {
        let support = emulator.call("GET", "\(departments)/\(Seed.supportDepartmentID)", token: nil)
        #expect(
            support.json
                == [
                    "_id": .string(Seed.supportDepartmentID), "routing": "assigned", "name": "Support", "id_project": .string(P1),
                    "id_group": .string(Seed.supportGroupID), "groups": [], "default": false, "tags": [], "status": 1,
                    "createdBy": .string(Seed.ownerUserID), "createdAt": "2026-01-15T10:15:00.000Z",
                    "updatedAt": "2026-01-15T10:15:00.000Z", "__v": 0, "hasBot": false, "id": .string(Seed.supportDepartmentID),
                ])
        let night = emulator.call("GET", "\(departments)/\(Seed.nightDeskDepartmentID)", token: nil).json
        #expect(night["status"] == 0)
        #expect(emulator.call("GET", "/\(P1)/groups/\(night["id_group"]?.stringValue ?? "")").json["enabled"] == false)
        let legacy = emulator.call("GET", "\(departments)/\(Seed.legacyDeskDepartmentID)", token: nil).json
        #expect(emulator.call("GET", "/\(P1)/groups/\(legacy["id_group"]?.stringValue ?? "")").status == 404)
    }

    @Test func getByIDIsPublicUnscopedAndKnowsDefault() {
        #expect(emulator.call("GET", "\(departments)/default", token: nil).json["_id"] == .string(Seed.defaultDepartmentID))
        #expect(emulator.call("GET", "/\(P2)/departments/\(Seed.supportDepartmentID)", token: nil).json["name"] == "Support")
        #expect(emulator.call("GET", "/\(P2)/departments/default", token: nil).json == .null)
        #expect(emulator.call("GET", "\(departments)/65f0000000000000000000ef", token: nil).json == msgBody("Object not found."))
        #expect(emulator.call("GET", "\(departments)/nope", token: nil).json == msgBody("Error getting object."))
        // The operators route is not emulated (the real one can hang).
        #expect(emulator.call("GET", "\(departments)/\(Seed.supportDepartmentID)/operators").status == 404)
    }

    @Test func createAppliesTheSchemaDefaults() throws {
        #expect(emulator.call("POST", departments, token: Seed.aliceToken, json: ["name": "x"]).json == msgBody("you dont have the required role."))
        let answer = emulator.call(
            "POST", departments, token: Seed.adminToken,
            json: ["name": "Sales", "id_project": .string(P2), "id_bot": "", "bot_only": true, "id_group": .string(Seed.missingGroupID)])
        #expect(answer.status == 200)
        let id = try #require(answer.json["_id"]?.stringValue)
        #expect(
            answer.json
                == [
                    "_id": .string(id), "routing": "pooled", "name": "Sales", "id_project": .string(P1),
                    "id_group": .string(Seed.missingGroupID), "groups": [], "default": false, "tags": [], "status": 1,
                    "createdBy": .string(Seed.adminUserID), "createdAt": .string(testNowISO), "updatedAt": .string(testNowISO), "__v": 0,
                    "hasBot": false, "id": .string(id),
                ])
        let bot = emulator.call("POST", departments, json: ["name": "Bot", "id_bot": "bot1", "bot_only": true, "groups": [["group_id": "g", "percentage": "50"]]])
        #expect(bot.json["hasBot"] == true)
        #expect(bot.json["bot_only"] == true)
        #expect(bot.json["groups"]?.arrayValue?.first?["percentage"] == 50)
        #expect(bot.json["groups"]?.arrayValue?.first?["_id"]?.stringValue?.utf8.count == 24)
        for body: JSON in [[:], ["name": ""], ["name": "x", "groups": [["group_id": "g"]]], ["name": "x", "status": "high"]] {
            #expect(emulator.call("POST", departments, json: body).json == msgBody("Error saving object."))
        }
    }

    @Test func putClearsTheGroupAndBotItWasNotSent() {
        let answer = emulator.call("PUT", "\(departments)/\(Seed.supportDepartmentID)", json: ["name": "Help"])
        #expect(answer.status == 200)
        #expect(answer.json["name"] == "Help")
        #expect(answer.json["id_group"] == .null)
        #expect(answer.json["id_bot"] == .null)
        #expect(answer.json["hasBot"] == false)
        #expect(answer.json["routing"] == "assigned")
        // Sent explicitly, they stay.
        let kept = emulator.call("PUT", "\(departments)/\(Seed.supportDepartmentID)", json: ["id_group": .string(Seed.supportGroupID), "id_bot": "b"])
        #expect(kept.json["id_group"] == .string(Seed.supportGroupID))
        #expect(kept.json["hasBot"] == true)
    }

    @Test func patchKeepsWhatItIsNotSentAndCannotUnlink() {
        let renamed = emulator.call("PATCH", "\(departments)/\(Seed.supportDepartmentID)", json: ["name": "Help", "id_group": nil, "online_msg": "hi"])
        #expect(renamed.json["name"] == "Help")
        #expect(renamed.json["id_group"] == .string(Seed.supportGroupID))
        #expect(renamed.json["online_msg"] == nil)
        #expect(emulator.call("PATCH", "\(departments)/nope", json: [:]).json == msgBody("Error patching object."))
        #expect(emulator.call("PUT", "\(departments)/nope", json: [:]).json == msgBody("Error updating object."))
        #expect(emulator.call("PATCH", "\(departments)/\(Seed.supportDepartmentID)", token: Seed.bobToken, json: [:]).status == 403)
    }

    @Test func writesUpsertBareDocuments() {
        let id = "65f0000000000000000000ee"
        let answer = emulator.call("PUT", "\(departments)/\(id)", json: ["status": 1])
        #expect(
            answer.json
                == [
                    "_id": .string(id), "id_bot": nil, "id_group": nil, "status": 1, "createdAt": .string(testNowISO),
                    "updatedAt": .string(testNowISO), "hasBot": false, "id": .string(id),
                ])
        #expect(emulator.call("GET", "\(departments)/allstatus").array.count == 4)
    }

    @Test func deleteIsPhysicalAndMayRemoveTheDefault() {
        let removed = emulator.call("DELETE", "\(departments)/\(Seed.defaultDepartmentID)")
        #expect(removed.json["default"] == true)
        #expect(emulator.call("GET", "\(departments)/default", token: nil).json == .null)
        let again = emulator.call("DELETE", "\(departments)/\(Seed.defaultDepartmentID)")
        #expect(again.status == 200)
        #expect(again.text == "null")
        #expect(emulator.call("DELETE", "\(departments)/nope").json == msgBody("Error deleting object."))
        // With the department gone, its group can be deleted.
        emulator.call("DELETE", "\(departments)/\(Seed.supportDepartmentID)")
        #expect(emulator.call("DELETE", "/\(P1)/groups/\(Seed.supportGroupID)").json["success"] == true)
    }
}
