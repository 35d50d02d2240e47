import JSONCore
import Testing

@testable import TiledeskSandbox

/// `GET /:pid/activities` over the seeded log (tiledesk-server pubmodules/activities/routes/activity.js).
@Suite struct ActivityListTests {
    let emulator = makeEmulator()
    let activities = "/\(P1)/activities"

    func listed(_ query: String = "") -> [String] { ids(emulator.call("GET", activities + query).json["activities"]?.arrayValue ?? []) }
    func activity(_ n: Int) -> String { Seed.activityIDs[n - 1] }

    @Test func theSeededLogNewestFirst() throws {
        let answer = emulator.call("GET", activities)
        #expect(answer.status == 200)
        #expect(answer.json["perPage"] == 40)
        #expect(answer.json["count"] == 13)
        let items = try #require(answer.json["activities"]?.arrayValue)
        #expect(ids(items) == Seed.activityIDs.reversed())
        #expect(answer.json.objectValue?.keys == ["perPage", "count", "activities"])
    }

    @Test func aSelfAvailabilityChangeAsTheArchiverWritesIt() throws {
        let bob = try #require(emulator.call("GET", activities).json["activities"]?.arrayValue?.first { $0["_id"] == .string(activity(5)) })
        #expect(bob["actor"] == ["_id": .string(Seed.activityDocumentID("ad", 5)), "type": "user", "id": .string(Seed.bobUserID), "name": "Bob Agent"])
        #expect(bob["verb"] == "PROJECT_USER_AVAILABILITY_SELF")
        #expect(bob["actionObj"] == ["user_available": false, "newStatus": "unavailable", "updateType": "self", "source": "api"])
        #expect(bob["target", "type"] == "project_user")
        #expect(bob["target", "id"] == .string(Seed.bobTeammateID))
        #expect(bob["target", "object", "id_user"] == ["_id": .string(Seed.bobUserID), "firstname": "Bob", "lastname": "Agent"])
        #expect(bob["target", "object", "user_available"] == false)
        #expect(bob["target", "object", "isBusy"] == false)
        #expect(bob["target", "object", "updatedAt"] == "2026-01-20T08:00:00.000Z")
        #expect(bob["involvedUserIds"] == [.string(Seed.bobUserID)])
        #expect(bob["id_project"] == .string(P1))
        #expect(bob["createdAt"] == "2026-01-20T08:00:00.000Z")
        #expect(bob["updatedAt"] == "2026-01-20T08:00:00.000Z")
        #expect(bob["__v"] == 0)
        #expect(bob["message"] == "Bob Agent changed availability status to unavailable")
    }

    @Test func everyTeamVerbHasItsMessage() throws {
        let items = try #require(emulator.call("GET", activities).json["activities"]?.arrayValue)
        func item(_ n: Int) -> JSON? { items.first { $0["_id"] == .string(activity(n)) } }
        #expect(item(1)?["message"] == "Olivia Owner invited Adam Admin (admin@example.com) to take on the role of admin")
        #expect(item(1)?["target", "object", "id_user", "email"] == "admin@example.com")
        #expect(item(1)?["actionObj"] == ["email": "admin@example.com", "role": "admin", "inviteType": "registered"])
        #expect(item(3)?["actionObj", "user_available"] == false)
        #expect(item(4)?["message"] == "Olivia Owner invited pending@example.com to take on the role of agent")
        #expect(item(4)?["target", "type"] == "pendinginvitation")
        #expect(item(4)?["involvedUserIds"] == [.string(Seed.ownerUserID)])
        #expect(item(7)?["message"] == "Alice Agent availability status was changed to available by the system")
        #expect(item(7)?["actor"]?["type"] == "system")
        #expect(item(7)?["actor"]?["name"] == "System")
        #expect(item(7)?["involvedUserIds"] == [.string(Seed.aliceUserID)])
        #expect(item(10)?["verb"] == "PROJECT_USER_UPDATE")
        #expect(item(10)?["message"] == nil)
        #expect(item(10)?["actionObj"] == ["role": "supervisor", "newStatus": "unavailable", "updateType": "admin", "source": "api"])
        #expect(item(12)?["message"] == "Adam Admin removed Tom Temp from the project")
        #expect(item(12)?["actionObj"] == ["deleteType": "soft", "role": "agent", "email": "tom@example.com"])
        #expect(item(12)?["involvedUserIds"] == [.string(Seed.adminUserID), .string(Seed.formerUserID)])
        #expect(item(13)?["actionObj", "deleteType"] == "hard")
        let verbs = items.compactMap { $0["verb"]?.stringValue }
        for verb in ["PROJECT_USER_INVITE", "PROJECT_USER_UPDATE", "PROJECT_USER_DELETE", "PROJECT_USER_AVAILABILITY_SELF", "PROJECT_USER_AVAILABILITY_SYSTEM"] {
            #expect(verbs.filter { $0 == verb }.count >= 2, "\(verb)")
        }
    }

