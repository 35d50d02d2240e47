import JSONCore

// `/:projectid/project_users` (routes/project_user.js) and `/:projectid/pendinginvitations`.
// Every route authenticates, runs validtoken, then its role gate, then its handler.

extension SandboxState {
    /// Express's route table for the team router, in file order; `nil` when nothing matches
    /// (the caller answers Express's 404 page). A path parameter that is not valid
    /// percent-encoding fails `decodeURIComponent`: 500 `{"err":"error"}`.
    mutating func teamRoute(_ request: RequestContext, _ scope: ProjectScope, _ rest: ArraySlice<Substring>) -> Reply? {
        let method = request.method
        let parts = Array(rest)
        switch parts.count {
        case 0:
            switch method {
            case "GET": return listTeam(request, scope)
            case "POST": return createGuest(request, scope)
            case "PUT": return updateMe(request, scope)
            default: return nil
            }
        case 1:
            if method == "POST", Text.equalsIgnoringCase(parts[0], "invite") { return invite(request, scope) }
            if method == "GET", Text.equalsIgnoringCase(parts[0], "me") { return me(request, scope) }
            guard method == "GET" || method == "PUT" || method == "DELETE" else { return nil }
            guard let id = Text.decodeURIComponent(parts[0]) else { return .internalError }
            switch method {
            case "GET": return getTeammate(request, scope, id)
            case "PUT": return updateTeammate(request, scope, id)
            default: return deleteTeammate(request, scope, id)
            }
        case 2:
            if method == "GET", Text.equalsIgnoringCase(parts[0], "users") {
                if Text.equalsIgnoringCase(parts[1], "search") { return searchTeammate(request, scope) }
                guard let id = Text.decodeURIComponent(parts[1]) else { return .internalError }
                return teammateByUser(request, scope, id)
            }
            if method == "PUT", Text.equalsIgnoringCase(parts[1], "restore") {
                guard let id = Text.decodeURIComponent(parts[0]) else { return .internalError }
                return restoreTeammate(request, scope, id)
            }
            return nil
        default:
            return nil
        }
    }

    // MARK: Reads

    /// `GET /` (role agent): `role` (any of the values; drops the `roleType:1` filter),
    /// `trashed=true` (else trashed members are hidden), `presencestatus`, `status`. Disabled
    /// members are listed by default. `id_user` populated, `isBusy` added.
    private func listTeam(_ request: RequestContext, _ scope: ProjectScope) -> Reply {
        if case .failure(let error) = authorizeAllowingTypes(request, project: scope.id, role: .agent) { return error.reply }
        let query = request.query
        let roles = query.truthy("role")
        let includeTrashed = query.single("trashed") == "true"
        let presence = query.truthy("presencestatus")
        let statuses = query.truthy("status")
        let limit = scope.project.maxAgentAssignedChat
        var items: [JSON] = []
        items.reserveCapacity(teams[scope.id]?.count ?? 0)
        teams[scope.id]?.forEach { id in
            guard let record = projectUsers[id] else { return }
            if let roles {
                guard let role = record.roleString, roles.contains(role) else { return }
            } else if record.roleType != 1 {
                return
            }
            if !includeTrashed, record.trashed == true { return }
            if let presence {
                guard let status = record.presence?.status, presence.contains(status) else { return }
            }
            if let statuses {
                guard let status = record.status, statuses.contains(status) else { return }
            }
            items.append(record.json(idUser: populatedUser(record), isBusy: record.isBusy(projectLimit: limit)))
        }
        return .json(200, .array(items))
    }

    /// `GET /me` (role agent): `[membership]`, `id_user` not populated, plus `isBusy` (and
    /// `rolePermissions` when a custom Role is named like the member's role).
    /// A caller let through by type has no membership to show: a TypeError, 500.
    private func me(_ request: RequestContext, _ scope: ProjectScope) -> Reply {
        switch authorizeAllowingTypes(request, project: scope.id, role: .agent) {
        case .failure(let error): return error.reply
        case .success((_, nil)): return .internalError
        case .success(let (_, membership?)):
            let permissions = membership.roleString.flatMap { role(named: $0, scope)?.permissions }
            return .json(
                200,
                [membership.json(rolePermissions: permissions, isBusy: membership.isBusy(projectLimit: scope.project.maxAgentAssignedChat))])
        }
    }

