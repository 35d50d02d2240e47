import HTTPCore
import JSONCore
import TiledeskAPI
import Testing

@testable import TiledeskSandbox

/// Reference §5.5: every invite outcome.
@Suite struct InviteTests {
    let emulator = makeEmulator()
    let invite = "/\(P1)/project_users/invite"

    @Test func invitingOneselfIs403Code4000() {
        let answer = emulator.call("POST", invite, json: ["email": "OWNER@example.com", "role": "agent"])
        #expect(answer.status == 403)
        #expect(answer.json == ["success": false, "msg": "Forbidden. It is not allowed to invite oneself", "code": 4000])
    }

    @Test func invitingAMemberIs403Code4001() {
        let answer = emulator.call("POST", invite, json: ["email": "alice@example.com", "role": "agent"])
        #expect(answer.status == 403)
        #expect(answer.json == ["success": false, "msg": "Forbidden. User is already a member", "code": 4001])
    }

    @Test func invitingARegisteredUserAddsAnActiveTeammate() throws {
        let answer = emulator.call("POST", invite, json: ["email": "nina@example.com", "role": "agent"])
        #expect(answer.status == 200)
        let row = answer.json
        let id = try #require(row["_id"]?.stringValue)
        #expect(id.utf8.count == 24)
        #expect(row["id"] == .string(id))
        #expect(row["id_user"] == .string(Seed.ninaUserID))
        #expect(row["id_project"] == .string(P1))
        #expect(row["role"] == "agent")
        #expect(row["roleType"] == 1)
        #expect(row["user_available"] == true)
        #expect(row["status"] == "active")
        #expect(row["trashed"] == false)
        #expect(row["createdBy"] == .string(Seed.ownerUserID))
        #expect(row["createdAt"] == .string(testNowISO))
        #expect(row["isBusy"] == nil)

        // The membership is active at once.
        #expect(emulator.call("GET", "/\(P1)/project_users/me", token: Seed.ninaToken).array.first?["_id"] == .string(id))
        #expect(emulator.call("GET", "/projects", token: Seed.ninaToken).array.count == 1)
        #expect(emulator.call("GET", "/\(P1)/project_users").array.count == 5)
        // And a second invite is now a conflict.
        #expect(emulator.call("POST", invite, json: ["email": "nina@example.com", "role": "agent"]).json["code"] == 4001)
    }

    @Test func userAvailableIsHonouredOnlyWhenBoolean() {
        #expect(emulator.call("POST", invite, json: ["email": "nina@example.com", "role": "agent", "user_available": false]).json["user_available"] == false)
        #expect(emulator.call("POST", "/\(P2)/project_users/invite", token: Seed.oscarToken, json: ["email": "bob@example.com", "role": "agent", "user_available": "no", "userAvailable": false]).json["user_available"] == true)
    }

    @Test func anAdminMayInvite() {
        #expect(emulator.call("POST", invite, token: Seed.adminToken, json: ["email": "nina@example.com", "role": "admin"]).status == 200)
    }

    @Test func unknownEmailBecomesAPendingInvitation() throws {
        let answer = emulator.call("POST", invite, json: ["email": "New.Person@Example.com", "role": "supervisor"])
        #expect(answer.status == 200)
        #expect(answer.json["msg"] == "User not found, save invite in pending ")
        #expect(answer.json["success"] == nil)
        let pending = try #require(answer.json["pendingInvitation"])
        #expect(pending.objectValue?.keys == ["_id", "email", "role", "id_project", "createdBy", "createdAt", "updatedAt", "__v"])
        #expect(pending["email"] == "new.person@example.com")
        #expect(pending["role"] == "supervisor")
        #expect(pending["id_project"] == .string(P1))
        #expect(pending["createdBy"] == .string(Seed.ownerUserID))

        let again = emulator.call("POST", invite, json: ["email": "new.person@example.com", "role": "agent"])
        #expect(again.status == 200)
        #expect(again.json["success"] == false)
        #expect(again.json["msg"] == "Pending Invitation already exist.")
        #expect(again.json["pendinginvitation"] == [pending])
        #expect(emulator.call("GET", "/\(P1)/pendinginvitations").array.count == 2)
    }

    @Test func theSeededPendingInvitationAlreadyExistsWhateverTheRole() {
        let answer = emulator.call("POST", invite, json: ["email": "pending@example.com"])
        #expect(answer.status == 200)
        #expect(answer.json["msg"] == "Pending Invitation already exist.")
        #expect(answer.json["pendinginvitation"]?.arrayValue?.first?["_id"] == .string(Seed.pendingInvitationID))
    }