    @Test func onlyAdminsRead() {
        #expect(emulator.call("GET", activities, token: Seed.adminToken).status == 200)
        #expect(emulator.call("GET", activities, token: Seed.aliceToken).json == msgBody("you dont have the required role."))
        #expect(emulator.call("GET", activities, token: Seed.ninaToken).json == msgBody("you dont belong to the project."))
        #expect(emulator.call("GET", activities, token: nil).status == 401)
        #expect(emulator.call("GET", "\(activities)/csv").status == 404)
    }

    @Test func limitAndPage() {
        let five = emulator.call("GET", "\(activities)?limit=5").json
        #expect(five["perPage"] == 5)
        #expect(five["count"] == 13)
        #expect(five["activities"]?.arrayValue?.count == 5)
        #expect(listed("?limit=5&page=2") == [activity(3), activity(2), activity(1)])
        #expect(listed("?limit=5&page=x").count == 5)
        #expect(emulator.call("GET", "\(activities)?limit=500").json["perPage"] == 100)
        #expect(emulator.call("GET", "\(activities)?limit=0").json["perPage"] == 40)
        #expect(emulator.call("GET", "\(activities)?limit=abc").json["perPage"] == 40)
        let chart = emulator.call("GET", "\(activities)?chart=true&limit=2000").json
        #expect(chart["perPage"] == 1000)
        #expect(chart["chart"] == true)
        #expect(chart["limitWarning"] == "Limit exceeded the maximum allowed value of 1000. Only the first 1000 matching activities are returned.")
        #expect(emulator.call("GET", "\(activities)?chart=1&limit=500").json["perPage"] == 500)
        #expect(emulator.call("GET", "\(activities)?page=-1").json == msgBody("Error getting activities."))
    }

    @Test func wholeDaysInUTC() {
        #expect(listed("?start_date=20/01/2026&end_date=21/01/2026") == [activity(6), activity(5)])
        #expect(listed("?start_date=27/01/2026") == [activity(13), activity(12)])
        #expect(listed("?end_date=15/01/2026").count == 13)
        // moment's forgiving parse: any separator, two-digit years.
        #expect(listed("?start_date=20.01.26&end_date=20-1-2026") == [activity(5)])
        #expect(listed("?start_date=21/01/2026&end_date=20/01/2026").isEmpty)
        for bad in ["2026-01-20", "31/02/2026", "abc"] {
            let answer = emulator.call("GET", "\(activities)?start_date=\(bad)")
            #expect(answer.status == 500)
            #expect(answer.json == msgBody("Error getting activities."))
        }
        #expect(emulator.call("GET", "\(activities)?start_date=01/01/2026&end_date=nope").status == 500)
    }

    @Test func agentAndVerbFilters() {
        #expect(listed("?agent_id=\(Seed.formerUserID)") == [activity(13), activity(12)])
        #expect(listed("?agent_id=\(Seed.aliceUserID)") == [activity(7), activity(6), activity(2)])
        #expect(listed("?activities=PROJECT_USER_DELETE,PROJECT_USER_UPDATE") == [activity(13), activity(12), activity(11), activity(10)])
        #expect(listed("?activities=PROJECT_USER_INVITE&agent_id=\(Seed.bobUserID)") == [activity(3)])
        let twice = emulator.call("GET", "\(activities)?activities=PROJECT_USER_DELETE&activities=PROJECT_USER_UPDATE")
        #expect(twice.status == 500)
        #expect(twice.json["never_answered"] == true)
    }