    /// `GET /:project_user_id` (role agent): scoped to the project, any status; populated.
    private func getTeammate(_ request: RequestContext, _ scope: ProjectScope, _ rawID: String) -> Reply {
        if case .failure(let error) = authorizeAllowingTypes(request, project: scope.id, role: .agent) { return error.reply }
        guard let id = ObjectID.canonical(rawID) else { return .msg(500, "Error getting object.") }
        guard let record = projectUsers[id], record.idProject == scope.id else { return .msg(404, "Object not found.") }
        return .json(
            200, record.json(idUser: populatedUser(record), isBusy: record.isBusy(projectLimit: scope.project.maxAgentAssignedChat)))
    }

    /// `GET /users/:user_id` (role agent): an ObjectId matches `id_user` (populated), anything
    /// else `uuid_user` (not populated). No status filter. `[record]` or 404.
    private func teammateByUser(_ request: RequestContext, _ scope: ProjectScope, _ rawID: String) -> Reply {
        if case .failure(let error) = authorizeAllowingTypes(request, project: scope.id, role: .agent) { return error.reply }
        let limit = scope.project.maxAgentAssignedChat
        if let userID = ObjectID.canonical(rawID) {
            for id in membershipsByUser[userID] ?? [] {
                if let record = projectUsers[id], record.idProject == scope.id {
                    return .json(200, [record.json(idUser: populatedUser(record), isBusy: record.isBusy(projectLimit: limit))])
                }
            }
        } else {
            for id in guestsByUUID[rawID] ?? [] {
                if let record = projectUsers[id], record.idProject == scope.id {
                    return .json(200, [record.json(isBusy: record.isBusy(projectLimit: limit))])
                }
            }
        }
        return .msg(404, "Object not found.")
    }

    /// `GET /users/search?email=` (role user): `{_id}` of a user who is in the project.
    private func searchTeammate(_ request: RequestContext, _ scope: ProjectScope) -> Reply {
        if case .failure(let error) = authorize(request, project: scope.id, role: .user) { return error.reply }
        guard let email = request.query.single("email"), let userID = userIDByEmail[email] else {
            return .msg(404, "Object not found.")
        }
        let isTeammate = (membershipsByUser[userID] ?? []).contains { projectUsers[$0]?.idProject == scope.id }
        guard isTeammate else { return .json(403, ["msg": "Unauthorized. This is not a your teammate."]) }
        return .json(200, ["_id": .string(userID)])
    }

    // MARK: Invite

    /// `POST /invite` (role admin). Unknown email → pending invitation (every failure of that
    /// branch is HTTP 200 with `success:false`); the caller → 403/4000; an active member →
    /// 403/4001; else a new active teammate (returned with `id_user` not populated).
    private mutating func invite(_ request: RequestContext, _ scope: ProjectScope) -> Reply {
        let caller: UserRecord
        switch authorize(request, project: scope.id, role: .admin) {
        case .failure(let error): return error.reply
        case .success(let (user, _)): caller = user
        }
        let body = request.body
        let emailValue: JSON?
        switch Self.lowercasedEmail(body["email"]) {
        case .failure(let error): return error.reply
        case .success(let value): emailValue = value
        }
        guard let email = emailValue?.stringValue, let userID = userIDByEmail[email], let invitee = users[userID], invitee.status == 100
        else {
            return invitePending(email: emailValue, request, scope, caller: caller)
        }
        if invitee.id == caller.id {
            return .json(
                403, ["success": false, "msg": "Forbidden. It is not allowed to invite oneself", "code": 4000])
        }
        if let existing = activeMembership(user: invitee.id, project: scope.id, roleType: 1), existing.trashed != true {
            return .json(403, ["success": false, "msg": "Forbidden. User is already a member", "code": 4001])
        }
        // A disabled or trashed membership does not count: a new row is created next to it.
        var role: JSON?
        switch body["role"] {
        case nil: role = nil
        case .null?: role = .null
        case let value?:
            guard let s = Cast.string(value) else {
                return .msg(500, "An error occurred on inviting user \(email) on project \(scope.rawID)")
            }
            role = .string(s)
        }
        let available = body["user_available"]?.boolValue ?? true
        let record = ProjectUserRecord.new(
            id: newID(request.nowMillis), project: scope.id, user: invitee.id, role: role, roleType: 1,
            userAvailable: available, createdBy: caller.id, now: request.now, lastLoginAt: startedAt)
        insertProjectUser(record)
        archive(
            Self.inviteEvent(
                record, user: invitee, caller: caller, body: body, projectLimit: scope.project.maxAgentAssignedChat, urlProject: scope.rawID),
            request)
        send(
            SandboxEmail(
                kind: .addedToProject, to: email, projectID: scope.id, projectName: scope.project.name, invitationID: nil,
                role: role?.stringValue, sentAt: request.now))
        return .json(200, record.json())
    }

