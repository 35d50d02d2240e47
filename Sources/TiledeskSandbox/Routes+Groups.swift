import JSONCore

// `/:projectid/groups` (routes/group.js), mounted behind passport, validtoken and
// `hasRoleOrTypes('agent', ['bot','subscription'])`: any agent manages groups. Lookups by id
// are unscoped, and PUTs upsert.

extension SandboxState {
    /// The router, in file order: `POST /`, `PUT /:id`, `PUT /enable/:id`, `PUT /disable/:id`,
    /// `DELETE /:id`, `GET /:id`, `GET /`.
    mutating func groupRoute(_ request: RequestContext, _ scope: ProjectScope, _ rest: ArraySlice<Substring>) -> Reply {
        let caller: UserRecord
        switch authorizeAllowingTypes(request, project: scope.id, role: .agent) {
        case .failure(let error): return error.reply
        case .success(let (user, _)): caller = user
        }
        let parts = Array(rest)
        switch (request.method, parts.count) {
        case ("POST", 0): return createGroup(request, scope, caller: caller)
        case ("PUT", 1): return withDecodedID(parts[0]) { updateGroup($0, request) }
        case ("PUT", 2) where Text.equalsIgnoringCase(parts[0], "enable"):
            return withDecodedID(parts[1]) { setGroupEnabled(true, $0, scope, request) }
        case ("PUT", 2) where Text.equalsIgnoringCase(parts[0], "disable"):
            return withDecodedID(parts[1]) { setGroupEnabled(false, $0, scope, request) }
        case ("DELETE", 1): return withDecodedID(parts[0]) { deleteGroup($0, scope, request) }
        case ("GET", 1): return withDecodedID(parts[0]) { getGroup($0) }
        case ("GET", 0): return listGroups(request, scope)
        default: return .notFound(request)
        }
    }

    /// `GET /`: `{id_project, trashed: false}` (disabled groups included, groups without a
    /// `trashed` field not), `?member=` one or more user ids (`$in`).
    private func listGroups(_ request: RequestContext, _ scope: ProjectScope) -> Reply {
        let wanted = request.query.truthy("member")?.map { JSON.string($0) }
        let items = groups.inProject(scope.rawID).filter { group in
            guard group.trashed == false else { return false }
            guard let wanted else { return true }
            return group.memberList.contains { wanted.contains($0) }
        }
        return .json(200, .array(items.map { $0.json() }))
    }

    /// `GET /:id`: unscoped, and trashed groups too.
    private func getGroup(_ rawID: String) -> Reply {
        guard let id = ObjectID.canonical(rawID) else { return .msg(500, "Error getting object.") }
        guard let group = groups[id] else { return .msg(404, "Object not found.") }
        return .json(200, group.json())
    }

    /// `POST /`: `name` required (a missing or empty one is 500), `members` cast to an array.
    private mutating func createGroup(_ request: RequestContext, _ scope: ProjectScope, caller: UserRecord) -> Reply {
        let body = request.body
        let failed = Reply.msg(500, "Error saving object.")
        guard let nameValue = body["name"], let name = Cast.string(nameValue), !name.isEmpty else { return failed }
        var members: JSON = []
        if let value = body["members"] { members = Self.castMembers(value) }
        let group = GroupRecord(
            id: newID(request.nowMillis), name: name, members: members, idProject: scope.rawID, enabled: true, trashed: false,
            attributes: nil, createdBy: caller.id, createdAt: request.now, updatedAt: request.now, version: 0)
        groups.save(group)
        return .json(200, group.json())
    }

    /// `PUT /:id`: only the fields sent (not `null`): `name`, `members` (replaces the array),
    /// `trashed`, `attributes`; never `enabled`. An upsert, unscoped.
    private mutating func updateGroup(_ rawID: String, _ request: RequestContext) -> Reply {
        let body = request.body
        guard let id = ObjectID.canonical(rawID) else { return .msg(500, "Error updating object.") }
        var group = groups[id] ?? Self.bareGroup(id, request)
        do {
            if let name = try body.cast("name", Cast.string) { group.name = name }
            if let trashed = try body.cast("trashed", Cast.boolean) { group.trashed = trashed }
        } catch {
            return .msg(500, "Error updating object.")
        }
        if let v = body.defined("members") { group.members = Self.castMembers(v) }
        if let v = body.defined("attributes") { group.attributes = v }
        group.updatedAt = request.now
        groups.save(group)
        return .json(200, group.json())
    }

    /// `PUT /enable/:id`, `PUT /disable/:id`: upserts, unscoped. Disabling a group a
    /// department of this project routes to (`id_group`) is refused.
    private mutating func setGroupEnabled(_ enabled: Bool, _ rawID: String, _ scope: ProjectScope, _ request: RequestContext) -> Reply {
        if !enabled, isRoutedTo(group: rawID, scope) {
            return .error(403, "Unable to disabled a group associated with a department")
        }
        guard let id = ObjectID.canonical(rawID) else { return .error(500, enabled ? "Error enabling group" : "Error disabling group") }
        var group = groups[id] ?? Self.bareGroup(id, request)
        group.enabled = enabled
        group.updatedAt = request.now
        groups.save(group)
        return .json(200, group.json())
    }

    /// `DELETE /:id`: refused for a group a department of this project routes to; else soft
    /// (`enabled: false, trashed: true`, and the success message even for an unknown id) or,
    /// with `?force=true`, physical (the removed group, or an empty body).
    private mutating func deleteGroup(_ rawID: String, _ scope: ProjectScope, _ request: RequestContext) -> Reply {
        if isRoutedTo(group: rawID, scope) { return .error(403, "Unable to delete a group associated with a department") }
        guard let id = ObjectID.canonical(rawID) else { return .msg(500, "Error deleting group") }
        if request.query.single("force") == "true" {
            guard let removed = groups.remove(id) else { return Reply(status: 200, body: .empty) }
            return .json(200, removed.json())
        }
        if var group = groups[id] {
            group.enabled = false
            group.trashed = true
            group.updatedAt = request.now
            groups.save(group)
        }
        return .json(200, ["success": true, "message": "Group successfully deleted"])
    }

    /// `departmentService.isGroupInProjectDepartment`: a department of the URL's project whose
    /// `id_group` is the id exactly as the URL spelled it (the `groups` list is not looked at).
    private func isRoutedTo(group rawID: String, _ scope: ProjectScope) -> Bool {
        departments.inProject(scope.rawID).contains { $0.idGroup == .string(rawID) }
    }

    /// What an upsert creates for an unknown id: `_id` and the timestamps, no defaults.
    private static func bareGroup(_ id: String, _ request: RequestContext) -> GroupRecord {
        GroupRecord(
            id: id, name: nil, members: nil, idProject: nil, enabled: nil, trashed: nil, attributes: nil, createdBy: nil,
            createdAt: request.now, updatedAt: request.now, version: nil)
    }

    /// The `members` Array path: an array as sent, `null` kept, any other value wrapped.
    private static func castMembers(_ value: JSON) -> JSON {
        switch value {
        case .array, .null: value
        default: [value]
        }
    }

    /// The `project_user.deleted` listener (trash and hard delete): the user id is pulled
    /// from every group of the membership's project, whose `updatedAt` all move. No event.
    mutating func pullFromGroups(_ membership: ProjectUserRecord, _ request: RequestContext) {
        guard let user = membership.idUser, let project = membership.idProject else { return }
        for var group in groups.inProject(project) {
            if case .array(let members)? = group.members { group.members = .array(members.filter { $0 != .string(user) }) }
            group.updatedAt = request.now
            groups.save(group)
        }
    }
}