    @Test func unknownEmailWithoutRoleIsCode405() {
        for body: JSON in [["email": "someone@example.com"], ["email": "someone@example.com", "role": ""], ["email": "someone@example.com", "role": nil]] {
            let answer = emulator.call("POST", invite, json: body)
            #expect(answer.status == 200)
            #expect(answer.json == ["success": false, "msg": "Role is required.", "code": 405])
        }
    }

    @Test func missingEmailGoesDownThePendingPath() {
        let first = emulator.call("POST", invite, json: ["role": "agent"])
        #expect(first.json["msg"] == "User not found, save invite in pending ")
        #expect(first.json["pendingInvitation", "email"] == nil)
        #expect(emulator.call("POST", invite, json: ["role": "agent"]).json["msg"] == "Pending Invitation already exist.")
    }

    @Test func aNonStringEmailThrows() {
        let answer = emulator.call("POST", invite, json: ["email": 42, "role": "agent"])
        #expect(answer.status == 500)
        #expect(answer.json == ["err": "error"])
    }

    @Test func reinvitingADisabledMemberCreatesASecondRow() throws {
        emulator.call("DELETE", "/\(P1)/project_users/\(Seed.aliceTeammateID)")
        let answer = emulator.call("POST", invite, json: ["email": "alice@example.com", "role": "admin"])
        #expect(answer.status == 200)
        let newID = try #require(answer.json["_id"]?.stringValue)
        #expect(newID != Seed.aliceTeammateID)
        let rows = emulator.call("GET", "/\(P1)/project_users?role=agent&role=admin").array
        #expect(rows.filter { $0["id_user", "_id"] == .string(Seed.aliceUserID) }.count == 2)
        // Alice is an admin now, through the new membership.
        #expect(emulator.call("GET", "/\(P1)/project_users/me", token: Seed.aliceToken).array.first?["role"] == "admin")
    }

    @Test func inviteNeedsAdmin() {
        let supervisor = emulator.call("PUT", "/\(P1)/project_users/\(Seed.bobTeammateID)", json: ["role": "supervisor"])
        #expect(supervisor.json["role"] == "supervisor")
        #expect(emulator.call("POST", invite, token: Seed.bobToken, json: ["email": "nina@example.com", "role": "agent"]).json == msgBody("you dont have the required role."))
    }
}

/// Reference §5.6/§5.7: PUT / and PUT /:id.
@Suite struct TeamUpdateTests {
    let emulator = makeEmulator()
    let team = "/\(P1)/project_users"

    @Test func selfUpdateAppliesTheWhitelist() throws {
        let answer = emulator.call(
            "PUT", team + "/", token: Seed.aliceToken,
            json: [
                "user_available": false, "profileStatus": "busy", "max_assigned_chat": "3", "number_assigned_requests": 1,
                "attributes": ["lang": "it"], "tags": [["tag": "t1"]],
                "settings.email.notification.conversation.assigned.toyou": false,
                "settings.email.notification.conversation.pooled": true,
                "role": "owner", "status": "disabled", "id_user": "65f0000000000000000000ff", "unknown": 1, "presence": nil,
            ])
        #expect(answer.status == 200)
        let row = answer.json
        #expect(row["_id"] == .string(Seed.aliceTeammateID))
        #expect(row["user_available"] == false)
        #expect(row["profileStatus"] == "busy")
        #expect(row["max_assigned_chat"] == 3)
        #expect(row["number_assigned_requests"] == 1)
        #expect(row["attributes"] == ["lang": "it"])
        #expect(row["tags"]?.arrayValue?.first?["tag"] == "t1")
        #expect(
            row["settings"]
                == ["email": ["notification": ["conversation": ["assigned": ["toyou": false], "pooled": true]]]])
        #expect(row["role"] == "agent")
        #expect(row["status"] == "active")
        #expect(row["id_user"] == .string(Seed.aliceUserID))
        #expect(row["unknown"] == nil)
        #expect(row["isBusy"] == nil)
        #expect(row["updatedAt"] == .string(testNowISO))
        #expect(row["presence", "status"] == "online")

