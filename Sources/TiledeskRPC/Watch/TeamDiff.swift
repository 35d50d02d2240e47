import JSONCore

/// What a watch sees of a project at one poll: the team (trashed members included) and the
/// pending invitations, as the server listed them.
struct WatchSnapshot: Sendable, Equatable {
    var teammates: [JSON]
    var invitations: [JSON]
}

/// The changes between two snapshots, as `team.changed` reports them: a pure function.
enum TeamDiff {
    /// The teammate fields whose changes are reported (`presence` is `presence.status`).
    static let fields = ["role", "status", "trashed", "user_available", "profileStatus", "presence", "isBusy", "max_assigned_chat"]

    /// `joined`, `left`, `updated` (with `fields` `{name: {from, to}}`), `invited`,
    /// `invitation_removed`; invitations first, then teammates, each in list order. An
    /// invitation that disappears while its address joins is both `invitation_removed` and `joined`.
    static func changes(from old: WatchSnapshot, to new: WatchSnapshot) -> [JSON] {
        var out: [JSON] = []
        let oldInvitations = index(old.invitations)
        let newInvitations = index(new.invitations)
        for invitation in old.invitations {
            if let id = invitation["_id"], newInvitations[id] == nil { out.append(["kind": "invitation_removed", "invitation": invitation]) }
        }
        for invitation in new.invitations {
            if let id = invitation["_id"], oldInvitations[id] == nil { out.append(["kind": "invited", "invitation": invitation]) }
        }
        let before = index(old.teammates)
        let after = index(new.teammates)
        for teammate in old.teammates {
            if let id = teammate["_id"], after[id] == nil { out.append(["kind": "left", "teammate": teammate]) }
        }
        for teammate in new.teammates {
            guard let id = teammate["_id"] else { continue }
            guard let previous = before[id] else {
                out.append(["kind": "joined", "teammate": teammate])
                continue
            }
            var changed = JSONObject()
            for field in fields {
                let from = value(field, of: previous)
                let to = value(field, of: teammate)
                if from != to { changed[field] = ["from": from, "to": to] }
            }
            if !changed.isEmpty { out.append(["kind": "updated", "teammate": teammate, "fields": .object(changed)]) }
        }
        return out
    }

    static func value(_ field: String, of teammate: JSON) -> JSON {
        if field == "presence" { return teammate["presence"]?["status"] ?? .null }
        return teammate[field] ?? .null
    }

    static func index(_ items: [JSON]) -> [JSON: JSON] {
        Dictionary(items.compactMap { item in item["_id"].map { ($0, item) } }, uniquingKeysWith: { a, _ in a })
    }
}
