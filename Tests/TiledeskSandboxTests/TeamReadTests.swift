import JSONCore
import TiledeskAPI
import Testing

@testable import TiledeskSandbox

/// Reference §5.0–§5.4: the team reads.
@Suite struct TeamListTests {
    let emulator = makeEmulator()
    let team = "/\(P1)/project_users"

    @Test func defaultListIsTheTeamWithUsersPopulated() throws {
        let answer = emulator.call("GET", team)
        #expect(answer.status == 200)
        let items = answer.array
        #expect(ids(items) == [Seed.ownerTeammateID, Seed.adminTeammateID, Seed.aliceTeammateID, Seed.bobTeammateID])
        let bob = try #require(items.last)
        #expect(bob["user_available"] == false)
        #expect(bob["role"] == "agent")
        #expect(bob["roleType"] == 1)
        #expect(bob["status"] == "active")
        #expect(bob["trashed"] == false)
        #expect(bob["presence", "status"] == "offline")
        #expect(bob["id"] == .string(Seed.bobTeammateID))
        #expect(bob["id_project"] == .string(P1))
        #expect(bob["isAuthenticated"] == true)
        #expect(bob["isBusy"] == false)
        #expect(bob["number_assigned_requests"] == 0)
        #expect(bob["permissions"] == [])
        #expect(bob["tags"] == [])
        #expect(bob["createdBy"] == .string(Seed.ownerUserID))
        #expect(bob["__v"] == 0)
        let user = try #require(bob["id_user"])
        #expect(user["_id"] == .string(Seed.bobUserID))
        #expect(user["email"] == .string(Seed.bobEmail))
        #expect(user["status"] == 100)
        #expect(user["password"] == nil)
        #expect(user["id"] == nil)
        // The brief's field list.
        for key in [
            "_id", "id", "id_project", "id_user", "role", "roleType", "user_available", "number_assigned_requests", "permissions",
            "status", "trashed", "createdBy", "tags", "presence", "isAuthenticated", "last_login_at", "createdAt", "updatedAt", "__v",
        ] {
            #expect(bob[key] != nil, "missing \(key)")
        }
    }

    @Test func agentsMayListButNonMembersMayNot() {
        #expect(emulator.call("GET", team, token: Seed.aliceToken).status == 200)
        #expect(emulator.call("GET", team, token: Seed.ninaToken).json == msgBody("you dont belong to the project."))
        #expect(emulator.call("GET", team, token: Seed.oscarToken).status == 403)
        #expect(emulator.call("GET", "/\(P2)/project_users").status == 403)
    }

    @Test func roleFilter() {
        #expect(ids(emulator.call("GET", team + "?role=agent").array) == [Seed.aliceTeammateID, Seed.bobTeammateID])
        #expect(
            ids(emulator.call("GET", team + "?role=agent&role=admin").array)
                == [Seed.adminTeammateID, Seed.aliceTeammateID, Seed.bobTeammateID])
        // A comma list is one value, not two.
        #expect(emulator.call("GET", team + "?role=agent,admin").array.isEmpty)
        #expect(emulator.call("GET", team + "?role=").array.count == 4)
    }

    @Test func presenceFilter() {
        #expect(ids(emulator.call("GET", team + "?presencestatus=online").array) == [Seed.ownerTeammateID, Seed.aliceTeammateID])
        #expect(ids(emulator.call("GET", team + "?presencestatus=offline").array) == [Seed.adminTeammateID, Seed.bobTeammateID])
    }

    @Test func statusFilterAndDisabledMembersAreListedByDefault() {
        emulator.call("DELETE", "\(team)/\(Seed.bobTeammateID)")
        #expect(emulator.call("GET", team).array.count == 4)
        #expect(ids(emulator.call("GET", team + "?status=disabled").array) == [Seed.bobTeammateID])
        #expect(emulator.call("GET", team + "?status=active").array.count == 3)
    }

    @Test func trashedMembersAreHiddenUnlessAsked() {
        emulator.call("DELETE", "\(team)/\(Seed.bobTeammateID)?soft=true")
        #expect(!ids(emulator.call("GET", team).array).contains(Seed.bobTeammateID))
        #expect(!ids(emulator.call("GET", team + "?trashed=false").array).contains(Seed.bobTeammateID))
        #expect(ids(emulator.call("GET", team + "?trashed=true").array).contains(Seed.bobTeammateID))
        #expect(!ids(emulator.call("GET", team + "?role=agent").array).contains(Seed.bobTeammateID))
    }

    @Test func guestsOnlyShowWithARoleFilter() throws {
        let created = emulator.call("POST", team, token: Seed.aliceToken, json: ["tags": [["tag": "vip", "color": "red", "junk": 1]]])
        #expect(created.status == 200)
        #expect(created.json["role"] == "guest")
        #expect(created.json["roleType"] == 2)
        #expect(created.json["user_available"] == false)
        #expect(created.json["isAuthenticated"] == false)
        #expect(created.json["id_user"] == nil)
        #expect(created.json["tags"]?.arrayValue?.first?["tag"] == "vip")
        #expect(created.json["tags"]?.arrayValue?.first?["junk"] == nil)
        #expect(created.json["tags"]?.arrayValue?.first?["_id"]?.stringValue?.utf8.count == 24)
        let uuid = try #require(created.json["uuid_user"]?.stringValue)
        #expect(emulator.call("GET", team).array.count == 4)
        #expect(emulator.call("GET", team + "?role=guest").array.count == 1)

        let byUUID = emulator.call("GET", "\(team)/users/\(uuid)")
        #expect(byUUID.status == 200)
        #expect(byUUID.array.first?["uuid_user"] == .string(uuid))
        #expect(byUUID.array.first?["isBusy"] == false)
    }

    @Test func isBusyFollowsTheProjectChatLimit() {
        emulator.withState { $0.projects[P1]?.settings["max_agent_assigned_chat"] = 2 }
        emulator.call("PUT", "\(team)/\(Seed.aliceTeammateID)", json: ["number_assigned_requests": 2])
        emulator.call("PUT", "\(team)/\(Seed.bobTeammateID)", json: ["number_assigned_requests": 2, "max_assigned_chat": 5])
        let items = emulator.call("GET", team).array
        #expect(items.map { $0["isBusy"] } == [false, false, true, false])
        #expect(emulator.call("GET", "\(team)/me", token: Seed.aliceToken).array.first?["isBusy"] == true)
    }
}

