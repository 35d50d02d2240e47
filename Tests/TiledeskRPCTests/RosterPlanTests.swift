import JSONCore
import JSONRPC
import Testing
@testable import TiledeskRPC

/// The roster diff as a pure function: one snapshot, many rosters and policies.
@Suite struct RosterPlanTests {
    static func teammate(_ id: String, _ user: String, _ email: String, role: String = "agent", available: Bool = true,
                         status: String = "active", trashed: Bool = false, max: Int? = nil) -> JSON {
        var t: JSONObject = ["_id": .string(id), "id_user": ["_id": .string(user), "email": .string(email)], "role": .string(role),
                             "user_available": .bool(available), "status": .string(status), "trashed": .bool(trashed)]
        if let max { t["max_assigned_chat"] = .number(JSONNumber(max)) }
        return .object(t)
    }

    static let snapshot = TeamSnapshot(
        teammates: [
            teammate("b1", "u1", "owner@example.com", role: "owner"),
            teammate("b2", "u2", "admin@example.com", role: "admin"),
            teammate("b3", "u3", "alice@example.com"),
            teammate("b4", "u4", "bob@example.com", available: false, max: 3),
            teammate("b5", "u5", "tina@example.com", trashed: true),
            teammate("b6", "u6", "dora@example.com", status: "disabled"),
        ],
        invitations: [["_id": "c1", "email": "pending@example.com", "role": "agent"], ["_id": "c2", "email": "old@example.com", "role": "admin"]],
        groups: [
            ["_id": "g1", "name": "Support", "members": ["u3", "u4", "u1"]],
            ["_id": "g2", "name": "Night", "members": ["u4"]],
            ["_id": "g3", "name": "Dup", "members": []], ["_id": "g4", "name": "Dup", "members": []],
        ],
        callerUserID: "u2")

    static func entry(_ i: Int, _ email: String, _ role: String = "agent", available: Bool? = nil, max: Int? = nil, groups: [String] = []) -> RosterEntry {
        RosterEntry(index: i, email: email.lowercased(), role: role, userAvailable: available, maxAssignedChat: max, groups: groups)
    }

    /// The roster that matches the snapshot (but for the trashed and disabled people).
    static let steady = [entry(0, "alice@example.com"), entry(1, "bob@example.com", available: false), entry(2, "pending@example.com")]

    static func plan(_ roster: [RosterEntry], _ policy: RosterPolicy = RosterPolicy()) throws -> RosterPlan {
        try RosterPlanner.plan(roster, snapshot, policy)
    }

    static func kinds(_ plan: RosterPlan) -> [String] { plan.actions.map { "\($0.kind.rawValue) \($0.email)" } }

    @Test func aRosterTheTeamAlreadyMatchesChangesNothing() throws {
        let p = try Self.plan(Self.steady)
        #expect(p.actions.isEmpty)
        #expect(p.unchanged == 3)
        #expect(p.summary.isEmpty)
    }

    @Test("each field that differs is one update with from and to", arguments: [
        (entry(0, "alice@example.com", "supervisor"), "role", JSON("agent"), JSON("supervisor")),
        (entry(0, "alice@example.com", available: false), "user_available", JSON(true), JSON(false)),
        (entry(0, "bob@example.com", max: 5), "max_assigned_chat", JSON(3), JSON(5)),
        (entry(0, "dora@example.com"), "status", JSON("disabled"), JSON("active")),
    ])
    func updates(_ e: RosterEntry, _ field: String, _ from: JSON, _ to: JSON) throws {
        let p = try Self.plan([e])
        #expect(p.actions.count == 1)
        #expect(p.actions[0].kind == .update)
        #expect(p.actions[0].changes[field] == ["from": from, "to": to])
        #expect(p.actions[0].changes.count == 1)
    }

    @Test func aTrashedTeammateIsRestoredThenUpdated() throws {
        let p = try Self.plan([Self.entry(0, "tina@example.com", "admin")])
        #expect(Self.kinds(p) == ["restore tina@example.com", "update tina@example.com"])
        #expect(p.actions[0].changes["trashed"] == ["from": true, "to": false])
        #expect(p.actions[1].changes["role"] == ["from": "agent", "to": "admin"])
        #expect(p.actions[0].fields["project_user_id"] == "b5")
    }

    @Test func newPeopleAreInvitedAndWaitForTheirGroups() throws {
        let p = try Self.plan([Self.entry(0, "New.Person@Example.com", "supervisor", available: false, groups: ["Support"])])
        #expect(Self.kinds(p) == ["invite new.person@example.com"])
        #expect(p.actions[0].fields == ["role": "supervisor", "user_available": false])
        #expect(p.waiting == [["email": "new.person@example.com", "groups": [["group_id": "g1", "group": "Support"]]]])
    }

    @Test func aPendingInvitationIsUpdatedOnlyWhenItsRoleDiffers() throws {
        #expect(try Self.plan([Self.entry(0, "pending@example.com")]).actions.isEmpty)
        let p = try Self.plan([Self.entry(0, "PENDING@example.com", "admin")])
        #expect(Self.kinds(p) == ["update_invitation pending@example.com"])
        #expect(p.actions[0].fields["invitation_id"] == "c1")
        #expect(p.actions[0].changes["role"] == ["from": "agent", "to": "admin"])
    }