        // One dotted key later leaves the other in place.
        let second = emulator.call("PUT", team, token: Seed.aliceToken, json: ["settings.email.notification.conversation.pooled": false])
        #expect(second.json["settings", "email", "notification", "conversation", "assigned", "toyou"] == false)
        #expect(second.json["settings", "email", "notification", "conversation", "pooled"] == false)
    }

    @Test func selfUpdateCastErrors() {
        for body: JSON in [["user_available": "abc"], ["max_assigned_chat": "x"], ["tags": ["not-an-object"]], ["profileStatus": ["a"]]] {
            let answer = emulator.call("PUT", team, token: Seed.aliceToken, json: body)
            #expect(answer.status == 500)
            #expect(answer.json == msgBody("Error updating object."))
        }
        // Nothing was applied.
        #expect(emulator.call("GET", "\(team)/\(Seed.aliceTeammateID)").json["user_available"] == true)
    }

    @Test func selfUpdateAcceptsMongooseCasts() {
        let answer = emulator.call("PUT", team, token: Seed.aliceToken, json: ["user_available": "no", "max_assigned_chat": true])
        #expect(answer.json["user_available"] == false)
        #expect(answer.json["max_assigned_chat"] == 1)
    }

    @Test func emptySelfUpdateIsANoOp() {
        let answer = emulator.call("PUT", team, token: Seed.bobToken, json: [:])
        #expect(answer.status == 200)
        #expect(answer.json["user_available"] == false)
        #expect(emulator.call("PUT", team, token: Seed.ninaToken, json: [:]).status == 403)
    }

    @Test func adminUpdateSetsRoleAndStatus() {
        let answer = emulator.call("PUT", "\(team)/\(Seed.bobTeammateID)", token: Seed.adminToken, json: ["role": "supervisor", "status": "disabled"])
        #expect(answer.status == 200)
        #expect(answer.json["role"] == "supervisor")
        #expect(answer.json["status"] == "disabled")
        #expect(answer.json["id_user"] == .string(Seed.bobUserID))
        #expect(emulator.call("GET", "\(team)/me", token: Seed.bobToken).json == msgBody("you dont belong to the project."))

        let weird = emulator.call("PUT", "\(team)/\(Seed.bobTeammateID)", json: ["status": "banned"])
        #expect(weird.json["status"] == "disabled")
        #expect(emulator.call("PUT", "\(team)/\(Seed.bobTeammateID)", json: ["status": "active"]).json["status"] == "active")
        #expect(emulator.call("GET", "\(team)/me", token: Seed.bobToken).status == 200)
    }

    @Test func adminUpdateNeedsAdmin() {
        #expect(emulator.call("PUT", "\(team)/\(Seed.bobTeammateID)", token: Seed.aliceToken, json: ["role": "admin"]).json == msgBody("you dont have the required role."))
    }

    @Test func adminUpdateWithAMalformedIDIs500() {
        let answer = emulator.call("PUT", "\(team)/nope", json: ["role": "agent"])
        #expect(answer.status == 500)
        #expect(answer.json == msgBody("Error updating object."))
        #expect(emulator.call("PUT", "\(team)/\(Seed.bobTeammateID)", json: ["user_available": "maybe"]).status == 500)
    }

    @Test func adminUpdateOfAnUnknownIDUpsertsABareDocument() {
        let id = "65f0000000000000000000ee"
        let answer = emulator.call("PUT", "\(team)/\(id)", json: ["role": "agent"])
        #expect(answer.status == 200)
        #expect(
            answer.json
                == [
                    "_id": .string(id), "role": "agent", "createdAt": .string(testNowISO), "updatedAt": .string(testNowISO),
                    "id": .string(id), "isAuthenticated": true,
                ])
        // It belongs to no project: GET (scoped) cannot see it, DELETE (not scoped) can.
        #expect(emulator.call("GET", "\(team)/\(id)").status == 404)
        #expect(emulator.call("DELETE", "\(team)/\(id)").json["status"] == "disabled")
    }

    @Test func adminUpdateIsNotScopedToTheProject() {
        let answer = emulator.call("PUT", "\(team)/\(Seed.oscarTeammateID)", json: ["role": "agent"])
        #expect(answer.status == 200)
        #expect(answer.json["id_project"] == .string(P2))
        #expect(answer.json["role"] == "agent")
    }

    @Test func customRolePassesEveryGate() {
        emulator.call("PUT", "\(team)/\(Seed.aliceTeammateID)", json: ["role": "custom-role"])
        let answer = emulator.call("POST", "\(team)/invite", token: Seed.aliceToken, json: ["email": "nina@example.com", "role": "agent"])
        #expect(answer.status == 200)
    }

    @Test func aMemberWithNoRolePassesEveryGate() {
        // An invite without a role creates a member with no role at all.
        let invited = emulator.call("POST", "\(team)/invite", json: ["email": "nina@example.com"])
        #expect(invited.status == 200)
        #expect(invited.json["role"] == nil)
        #expect(emulator.call("DELETE", "\(team)/\(Seed.bobTeammateID)", token: Seed.ninaToken).status == 200)
    }
}

