import JSONCore

// The activity archiver (pubmodules/activities/activityArchiver.js and
// utils/projectUserUpdateContextUtil.js) for the team events the sandbox's routes raise:
// invites (pending and registered), the three project_user PUTs (self, admin, restore) and
// trash / hard delete. Not archived, as on the server: the default disable, signup conversion,
// invitation CRUD and resends, groups, departments, roles.

/// One activity before it is saved.
struct ActivityEvent {
    var verb: String
    var actor: ActivityActor
    var actionObj: JSONObject
    var target: JSON
    /// The activity's `id_project`; without one the save fails (the field is required), so
    /// nothing is recorded.
    var project: String?
}

/// Which `PUT /project_users` route updated a teammate.
enum TeammateUpdateRoute {
    /// `PUT /` (the caller's own membership).
    case ownRecord
    /// `PUT /:id`, with the member's user id read before the update (the route reads it only
    /// for availability changes, so otherwise `nil`).
    case byID(targetUser: String?)
    /// `PUT /:id/restore`.
    case restore
}

enum ActivityVerb {
    static let invite = "PROJECT_USER_INVITE"
    static let update = "PROJECT_USER_UPDATE"
    static let delete = "PROJECT_USER_DELETE"
    static let availabilitySelf = "PROJECT_USER_AVAILABILITY_SELF"
    static let availabilitySystem = "PROJECT_USER_AVAILABILITY_SYSTEM"
}

extension SandboxState {
    /// Saves `event` now with fresh ids (fire and forget, as the archiver's `setImmediate`).
    mutating func archive(_ event: ActivityEvent, _ request: RequestContext) {
        let id = newID(request.nowMillis)
        let actorID = newID(request.nowMillis)
        if let activity = Self.activity(event, id: id, actorID: actorID, at: request.nowMillis) { activities.save(activity) }
    }

    /// The saved document; `nil` without a project.
    static func activity(_ event: ActivityEvent, id: String, actorID: String, at millis: Int64) -> ActivityRecord? {
        guard let project = event.project else { return nil }
        var actor = JSONObject()
        actor.appendUnique("_id", .string(actorID))
        actor.appendUnique("type", .string(event.actor.type))
        actor.appendUnique("id", .string(event.actor.id))
        if let name = event.actor.name { actor.appendUnique("name", .string(name)) }
        return ActivityRecord(
            id: id, actor: .object(actor), verb: event.verb, actionObj: .object(event.actionObj), target: event.target,
            involvedUserIds: ActivityRecord.involvedUsers(actor: event.actor, target: event.target), idProject: project,
            createdAtMillis: millis, createdAt: ISODate.format(millis: millis), version: 0)
    }

    /// `project_user.invite.pending`: the invitation is the target; the activity goes to the
    /// project id as the URL spelled it.
    static func inviteEvent(_ invitation: PendingInvitationRecord, caller: UserRecord, body: JSON, urlProject: String) -> ActivityEvent {
        ActivityEvent(
            verb: ActivityVerb.invite, actor: .principal(caller), actionObj: inviteAction(body, type: "pending"),
            target: ["type": "pendinginvitation", "id": .string(invitation.id), "object": invitation.json()], project: urlProject)
    }

    /// `project_user.invite`: the new membership, its user populated with `email`, plus `isBusy`.
    static func inviteEvent(
        _ teammate: ProjectUserRecord, user: UserRecord?, caller: UserRecord, body: JSON, projectLimit: Double?, urlProject: String
    ) -> ActivityEvent {
        let object = teammate.json(idUser: user?.selectedJSON(withEmail: true) ?? .null, isBusy: teammate.isBusy(projectLimit: projectLimit))
        return ActivityEvent(
            verb: ActivityVerb.invite, actor: .principal(caller), actionObj: inviteAction(body, type: "registered"),
            target: ["type": "project_user", "id": .string(teammate.id), "object": object], project: teammate.idProject ?? urlProject)
    }

