import JSONCore
import TiledeskAPI

extension TeamSnapshot {
    /// One read of what a roster is compared with: the caller, the team with trashed members,
    /// the pending invitations and the groups, in that order (so the requests are the same every
    /// time: the shared vectors pin them).
    static func read(_ ctx: MethodContext, _ projectID: String) async throws -> TeamSnapshot {
        let caller = try await ctx.client.send(.currentUser)
        let team = try await ctx.client.send(.teammates(projectID, query: [("trashed", "true")]))
        let invitations = try await ctx.client.send(.invitations(projectID))
        let groups = try await ctx.client.send(.groups(projectID))
        return TeamSnapshot(teammates: team.arrayValue ?? [], invitations: invitations.arrayValue ?? [],
                            groups: groups.arrayValue ?? [], callerUserID: caller["_id"]?.stringValue)
    }

    /// Identifies the state a plan depends on: the fields it reads of each teammate, invitation
    /// and group, in id order (presence, counters and timestamps left out, so they do not count
    /// as a change). FNV-1a over the canonical JSON: a change detector, not a secret.
    var fingerprint: String {
        func pick(_ items: [JSON], _ fields: [String]) -> JSON {
            let picked = items.map { item -> JSON in
                var object = JSONObject()
                for field in fields { object[field] = item[field] ?? .null }
                return .object(object)
            }
            return .array(picked.sorted { JSONWriter.string($0["_id"] ?? .null) < JSONWriter.string($1["_id"] ?? .null) })
        }
        let teammates = teammates.map { t -> JSON in
            var o = t.objectValue ?? [:]
            o["email"] = RosterPlanner.email(of: t).map(JSON.string) ?? .null
            o["user"] = RosterPlanner.userID(of: t).map(JSON.string) ?? .null
            return .object(o)
        }
        let state: JSON = [
            "caller": callerUserID.map(JSON.string) ?? .null,
            "teammates": pick(teammates, ["_id", "user", "email", "role", "status", "trashed", "user_available", "max_assigned_chat"]),
            "invitations": pick(invitations, ["_id", "email", "role"]),
            "groups": pick(groups, ["_id", "name", "members", "enabled"]),
        ]
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in JSONWriter.bytes(state) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "v1-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