/// Reference §5.8/§5.9: disable, trash, delete, restore.
@Suite struct TeamRemovalTests {
    let emulator = makeEmulator()
    let team = "/\(P1)/project_users"

    @Test func disableIsTheDefault() {
        let answer = emulator.call("DELETE", "\(team)/\(Seed.aliceTeammateID)")
        #expect(answer.status == 200)
        #expect(answer.json["status"] == "disabled")
        #expect(answer.json["user_available"] == false)
        #expect(answer.json["trashed"] == false)
        #expect(answer.json["id_user"] == .string(Seed.aliceUserID))
        // Alice loses access everywhere in the project.
        #expect(emulator.call("GET", "\(team)/me", token: Seed.aliceToken).json == msgBody("you dont belong to the project."))
        #expect(emulator.call("GET", team, token: Seed.aliceToken).status == 403)
        // Only `true` counts.
        #expect(emulator.call("DELETE", "\(team)/\(Seed.bobTeammateID)?soft=1").json["trashed"] == false)
    }

    @Test func softDeleteTrashesAndDisables() {
        let answer = emulator.call("DELETE", "\(team)/\(Seed.aliceTeammateID)?soft=true")
        #expect(answer.status == 200)
        #expect(answer.json["trashed"] == true)
        #expect(answer.json["status"] == "disabled")
        #expect(answer.json["user_available"] == true)
        #expect(emulator.call("GET", "\(team)/me", token: Seed.aliceToken).status == 403)

        let restored = emulator.call("PUT", "\(team)/\(Seed.aliceTeammateID)/restore")
        #expect(restored.status == 200)
        #expect(restored.json["trashed"] == false)
        #expect(restored.json["status"] == "active")
        #expect(emulator.call("GET", "\(team)/me", token: Seed.aliceToken).status == 200)
        #expect(emulator.call("GET", "/projects", token: Seed.aliceToken).array.count == 1)
    }

    @Test func softWinsOverHard() {
        #expect(emulator.call("DELETE", "\(team)/\(Seed.aliceTeammateID)?hard=true&soft=true").json["trashed"] == true)
        #expect(emulator.call("GET", "\(team)/\(Seed.aliceTeammateID)").status == 200)
    }

    @Test func hardDeleteRemovesTheDocument() {
        let answer = emulator.call("DELETE", "\(team)/\(Seed.bobTeammateID)?hard=true")
        #expect(answer.status == 200)
        #expect(answer.json["_id"] == .string(Seed.bobTeammateID))
        #expect(answer.json["status"] == "active")
        #expect(emulator.call("GET", "\(team)/\(Seed.bobTeammateID)").status == 404)
        #expect(emulator.call("GET", "\(team)/users/\(Seed.bobUserID)").status == 404)
        #expect(emulator.call("GET", "/projects", token: Seed.bobToken).array.isEmpty)
        #expect(emulator.call("GET", team + "?trashed=true").array.count == 3)

        let again = emulator.call("DELETE", "\(team)/\(Seed.bobTeammateID)?hard=true")
        #expect(again.status == 404)
        #expect(again.json == errorBody("Project user not found with id \(Seed.bobTeammateID)"))
        // Bob can be invited back.
        #expect(emulator.call("POST", "\(team)/invite", json: ["email": "bob@example.com", "role": "agent"]).status == 200)
    }

    @Test func notFoundUsesTheErrorKey() {
        for query in ["", "?soft=true", "?hard=true"] {
            let answer = emulator.call("DELETE", "\(team)/65f0000000000000000000ff\(query)")
            #expect(answer.status == 404)
            #expect(answer.json == errorBody("Project user not found with id 65f0000000000000000000ff"))
        }
    }

    @Test func malformedIDsGiveTheModeSpecific500() {
        #expect(emulator.call("DELETE", "\(team)/bad").json == msgBody("Error disabling Project User with id bad"))
        #expect(emulator.call("DELETE", "\(team)/bad?soft=true").json == msgBody("Error deleting Project User with id bad"))
        let hard = emulator.call("DELETE", "\(team)/bad?hard=true")
        #expect(hard.status == 500)
        #expect(hard.json == msgBody("Error deleting Project user with id bad"))
    }