    /// `{email, role, user_available}` as the request sent them (absent ones left out), then
    /// `inviteType`.
    private static func inviteAction(_ body: JSON, type: String) -> JSONObject {
        var action = JSONObject()
        for key in ["email", "role", "user_available"] {
            if let value = body[key] { action.appendUnique(key, value) }
        }
        action.appendUnique("inviteType", .string(type))
        return action
    }

    /// `project_user.update`: the verb and actor rules of `projectUserUpdateContextUtil` (self
    /// or admin update, `availabilityInitiator: "system"`), the raw body plus `newStatus`,
    /// `updateType` and `source` as `actionObj`, and the updated membership (user populated
    /// without `email`, plus `isBusy`) as the target. The activity goes to the membership's
    /// project (none for an upserted bare document: nothing is recorded).
    static func updateEvent(
        _ teammate: ProjectUserRecord, user: UserRecord?, caller: UserRecord, body: JSON, route: TeammateUpdateRoute,
        projectLimit: Double?
    ) -> ActivityEvent {
        let fields = body.objectValue ?? JSONObject()
        let availability = fields["user_available"] != nil || fields["profileStatus"] != nil
        let system = fields["availabilityInitiator"] == "system"
        let target = user?.id  // `id_user` as populated: nothing when the user is gone
        var updateType: String
        switch route {
        case _ where system: updateType = "system"
        case .ownRecord: updateType = "self"
        case .byID(let before): updateType = before != nil && before == caller.id ? "self" : "admin"
        case .restore: updateType = target != nil && target == caller.id ? "self" : "admin"
        }
        var verb = ActivityVerb.update
        if availability {
            switch updateType {
            case "system": verb = ActivityVerb.availabilitySystem
            case "self": verb = target != nil && target != caller.id ? ActivityVerb.update : ActivityVerb.availabilitySelf
            default: break
            }
            if verb == ActivityVerb.update, updateType == "self" { updateType = "admin" }
        }
        var actor = ActivityActor.system
        if updateType != "system" {
            let ownName = Self.displayName(caller.fullName)
            let targetName = user.flatMap { Self.displayName($0.fullName) }
            let name = ownName ?? (verb == ActivityVerb.availabilitySelf || target == caller.id ? targetName : nil)
            actor = ActivityActor(type: "user", id: caller.id, name: name)
        }
        var action = fields
        action["newStatus"] = .string(Self.availabilityLabel(teammate))
        action["updateType"] = .string(updateType)
        action["source"] = "api"
        let object = teammate.json(idUser: user?.selectedJSON(withEmail: false) ?? .null, isBusy: teammate.isBusy(projectLimit: projectLimit))
        return ActivityEvent(
            verb: verb, actor: actor, actionObj: action, target: ["type": "project_user", "id": .string(teammate.id), "object": object],
            project: teammate.idProject)
    }

    /// `project_user.delete` (trash or hard delete): `{deleteType, role, email}` and the
    /// membership, its user populated with `email`.
    static func deleteEvent(_ teammate: ProjectUserRecord, user: UserRecord?, caller: UserRecord, hard: Bool, urlProject: String) -> ActivityEvent {
        var action = JSONObject()
        action.appendUnique("deleteType", hard ? "hard" : "soft")
        if let role = teammate.role { action.appendUnique("role", role) }
        if let user { action.appendUnique("email", .string(user.email)) }
        let object = teammate.json(idUser: user?.selectedJSON(withEmail: true) ?? .null)
        return ActivityEvent(
            verb: ActivityVerb.delete, actor: .principal(caller), actionObj: action,
            target: ["type": "project_user", "id": .string(teammate.id), "object": object], project: teammate.idProject ?? urlProject)
    }

    /// `userDisplayName`: the full name trimmed, `nil` when blank.
    private static func displayName(_ fullName: String) -> String? {
        let trimmed = fullName.trimmingJSWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// `availabilityStatusLabel`: a non-empty `profileStatus`, else available / unavailable /
    /// unknown from `user_available`.
    private static func availabilityLabel(_ teammate: ProjectUserRecord) -> String {
        if let status = teammate.profileStatus, !status.isEmpty { return status }
        switch teammate.userAvailable {
        case true?: return "available"
        case false?: return "unavailable"
        case nil: return "unknown"
        }
    }
}