    @Test func sortAndDirection() {
        #expect(listed("?direction=1") == Seed.activityIDs)
        #expect(listed("?direction=0") == Seed.activityIDs.reversed())
        #expect(listed("?sort=_id&direction=1&limit=2") == [activity(1), activity(2)])
        #expect(emulator.call("GET", "\(activities)?direction=2").json == msgBody("Error getting activities."))
    }
}

/// What the activity archiver records as the routes run (pubmodules/activities/activityArchiver.js).
@Suite struct ActivityRecordingTests {
    let emulator = makeEmulator()
    let team = "/\(P1)/project_users"

    /// The activities recorded since the seed, oldest first.
    func recorded(in project: String = P1, token: String = Seed.ownerToken) -> [JSON] {
        let all = emulator.call("GET", "/\(project)/activities?direction=1&limit=100", token: token).json["activities"]?.arrayValue ?? []
        return all.filter { !Seed.activityIDs.contains($0["_id"]?.stringValue ?? "") }
    }

    @Test func invitesOfBothKinds() throws {
        emulator.call("POST", "\(team)/invite", json: ["email": "New@Example.com", "role": "agent"])
        emulator.call("POST", "\(team)/invite", json: ["email": "nina@example.com", "role": "supervisor", "user_available": false])
        let log = recorded()
        #expect(log.count == 2)
        let pending = try #require(log.first)
        #expect(pending["verb"] == "PROJECT_USER_INVITE")
        #expect(pending["actionObj"] == ["email": "New@Example.com", "role": "agent", "inviteType": "pending"])
        #expect(pending["target", "type"] == "pendinginvitation")
        #expect(pending["target", "object", "email"] == "new@example.com")
        #expect(pending["message"] == "Olivia Owner invited new@example.com (New@Example.com) to take on the role of agent")
        #expect(pending["createdAt"] == .string(testNowISO))
        let added = try #require(log.last)
        #expect(added["actionObj"] == ["email": "nina@example.com", "role": "supervisor", "user_available": false, "inviteType": "registered"])
        #expect(added["target", "object", "id_user"] == ["_id": .string(Seed.ninaUserID), "email": "nina@example.com", "firstname": "Nina", "lastname": "Newcomer"])
        #expect(added["target", "object", "isBusy"] == false)
        #expect(added["involvedUserIds"] == [.string(Seed.ownerUserID), .string(Seed.ninaUserID)])
        #expect(added["message"] == "Olivia Owner invited Nina Newcomer (nina@example.com) to take on the role of supervisor")
        // Failed invites record nothing.
        emulator.call("POST", "\(team)/invite", json: ["email": "alice@example.com", "role": "agent"])
        emulator.call("POST", "\(team)/invite", json: ["email": "someone@example.com"])
        #expect(recorded().count == 2)
    }

    @Test func selfUpdatesFollowTheVerbRules() {
        emulator.call("PUT", team, token: Seed.aliceToken, json: ["user_available": false])
        emulator.call("PUT", team, token: Seed.aliceToken, json: ["max_assigned_chat": 3])
        emulator.call("PUT", team, token: Seed.aliceToken, json: ["profileStatus": "away", "availabilityInitiator": "system"])
        let log = recorded()
        #expect(log.map { $0["verb"] } == ["PROJECT_USER_AVAILABILITY_SELF", "PROJECT_USER_UPDATE", "PROJECT_USER_AVAILABILITY_SYSTEM"])
        #expect(log[0]["actor", "name"] == "Alice Agent")
        #expect(log[0]["message"] == "Alice Agent changed availability status to unavailable")
        #expect(log[1]["actionObj"] == ["max_assigned_chat": 3, "newStatus": "unavailable", "updateType": "self", "source": "api"])
        #expect(log[2]["actor", "type"] == "system")
        #expect(log[2]["actionObj", "updateType"] == "system")
        #expect(log[2]["actionObj", "newStatus"] == "away")
        #expect(log[2]["message"] == "Alice Agent availability status was changed to away by the system")
        // A cast error changes nothing and records nothing.
        emulator.call("PUT", team, token: Seed.aliceToken, json: ["user_available": "perhaps"])
        #expect(recorded().count == 3)
    }