    @Test func theOwnerAndTheCallerAreSkippedWhateverTheRosterSays() throws {
        let p = try Self.plan([Self.entry(0, "owner@example.com", "agent", groups: ["Night"]), Self.entry(1, "admin@example.com", "agent")],
                              RosterPolicy(absent: .trash, invitations: .keep, groups: .exact))
        #expect(p.skipped == [["email": "owner@example.com", "skipped": "owner"], ["email": "admin@example.com", "skipped": "self"]])
        #expect(!p.actions.contains { $0.email == "owner@example.com" || $0.email == "admin@example.com" })
    }

    @Test func emailsCompareWithoutCase() throws {
        let p = try Self.plan([Self.entry(0, "ALICE@EXAMPLE.COM", "admin")])
        #expect(Self.kinds(p) == ["update alice@example.com"])
    }

    @Test func oneEmailTwiceIsInvalidNamingTheSecond() {
        #expect(throws: RPCError.invalidParams("roster[1].email repeats roster[0].email (alice@example.com): each person once", field: "roster[1].email")) {
            try Self.plan([Self.entry(0, "alice@example.com"), Self.entry(1, "Alice@example.com")])
        }
    }

    @Test("an unknown or ambiguous group is invalid, naming the entry", arguments: [("Nope", "roster[0].groups[1]"), ("Dup", "roster[0].groups[1]")])
    func badGroups(_ reference: String, _ field: String) {
        do {
            _ = try Self.plan([Self.entry(0, "alice@example.com", groups: ["Support", reference])])
            Issue.record("no error")
        } catch {
            #expect(wireError(from: error).code == -32602 && wireError(from: error).data?["field"] == .string(field))
        }
    }

    @Test func groupsResolveByIdOrName() throws {
        let p = try Self.plan([Self.entry(0, "alice@example.com", groups: ["g2", "Support"])])
        #expect(Self.kinds(p) == ["add_to_group alice@example.com"])
        #expect(p.actions[0].fields["group_id"] == "g2" && p.actions[0].fields["user_id"] == "u3")
    }

    @Test func aGroupIdInCapitalsIsTheSameGroup() throws {
        let p = try Self.plan([Self.entry(0, "alice@example.com", groups: ["G2"])])
        #expect(p.actions.first?.fields["group_id"] == "g2")
    }

    @Test(arguments: [RosterPolicy.Absent.disable, .trash])
    func absentActiveTeammatesLeaveButNotTheOwnerTheCallerOrTheAlreadyGone(_ absent: RosterPolicy.Absent) throws {
        let p = try Self.plan([Self.entry(0, "alice@example.com")], RosterPolicy(absent: absent))
        #expect(Self.kinds(p) == ["\(absent.rawValue) bob@example.com"])
        #expect(p.actions[0].changes == (absent == .disable ? ["status": ["from": "active", "to": "disabled"]] : ["trashed": ["from": false, "to": true]]))
        #expect(try Self.plan([Self.entry(0, "alice@example.com")]).actions.isEmpty, "keep is the default")
    }

    @Test func invitationsOfAddressesNotOnTheRosterAreCancelledWhenAsked() throws {
        let p = try Self.plan(Self.steady, RosterPolicy(invitations: .cancel))
        #expect(Self.kinds(p) == ["cancel_invitation old@example.com"])
        #expect(p.actions[0].fields["invitation_id"] == "c2")
    }

    @Test func exactGroupsRemoveOnlyFromNamedGroupsAndNeverTheOwner() throws {
        let roster = [Self.entry(0, "alice@example.com", groups: ["Support"]), Self.entry(1, "bob@example.com", available: false)]
        #expect(try Self.plan(roster).actions.isEmpty, "add mode never removes")
        let p = try Self.plan(roster, RosterPolicy(groups: .exact))
        // Bob leaves Support (not listed for it); Night is named by nobody, so it keeps Bob; the owner stays.
        #expect(Self.kinds(p) == ["remove_from_group bob@example.com"])
        #expect(p.actions[0].fields["group_id"] == "g1")
    }

    @Test func actionsComeInTheSafeOrder() throws {
        let roster = [Self.entry(0, "alice@example.com", "admin", groups: ["Night"]), Self.entry(1, "tina@example.com"),
                      Self.entry(2, "zoe@example.com")]
        let p = try Self.plan(roster, RosterPolicy(absent: .disable, invitations: .cancel))
        #expect(Self.kinds(p) == [
            "restore tina@example.com", "invite zoe@example.com", "update alice@example.com", "add_to_group alice@example.com",
            "disable bob@example.com", "cancel_invitation pending@example.com", "cancel_invitation old@example.com",
        ])
        #expect(p.summary == ["invite": 1, "restore": 1, "update": 1, "cancel_invitation": 2, "add_to_group": 1, "disable": 1])
    }
}
