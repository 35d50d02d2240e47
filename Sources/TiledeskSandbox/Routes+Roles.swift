import JSONCore

// `/:projectid/roles` (routes/roles.js), mounted behind passport, validtoken and
// `hasRole('agent')`: any agent manages custom roles. Lookups by id are unscoped; PUT upserts.

extension SandboxState {
    /// The router, in file order: `POST /`, `PUT /:id`, `DELETE /:id`, `GET /:id`, `GET /`.
    mutating func roleRoute(_ request: RequestContext, _ scope: ProjectScope, _ rest: ArraySlice<Substring>) -> Reply {
        if case .failure(let error) = authorize(request, project: scope.id, role: .agent) { return error.reply }
        let parts = Array(rest)
        switch (request.method, parts.count) {
        case ("POST", 0): return createRole(request, scope)
        case ("PUT", 1): return withDecodedID(parts[0]) { updateRole($0, request) }
        case ("DELETE", 1): return withDecodedID(parts[0]) { deleteRole($0) }
        case ("GET", 1): return withDecodedID(parts[0]) { getRole($0) }
        case ("GET", 0): return listRoles(request, scope)
        default: return .notFound(request)
        }
    }

    /// `Role.findOne({name, id_project})`: the custom role a member with that role string gets.
    func role(named name: String, _ scope: ProjectScope) -> RoleRecord? {
        roles.inProject(scope.rawID).first { $0.name == name }
    }

    /// `GET /`: the project's roles; `limit` (default 40, `parseInt`), `page` (0-based, `skip =
    /// page * limit`), `sort` (default `createdAt`, a field roles lack: natural order; `name`
    /// and `_id` sort) and `direction` (default -1). A non-numeric `limit` or `page`, or an
    /// unknown direction, makes the query fail where nothing answers.
    private func listRoles(_ request: RequestContext, _ scope: ProjectScope) -> Reply {
        let query = request.query
        var limit = 40.0
        if let raw = query.truthy("limit") { limit = JS.parseInt(raw.joined(separator: ",")) }
        var page = 0.0
        if let raw = query.truthy("page") { page = JS.number(raw.joined(separator: ",")) }
        let skip = page * limit
        guard !limit.isNaN, skip.isFinite, skip >= 0, skip == skip.rounded() else {
            return .neverAnswered("the roles query has a limit or skip MongoDB refuses (limit \(query.values("limit")), page \(query.values("page")))")
        }
        let direction = query.truthy("direction").map { $0.joined(separator: ",") } ?? "-1"
        guard let ascending = Self.sortDirection(direction) else {
            return .neverAnswered("Mongoose throws on the sort direction \(direction)")
        }
        var items = roles.inProject(scope.rawID)
        switch query.truthy("sort")?.joined(separator: ",") {
        case "name"?: items = stableSorted(items) { ascending ? Text.bytewiseLess($0.name, $1.name) : Text.bytewiseLess($1.name, $0.name) }
        case "_id"?: items = stableSorted(items) { ascending ? $0.id < $1.id : $1.id < $0.id }
        default: break
        }
        items = Array(items.dropFirst(Int(skip)))
        if limit != 0 { items = Array(items.prefix(Int(abs(limit)))) }
        return .json(200, .array(items.map { $0.json() }))
    }

    /// mquery's sort values: `1`, `-1`, `asc`, `ascending`, `desc`, `descending` (any case);
    /// `true` for ascending, `nil` for anything else.
    private static func sortDirection(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "1", "asc", "ascending": true
        case "-1", "desc", "descending": false
        default: nil
        }
    }

    /// `GET /:id`: unscoped.
    private func getRole(_ rawID: String) -> Reply {
        guard let id = ObjectID.canonical(rawID) else { return .msg(500, "Error getting object.") }
        guard let role = roles[id] else { return .msg(404, "Object not found.") }
        return .json(200, role.json())
    }

    /// `POST /`: `name` required, `permissions` cast to strings (default `[]`).
    private mutating func createRole(_ request: RequestContext, _ scope: ProjectScope) -> Reply {
        let body = request.body
        let failed = Reply.msg(500, "Error inserting object.")
        let name: String?
        let permissions: [String]?
        do {
            name = try body.cast("name", Cast.string)
            permissions = try body.cast("permissions", Self.castPermissions)
        } catch {
            return failed
        }
        guard let name, !name.isEmpty else { return failed }
        let role = RoleRecord(id: newID(request.nowMillis), name: name, permissions: permissions ?? [], idProject: scope.rawID, version: 0)
        roles.save(role)
        return .json(200, role.json())
    }

    /// `PUT /:id`: `name` and `permissions` when sent; an upsert (no timestamps: an unknown id
    /// becomes `{_id, name?, permissions?}`), unscoped.
    private mutating func updateRole(_ rawID: String, _ request: RequestContext) -> Reply {
        let body = request.body
        let failed = Reply.msg(500, "Error updating object.")
        guard let id = ObjectID.canonical(rawID) else { return failed }
        var role = roles[id] ?? RoleRecord(id: id, name: nil, permissions: nil, idProject: nil, version: nil)
        do {
            if let name = try body.cast("name", Cast.string) { role.name = name }
            if let permissions = try body.cast("permissions", Self.castPermissions) { role.permissions = permissions }
        } catch {
            return failed
        }
        roles.save(role)
        return .json(200, role.json())
    }

    /// `DELETE /:id`: `findOneAndDelete`, unscoped; the removed role or `null`.
    private mutating func deleteRole(_ rawID: String) -> Reply {
        guard let id = ObjectID.canonical(rawID) else { return .msg(500, "Error deleting object.") }
        return .json(200, roles.remove(id)?.json() ?? .null)
    }

    /// `[String]`: an array of castable values, or one value wrapped.
    private static func castPermissions(_ value: JSON) -> [String]? {
        var out: [String] = []
        for item in value.arrayValue ?? [value] {
            guard let text = Cast.string(item) else { return nil }
            out.append(text)
        }
        return out
    }
}
