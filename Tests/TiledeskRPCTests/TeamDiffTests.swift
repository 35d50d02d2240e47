import JSONCore
import Testing
@testable import TiledeskRPC

/// The watch's diff of two team snapshots, as a pure function.
@Suite struct TeamDiffTests {
    static let alice: JSON = ["_id": "b3", "role": "agent", "status": "active", "trashed": false, "user_available": true,
                              "presence": ["status": "online", "changedAt": "t1"], "isBusy": false, "number_assigned_requests": 1]
    static let bob: JSON = ["_id": "b4", "role": "agent", "status": "active", "user_available": false]
    static let invitation: JSON = ["_id": "c1", "email": "pending@example.com", "role": "agent"]

    static func with(_ t: JSON, _ changes: JSONObject) -> JSON {
        var o = t.objectValue ?? [:]
        for (k, v) in changes { o[k] = v }
        return .object(o)
    }

    @Test func noChangeIsNothing() {
        let s = WatchSnapshot(teammates: [Self.alice, Self.bob], invitations: [Self.invitation])
        #expect(TeamDiff.changes(from: s, to: s).isEmpty)
    }

    @Test func fieldsOutsideTheWatchedOnesAreNotChanges() {
        let old = WatchSnapshot(teammates: [Self.alice], invitations: [])
        let new = WatchSnapshot(teammates: [Self.with(Self.alice, ["number_assigned_requests": 2, "updatedAt": "later",
                                                                    "presence": ["status": "online", "changedAt": "t2"]])], invitations: [])
        #expect(TeamDiff.changes(from: old, to: new).isEmpty)
    }

    @Test("each watched field that changes is reported with from and to", arguments: [
        ("role", JSON("admin"), JSON("agent"), JSON("admin")), ("status", "disabled", "active", "disabled"),
        ("trashed", true, false, true), ("user_available", false, true, false), ("profileStatus", "busy", .null, "busy"),
        ("isBusy", true, false, true), ("max_assigned_chat", 4, .null, 4),
    ])
    func updated(_ field: String, _ value: JSON, _ from: JSON, _ to: JSON) {
        let changes = TeamDiff.changes(from: WatchSnapshot(teammates: [Self.alice], invitations: []),
                                       to: WatchSnapshot(teammates: [Self.with(Self.alice, [field: value])], invitations: []))
        #expect(changes.count == 1)
        #expect(changes.first?["kind"] == "updated" && changes.first?["teammate"]?["_id"] == "b3")
        #expect(changes.first?["fields"] == .object([field: ["from": from, "to": to]]))
    }

    @Test func presenceIsItsStatus() {
        let changes = TeamDiff.changes(from: WatchSnapshot(teammates: [Self.alice], invitations: []),
                                       to: WatchSnapshot(teammates: [Self.with(Self.alice, ["presence": ["status": "offline"]])], invitations: []))
        #expect(changes.first?["fields"] == ["presence": ["from": "online", "to": "offline"]])
    }

    @Test func joinedLeftInvited() {
        let changes = TeamDiff.changes(from: WatchSnapshot(teammates: [Self.alice], invitations: []),
                                       to: WatchSnapshot(teammates: [Self.bob], invitations: [Self.invitation]))
        #expect(changes == [["kind": "invited", "invitation": Self.invitation], ["kind": "left", "teammate": Self.alice],
                            ["kind": "joined", "teammate": Self.bob]])
    }

    @Test func anInvitationTurningIntoAMembershipIsBothInOneList() {
        let newcomer: JSON = ["_id": "b9", "role": "agent", "id_user": ["email": "pending@example.com"]]
        let changes = TeamDiff.changes(from: WatchSnapshot(teammates: [Self.alice], invitations: [Self.invitation]),
                                       to: WatchSnapshot(teammates: [Self.alice, newcomer], invitations: []))
        #expect(changes == [["kind": "invitation_removed", "invitation": Self.invitation], ["kind": "joined", "teammate": newcomer]])
    }
}