    /// `pendingInvitationService.saveInPendingInvitation`: an existing invitation for
    /// (email, project) first, then the role, then the save.
    private mutating func invitePending(email: JSON?, _ request: RequestContext, _ scope: ProjectScope, caller: UserRecord) -> Reply {
        let existing = invitations(email: email).filter { $0.idProject == scope.rawID }
        if !existing.isEmpty {
            return .json(
                200, ["success": false, "msg": "Pending Invitation already exist.", "pendinginvitation": .array(existing.map { $0.json() })])
        }
        let roleValue = request.body["role"]
        if Self.isLooselyEmpty(roleValue) {
            return .json(200, ["success": false, "msg": "Role is required.", "code": 405])
        }
        guard let roleValue, let role = Cast.string(roleValue) else {
            let err = Cast.validationErrorJSON(model: "pending-invitation", path: "role", kind: "string", value: roleValue ?? .null)
            return .json(200, ["success": false, "msg": "Error saving object.", "err": err])
        }
        let invitation = PendingInvitationRecord(
            id: newID(request.nowMillis), email: email, role: .string(role), idProject: scope.rawID, createdBy: caller.id,
            createdAt: request.now, updatedAt: request.now, version: 0)
        saveInvitation(invitation)
        archive(Self.inviteEvent(invitation, caller: caller, body: request.body, urlProject: scope.rawID), request)
        send(
            SandboxEmail(
                kind: .invitation, to: email?.stringValue, projectID: scope.id, projectName: scope.project.name,
                invitationID: invitation.id, role: role, sentAt: request.now))
        return .json(200, ["msg": "User not found, save invite in pending ", "pendingInvitation": invitation.json()])
    }

    /// JavaScript's `role == '' || role == undefined`.
    private static func isLooselyEmpty(_ value: JSON?) -> Bool {
        switch value {
        case nil, .null?: return true
        case .string(let s)?: return s.isEmpty
        case .number(let n)?: return n.doubleValue == 0
        case .bool(let b)?: return !b
        case .array(let items)?:
            // `[] == ''` and `[x] == ''` when String(x) is empty.
            if items.isEmpty { return true }
            if items.count == 1 { return items[0].isNull || items[0].stringValue == "" || items[0].arrayValue?.isEmpty == true }
            return false
        case .object?: return false
        }
    }

    // MARK: Guests

    /// `POST /` (role agent): a ticketing guest (`uuid_user`, role guest, roleType 2).
    private mutating func createGuest(_ request: RequestContext, _ scope: ProjectScope) -> Reply {
        let caller: UserRecord
        switch authorize(request, project: scope.id, role: .agent) {
        case .failure(let error): return error.reply
        case .success(let (user, _)): caller = user
        }
        var tags: [JSON] = []
        if let value = request.body["tags"], !value.isNull {
            guard let cast = castTags(value, request) else { return .msg(500, "Error saving object.") }
            tags = cast
        }
        let record = ProjectUserRecord.new(
            id: newID(request.nowMillis), project: scope.id, user: nil, uuidUser: makeUUIDv4(), role: "guest", roleType: 2,
            userAvailable: false, tags: tags, createdBy: caller.id, now: request.now, lastLoginAt: startedAt)
        insertProjectUser(record)
        return .json(200, record.json())
    }