@Suite struct TeamGetTests {
    let emulator = makeEmulator()
    let team = "/\(P1)/project_users"

    @Test func meIsAOneElementArrayWithoutPopulation() throws {
        let answer = emulator.call("GET", "\(team)/me", token: Seed.aliceToken)
        #expect(answer.status == 200)
        #expect(answer.array.count == 1)
        let me = try #require(answer.array.first)
        #expect(me["_id"] == .string(Seed.aliceTeammateID))
        #expect(me["id_user"] == .string(Seed.aliceUserID))
        #expect(me["isBusy"] == false)
        #expect(emulator.call("GET", "\(team)/me", token: Seed.ninaToken).json == msgBody("you dont belong to the project."))
    }

    @Test func getByIDIsPopulatedAndScoped() {
        let answer = emulator.call("GET", "\(team)/\(Seed.aliceTeammateID)", token: Seed.bobToken)
        #expect(answer.status == 200)
        #expect(answer.json["id_user", "email"] == .string(Seed.aliceEmail))
        #expect(answer.json["isBusy"] == false)

        let other = emulator.call("GET", "\(team)/\(Seed.oscarTeammateID)")
        #expect(other.status == 404)
        #expect(other.json == msgBody("Object not found."))
        #expect(emulator.call("GET", "\(team)/65f0000000000000000000ff").status == 404)
    }

    @Test func getByIDWithAMalformedIDIs500() {
        for bad in ["xyz", "users", "65f0000000000000000000zz"] {
            let answer = emulator.call("GET", "\(team)/\(bad)")
            #expect(answer.status == 500)
            #expect(answer.json == msgBody("Error getting object."))
        }
        // bson 1.x also takes any 12-character string as an ObjectId: well formed, not found.
        #expect(emulator.call("GET", "\(team)/abcdefghijkl").status == 404)
    }

    @Test func disabledAndTrashedTeammatesAreStillReadable() {
        emulator.call("DELETE", "\(team)/\(Seed.bobTeammateID)?soft=true")
        #expect(emulator.call("GET", "\(team)/\(Seed.bobTeammateID)").json["trashed"] == true)
    }

    @Test func getByUserID() throws {
        let answer = emulator.call("GET", "\(team)/users/\(Seed.aliceUserID)")
        #expect(answer.status == 200)
        #expect(answer.array.count == 1)
        let row = try #require(answer.array.first)
        #expect(row["_id"] == .string(Seed.aliceTeammateID))
        #expect(row["id_user", "_id"] == .string(Seed.aliceUserID))
        #expect(row["isBusy"] == false)

        #expect(emulator.call("GET", "\(team)/users/\(Seed.oscarUserID)").json == msgBody("Object not found."))
        let notAnID = emulator.call("GET", "\(team)/users/not-an-object-id")
        #expect(notAnID.status == 404)
        #expect(notAnID.json == msgBody("Object not found."))
    }

    @Test func searchByEmail() {
        #expect(emulator.call("GET", "\(team)/users/search?email=alice%40example.com").json == ["_id": .string(Seed.aliceUserID)])
        #expect(emulator.call("GET", "\(team)/users/search?email=nobody%40example.com").status == 404)
        let stranger = emulator.call("GET", "\(team)/users/search?email=nina%40example.com")
        #expect(stranger.status == 403)
        #expect(stranger.json == ["msg": "Unauthorized. This is not a your teammate."])
    }

    @Test func pendingInvitationsList() {
        let answer = emulator.call("GET", "/\(P1)/pendinginvitations", token: Seed.aliceToken)
        #expect(answer.status == 200)
        #expect(
            answer.json
                == [
                    [
                        "_id": .string(Seed.pendingInvitationID), "email": "pending@example.com", "role": "agent", "id_project": .string(P1),
                        "createdBy": .string(Seed.ownerUserID), "createdAt": "2026-01-15T09:40:00.000Z",
                        "updatedAt": "2026-01-15T09:40:00.000Z", "__v": 0,
                    ]
                ])
        #expect(emulator.call("GET", "/\(P1)/pendinginvitations/\(Seed.pendingInvitationID)").json["email"] == "pending@example.com")
        #expect(emulator.call("GET", "/\(P1)/pendinginvitations", token: Seed.ninaToken).status == 403)
    }
}