    @Test func adminUpdatesFollowTheVerbRules() {
        emulator.call("PUT", "\(team)/\(Seed.bobTeammateID)", json: ["user_available": true])
        emulator.call("PUT", "\(team)/\(Seed.ownerTeammateID)", json: ["user_available": false])
        emulator.call("PUT", "\(team)/\(Seed.ownerTeammateID)", json: ["role": "owner"])
        emulator.call("PUT", "\(team)/65f0000000000000000000ee", json: ["role": "agent"])
        let log = recorded()
        #expect(log.map { $0["verb"] } == ["PROJECT_USER_UPDATE", "PROJECT_USER_AVAILABILITY_SELF", "PROJECT_USER_UPDATE"])
        #expect(log.map { $0["actionObj", "updateType"] } == ["admin", "self", "admin"])
        #expect(log[0]["actor", "id"] == .string(Seed.ownerUserID))
        #expect(log[0]["target", "object", "role"] == "agent")
        #expect(log[0]["involvedUserIds"] == [.string(Seed.ownerUserID), .string(Seed.bobUserID)])
        #expect(log[1]["involvedUserIds"] == [.string(Seed.ownerUserID)])
    }

    @Test func anUpdateOfAnotherProjectsTeammateIsLoggedThere() {
        emulator.call("PUT", "\(team)/\(Seed.oscarTeammateID)", json: ["profileStatus": "off"])
        #expect(recorded().isEmpty)
        let there = recorded(in: P2, token: Seed.oscarToken)
        #expect(there.count == 1)
        #expect(there.first?["actor", "id"] == .string(Seed.ownerUserID))
        #expect(there.first?["verb"] == "PROJECT_USER_UPDATE")
    }

    @Test func trashHardDeleteAndRestoreButNotTheDefaultDisable() {
        emulator.call("DELETE", "\(team)/\(Seed.bobTeammateID)")
        #expect(recorded().isEmpty)
        emulator.call("DELETE", "\(team)/\(Seed.aliceTeammateID)?soft=true")
        emulator.call("PUT", "\(team)/\(Seed.aliceTeammateID)/restore")
        emulator.call("DELETE", "\(team)/\(Seed.bobTeammateID)?hard=true", token: Seed.adminToken)
        let log = recorded()
        #expect(log.map { $0["verb"] } == ["PROJECT_USER_DELETE", "PROJECT_USER_UPDATE", "PROJECT_USER_DELETE"])
        #expect(log[0]["actionObj"] == ["deleteType": "soft", "role": "agent", "email": "alice@example.com"])
        #expect(log[0]["target", "object", "trashed"] == true)
        #expect(log[0]["message"] == "Olivia Owner removed Alice Agent from the project")
        #expect(log[1]["actionObj"] == ["newStatus": "available", "updateType": "admin", "source": "api"])
        #expect(log[1]["target", "object", "trashed"] == false)
        #expect(log[2]["actionObj", "deleteType"] == "hard")
        #expect(log[2]["message"] == "Adam Admin removed Bob Agent from the project")
    }

    @Test func invitationsGroupsAndSignupAreNotLogged() {
        let invitation = "/\(P1)/pendinginvitations/\(Seed.pendingInvitationID)"
        emulator.call("PUT", invitation, json: ["email": "pending@example.com", "role": "admin"])
        emulator.call("GET", "/\(P1)/pendinginvitations/resendinvite/\(Seed.pendingInvitationID)")
        emulator.call("POST", "/\(P1)/pendinginvitations", json: ["email": "raw@example.com", "role": "agent"])
        emulator.call("POST", "/\(P1)/groups", json: ["name": "G"])
        emulator.call("PUT", "/\(P1)/groups/disable/\(Seed.billingGroupID)")
        emulator.call("POST", "/auth/signup", token: nil, json: ["email": "pending@example.com", "password": "pw", "firstname": "P", "lastname": "E"])
        emulator.call("DELETE", invitation)
        #expect(emulator.call("GET", "/\(P1)/project_users").array.count == 5)
        #expect(recorded().isEmpty)
    }
}