    @Test func deleteNeedsAdminButNothingProtectsTheOwner() {
        #expect(emulator.call("DELETE", "\(team)/\(Seed.bobTeammateID)", token: Seed.aliceToken).json == msgBody("you dont have the required role."))
        #expect(emulator.call("DELETE", "\(team)/\(Seed.ownerTeammateID)", token: Seed.adminToken).status == 200)
        #expect(emulator.call("GET", team).json == msgBody("you dont belong to the project."))
    }

    @Test func deleteIsNotScopedToTheProject() {
        let answer = emulator.call("DELETE", "\(team)/\(Seed.oscarTeammateID)")
        #expect(answer.status == 200)
        #expect(answer.json["id_project"] == .string(P2))
        #expect(emulator.call("GET", "/projects", token: Seed.oscarToken).array.isEmpty)
    }

    @Test func restoreFailures() {
        let notTrashed = emulator.call("PUT", "\(team)/\(Seed.aliceTeammateID)/restore")
        #expect(notTrashed.status == 400)
        #expect(notTrashed.json == errorBody("Project user is not trashed, cannot restore"))

        let missing = emulator.call("PUT", "\(team)/65f0000000000000000000ff/restore")
        #expect(missing.status == 404)
        #expect(missing.json == errorBody("Project user not found with id 65f0000000000000000000ff"))

        // Scoped: Oscar's trashed membership is not restorable from the demo project.
        emulator.call("DELETE", "\(team)/\(Seed.oscarTeammateID)?soft=true")
        #expect(emulator.call("PUT", "\(team)/\(Seed.oscarTeammateID)/restore").status == 404)

        let malformed = emulator.call("PUT", "\(team)/bad/restore")
        #expect(malformed.status == 500)
        #expect(malformed.json == msgBody("Error restoring Project User with id bad"))

        #expect(emulator.call("PUT", "\(team)/\(Seed.aliceTeammateID)/restore", token: Seed.bobToken).status == 403)
    }
}

/// The transport seam, ids and timestamps.
@Suite struct EmulatorBasicsTests {
    @Test func sendIsHandle() async throws {
        let emulator = makeEmulator()
        let response = try await emulator.send(HTTPRequest(method: "GET", path: "/users", headers: ["Authorization": "JWT \(Seed.ownerToken)"]))
        #expect(response.status == 200)
    }

    @Test func timestampsFormatAndParse() {
        #expect(ISODate.format(millis: testNow) == testNowISO)
        #expect(ISODate.format(millis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(ISODate.format(millis: 951_782_400_123) == "2000-02-29T00:00:00.123Z")
        #expect(ISODate.parse("2026-01-15T09:00:00.000Z") == 1_768_467_600_000)
        for ms: Int64 in [0, 1, 999, 86_399_999, 1_700_000_000_001, 4_102_444_800_000] {
            #expect(ISODate.parse(ISODate.format(millis: ms)) == ms)
        }
    }

    @Test func objectIDsAreFreshAndWellFormed() {
        var generator = ObjectIDGenerator()
        let a = generator.next(nowMillis: testNow)
        let b = generator.next(nowMillis: testNow)
        #expect(a != b)
        #expect(ObjectID.canonical(a) == a)
        #expect(a.hasPrefix("697e9780"))  // 2026-02-01T00:00:00Z in seconds, hex
        #expect(ObjectID.canonical("65F0000000000000000000A1") == "65f0000000000000000000a1")
        #expect(ObjectID.canonical("65f0000000000000000000g1") == nil)
        #expect(ObjectID.canonical("short") == nil)
    }

    @Test func wallClockEmulatorWorks() {
        let emulator = Sandbox()
        let answer = emulator.call("PUT", "/users", json: ["firstname": "Now"])
        let stamp = answer.json["updatedUser", "updatedAt"]?.stringValue ?? ""
        #expect(ISODate.parse(stamp) != nil)
    }

    @Test func manyRequestsStayConsistent() {
        let emulator = makeEmulator()
        for i in 0..<2_000 {
            let answer = emulator.call("POST", "/\(P1)/project_users/invite", json: ["email": .string("user\(i)@example.com"), "role": "agent"])
            #expect(answer.status == 200)
        }
        #expect(emulator.call("GET", "/\(P1)/pendinginvitations").array.count == 2_001)
        #expect(emulator.call("GET", "/\(P1)/project_users").array.count == 4)
    }
}