    // MARK: Updates

    /// `PUT /` (role agent): the caller's own membership; `role` and `status` are ignored.
    private mutating func updateMe(_ request: RequestContext, _ scope: ProjectScope) -> Reply {
        let caller: UserRecord
        let membership: ProjectUserRecord
        switch authorize(request, project: scope.id, role: .agent) {
        case .failure(let error): return error.reply
        case .success(let (user, record)): (caller, membership) = (user, record)
        }
        guard let updated = applyUpdate(to: membership, request, admin: false) else {
            return .msg(500, "Error updating object.")
        }
        projectUsers[updated.id] = updated
        archiveUpdate(updated, caller: caller, route: .ownRecord, request, scope)
        return .json(200, updated.json())
    }

    /// `PUT /:project_user_id` (role admin): not scoped to the project, and an upsert: a valid
    /// id that matches nothing creates a bare document.
    private mutating func updateTeammate(_ request: RequestContext, _ scope: ProjectScope, _ rawID: String) -> Reply {
        let caller: UserRecord
        switch authorizeAllowingTypes(request, project: scope.id, role: .admin) {
        case .failure(let error): return error.reply
        case .success(let (user, _)): caller = user
        }
        guard let id = ObjectID.canonical(rawID) else { return .msg(500, "Error updating object.") }
        let existing = projectUsers[id]
        let base = existing ?? ProjectUserRecord(id: id, createdAt: request.now)
        guard let updated = applyUpdate(to: base, request, admin: true) else { return .msg(500, "Error updating object.") }
        if existing == nil { insertProjectUser(updated) } else { projectUsers[id] = updated }
        // The route reads the member's user first only for an availability change.
        let availability = request.body.defined("user_available") != nil || request.body.defined("profileStatus") != nil
        archiveUpdate(updated, caller: caller, route: .byID(targetUser: availability ? existing?.idUser : nil), request, scope)
        return .json(200, updated.json())
    }

    /// Records the `project_user.update` activity of a PUT.
    private mutating func archiveUpdate(
        _ updated: ProjectUserRecord, caller: UserRecord, route: TeammateUpdateRoute, _ request: RequestContext, _ scope: ProjectScope
    ) {
        let event = Self.updateEvent(
            updated, user: updated.idUser.flatMap { users[$0] }, caller: caller, body: request.body, route: route,
            projectLimit: scope.project.maxAgentAssignedChat)
        archive(event, request)
    }

    /// The whitelisted `$set` of the two PUT routes, cast like Mongoose; `nil` on a cast error
    /// (the document is then left untouched). `null` values are skipped.
    private mutating func applyUpdate(to record: ProjectUserRecord, _ request: RequestContext, admin: Bool) -> ProjectUserRecord? {
        let body = request.body
        var r = record
        if admin, let v = body.defined("role") {
            guard let s = Cast.string(v) else { return nil }
            r.role = .string(s)
        }
        if let v = body.defined("user_available") {
            guard let b = Cast.boolean(v) else { return nil }
            r.userAvailable = b
        }
        if let v = body.defined("profileStatus") {
            guard let s = Cast.string(v) else { return nil }
            r.profileStatus = s
        }
        if let v = body.defined("max_assigned_chat") {
            guard let n = Cast.number(v) else { return nil }
            r.maxAssignedChat = n
        }
        if let v = body.defined("number_assigned_requests") {
            guard let n = Cast.number(v) else { return nil }
            r.numberAssignedRequests = n
        }
        if let v = body.defined("attributes") { r.attributes = v }
        if admin, let v = body["status"]?.stringValue, v == "active" || v == "disabled" { r.status = v }
        for (key, path) in Self.settingsKeys {
            guard let v = body.defined(key) else { continue }
            var settings = r.settings ?? JSONObject()
            guard setDotted(&settings, path[...], v) else { return nil }
            r.settings = settings
        }
        if let v = body.defined("tags") {
            guard let tags = castTags(v, request) else { return nil }
            r.tags = tags
        }
        r.updatedAt = request.now
        return r
    }

