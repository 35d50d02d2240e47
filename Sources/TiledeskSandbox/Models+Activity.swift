import JSONCore

/// Who did something, as an activity's `actor` sub-document records it (the sub-document's own
/// `_id` is added when the activity is saved).
struct ActivityActor {
    let type: String
    let id: String
    /// `nil` when the archiver found no name (the key is then left out).
    let name: String?

    static let system = ActivityActor(type: "system", id: "system", name: "System")

    /// `actorFromPrincipal` for a signed-in user: the `fullName` virtual, untrimmed.
    static func principal(_ user: UserRecord) -> ActivityActor {
        ActivityActor(type: "user", id: user.id, name: user.fullName)
    }
}

/// An `activities` document (pubmodules/activities/models/activity.js), as `GET /activities`
/// reads it back (`lean`): no virtuals.
struct ActivityRecord: ProjectDocument {
    var id: String
    /// `{_id, type, id, name?}`.
    var actor: JSON
    var verb: String
    var actionObj: JSON
    /// `{type, id, object}`: `object` is a snapshot taken when it happened.
    var target: JSON
    /// Filled by the schema's pre-save hook: the actor (if a user) and the target's user.
    var involvedUserIds: [String]?
    var idProject: String?
    var createdAtMillis: Int64
    var createdAt: String
    var version: Int

    func json() -> JSON {
        var o = JSONObject()
        o.appendUnique("_id", .string(id))
        o.appendUnique("actor", actor)
        o.appendUnique("verb", .string(verb))
        o.appendUnique("actionObj", actionObj)
        o.appendUnique("target", target)
        if let involvedUserIds { o.appendUnique("involvedUserIds", .array(involvedUserIds.map { .string($0) })) }
        if let idProject { o.appendUnique("id_project", .string(idProject)) }
        o.appendUnique("createdAt", .string(createdAt))
        o.appendUnique("updatedAt", .string(createdAt))
        o.appendUnique("__v", .number(JSONNumber(version)))
        return .object(o)
    }

    /// `computeInvolvedUserIds`: the actor when it is a user, then the target's user (a
    /// populated `id_user`'s `_id`, or a plain id), without repeats; `nil` when empty.
    static func involvedUsers(actor: ActivityActor, target: JSON) -> [String]? {
        var ids: [String] = []
        if actor.type == "user", !actor.id.isEmpty { ids.append(actor.id) }
        var targetUser: String?
        if let user = target["object"]?["id_user"], JS.truthy(user) {
            let id: JSON? = [user["_id"], user["id"]].first { JS.truthy($0) } ?? nil
            targetUser = JS.string(id ?? user)
        } else if target["type"] == "user", let id = target["id"], JS.truthy(id) {
            targetUser = JS.string(id)
        }
        if let targetUser, !ids.contains(targetUser) { ids.append(targetUser) }
        return ids.isEmpty ? nil : ids
    }
}