    /// The two dotted settings keys the server whitelists, stored as nested objects.
    private static let settingsKeys: [(String, [String])] = [
        ("settings.email.notification.conversation.assigned.toyou", ["email", "notification", "conversation", "assigned", "toyou"]),
        ("settings.email.notification.conversation.pooled", ["email", "notification", "conversation", "pooled"]),
    ]

    private mutating func castTags(_ value: JSON, _ request: RequestContext) -> [JSON]? {
        var ids: [String] = []
        let needed = (value.arrayValue ?? [value]).count
        for _ in 0..<needed { ids.append(newID(request.nowMillis)) }
        var next = 0
        return Cast.tags(value) {
            defer { next += 1 }
            return ids[next]
        }
    }

    // MARK: Disable / trash / delete / restore

    /// `DELETE /:project_user_id` (role admin), not scoped to the project: disable (default),
    /// `?soft=true` trash (also disables), `?hard=true` remove. Nothing protects the owner.
    /// Trash and remove also pull the user from the project's groups.
    private mutating func deleteTeammate(_ request: RequestContext, _ scope: ProjectScope, _ rawID: String) -> Reply {
        let caller: UserRecord
        switch authorize(request, project: scope.id, role: .admin) {
        case .failure(let error): return error.reply
        case .success(let (user, _)): caller = user
        }
        let soft = request.query.single("soft") == "true"
        let hard = !soft && request.query.single("hard") == "true"
        let failure =
            soft
            ? "Error deleting Project User with id \(rawID)"
            : hard ? "Error deleting Project user with id \(rawID)" : "Error disabling Project User with id \(rawID)"
        guard let id = ObjectID.canonical(rawID) else { return .msg(500, failure) }
        guard var record = projectUsers[id] else { return .error(404, "Project user not found with id \(rawID)") }
        if hard {
            _ = removeProjectUser(id)
            removed(record, caller: caller, hard: true, request, scope)
            return .json(200, record.json())
        }
        if soft {
            record.trashed = true
            record.status = "disabled"  // the schema's pre-findOneAndUpdate hook
        } else {
            record.status = "disabled"
            record.userAvailable = false
        }
        record.updatedAt = request.now
        projectUsers[id] = record
        if soft { removed(record, caller: caller, hard: false, request, scope) }
        return .json(200, record.json())
    }

    /// What follows a trash or hard delete: the user leaves the project's groups and the
    /// activity is recorded (the default disable does neither).
    private mutating func removed(_ record: ProjectUserRecord, caller: UserRecord, hard: Bool, _ request: RequestContext, _ scope: ProjectScope) {
        pullFromGroups(record, request)
        archive(Self.deleteEvent(record, user: record.idUser.flatMap { users[$0] }, caller: caller, hard: hard, urlProject: scope.rawID), request)
    }

    /// `PUT /:project_user_id/restore` (role admin): scoped; only a trashed teammate.
    private mutating func restoreTeammate(_ request: RequestContext, _ scope: ProjectScope, _ rawID: String) -> Reply {
        let caller: UserRecord
        switch authorize(request, project: scope.id, role: .admin) {
        case .failure(let error): return error.reply
        case .success(let (user, _)): caller = user
        }
        guard let id = ObjectID.canonical(rawID) else { return .msg(500, "Error restoring Project User with id \(rawID)") }
        guard var record = projectUsers[id], record.idProject == scope.id else {
            return .error(404, "Project user not found with id \(rawID)")
        }
        guard record.trashed == true else { return .error(400, "Project user is not trashed, cannot restore") }
        record.trashed = false
        record.status = "active"
        record.updatedAt = request.now
        projectUsers[id] = record
        archiveUpdate(record, caller: caller, route: .restore, request, scope)
        return .json(200, record.json())
    }
}
