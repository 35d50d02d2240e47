import JSONCore

// `/:projectid/departments` (routes/department.js). Mounted with no auth: the two reads the
// widget uses are public, the writes check admin themselves, `allstatus` checks agent (or a
// type). Lookups by id are unscoped and writes upsert. `GET /:id/operators` is not emulated:
// on the real server it can hang, and the bridge must not use it.

extension SandboxState {
    /// The router, in file order (POST, PUT, PATCH, GET `/allstatus`, GET `/:id`, GET `/`,
    /// DELETE); anything else is Express's 404 page.
    mutating func departmentRoute(_ request: RequestContext, _ scope: ProjectScope, _ rest: ArraySlice<Substring>) -> Reply? {
        let parts = Array(rest)
        switch (request.method, parts.count) {
        case ("POST", 0), ("PUT", 1), ("PATCH", 1), ("DELETE", 1):
            let caller: UserRecord
            switch authorize(request, project: scope.id, role: .admin) {
            case .failure(let error): return error.reply
            case .success(let (user, _)): caller = user
            }
            switch request.method {
            case "POST": return createDepartment(request, scope, caller: caller)
            case "PUT": return withDecodedID(parts[0]) { writeDepartment($0, request, replacingLinks: true) }
            case "PATCH": return withDecodedID(parts[0]) { writeDepartment($0, request, replacingLinks: false) }
            default: return withDecodedID(parts[0]) { deleteDepartment($0) }
            }
        case ("GET", 1) where Text.equalsIgnoringCase(parts[0], "allstatus"):
            if case .failure(let error) = authorizeAllowingTypes(request, project: scope.id, role: .agent) { return error.reply }
            return listDepartments(request, scope) { ($0.statusNumber ?? -.infinity) >= 0 }
        case ("GET", 1): return withDecodedID(parts[0]) { getDepartment($0, scope) }
        case ("GET", 0): return listDepartments(request, scope) { $0.statusNumber == 1 }
        default: return nil
        }
    }

    /// `GET /` (public: `status: 1`) and `GET /allstatus` (`status >= 0`), natural order or,
    /// with any `?sort`, by name. (The plan rule that lists only the default department for an
    /// expired trial never applies: the sandbox's project is not on a trial.)
    private func listDepartments(_ request: RequestContext, _ scope: ProjectScope, _ shown: (DepartmentRecord) -> Bool) -> Reply {
        var items = departments.inProject(scope.rawID).filter(shown)
        if request.query.truthy("sort") != nil {
            items = stableSorted(items) { Text.bytewiseLess($0.name, $1.name) }
        }
        return .json(200, .array(items.map { $0.json() }))
    }

    /// `GET /:id` (public): unscoped; the literal `default` is the project's default
    /// department, or `null`.
    private func getDepartment(_ rawID: String, _ scope: ProjectScope) -> Reply {
        if rawID == "default" {
            return .json(200, departments.inProject(scope.rawID).first { $0.isDefault == true }?.json() ?? .null)
        }
        guard let id = ObjectID.canonical(rawID) else { return .msg(500, "Error getting object.") }
        guard let department = departments[id] else { return .msg(404, "Object not found.") }
        return .json(200, department.json())
    }

    /// `POST /` (admin): `name` required, `groups` items need `group_id` and `percentage`;
    /// `id_bot` (with `bot_only`) only when truthy. `id_group` is not checked.
    private mutating func createDepartment(_ request: RequestContext, _ scope: ProjectScope, caller: UserRecord) -> Reply {
        let body = request.body
        var department = DepartmentRecord(
            id: newID(request.nowMillis), routing: "pooled", idProject: scope.rawID, groups: [], isDefault: false, tags: [],
            status: 1, createdBy: caller.id, createdAt: request.now, updatedAt: request.now, version: 0)
        var fields = ["routing", "name", "description", "default", "status", "id_group", "groups"].compactMap { key in
            body.defined(key).map { (key, $0) }
        }
        if JS.truthy(body["id_bot"]), let idBot = body["id_bot"] {
            fields.append(("id_bot", idBot))
            if let botOnly = body.defined("bot_only") { fields.append(("bot_only", botOnly)) }
        }
        let valid =
            assign(fields, to: &department, request) && !(department.name ?? "").isEmpty
            && (department.groups ?? []).allSatisfy { $0["group_id"]?.stringValue?.isEmpty == false && $0["percentage"]?.numberValue != nil }
        guard valid else { return .msg(500, "Error saving object.") }
        departments.save(department)
        return .json(200, department.json())
    }

    /// `PUT /:id` (`replacingLinks`) and `PATCH /:id` (admin): the fields sent, `null` skipped,
    /// except that PUT always writes `id_bot` and `id_group`, so omitting them clears them.
    /// PATCH takes no `online_msg`. Upserts, unscoped, no validators.
    private mutating func writeDepartment(_ rawID: String, _ request: RequestContext, replacingLinks: Bool) -> Reply {
        let body = request.body
        let failed = Reply.msg(500, replacingLinks ? "Error updating object." : "Error patching object.")
        guard let id = ObjectID.canonical(rawID) else { return failed }
        let keys =
            replacingLinks
            ? ["bot_only", "routing", "name", "description", "online_msg", "status", "groups"]
            : ["status", "id_bot", "bot_only", "routing", "name", "description", "id_group", "groups"]
        var fields = keys.compactMap { key in body.defined(key).map { (key, $0) } }
        if replacingLinks {
            fields.insert(("id_bot", body["id_bot"] ?? .null), at: 0)
            fields.append(("id_group", body["id_group"] ?? .null))
        }
        var department =
            departments[id] ?? DepartmentRecord(id: id, createdAt: request.now, updatedAt: request.now)
        guard assign(fields, to: &department, request) else { return failed }
        department.updatedAt = request.now
        departments.save(department)
        return .json(200, department.json())
    }

    /// `DELETE /:id` (admin): physical, unscoped; the removed department or `null` (the
    /// default department can go too).
    private mutating func deleteDepartment(_ rawID: String) -> Reply {
        guard let id = ObjectID.canonical(rawID) else { return .msg(500, "Error deleting object.") }
        return .json(200, departments.remove(id)?.json() ?? .null)
    }

    /// Casts each value to its schema type and stores it; `false` at the first CastError
    /// (the department is then not saved).
    private mutating func assign(_ fields: [(String, JSON)], to department: inout DepartmentRecord, _ request: RequestContext) -> Bool {
        for (key, value) in fields {
            switch key {
            case "id_bot", "id_group":
                let cast: JSON
                if value.isNull { cast = .null } else {
                    guard let text = Cast.string(value) else { return false }
                    cast = .string(text)
                }
                if key == "id_bot" { department.idBot = cast } else { department.idGroup = cast }
            case "bot_only", "default":
                guard let flag = Cast.boolean(value) else { return false }
                if key == "bot_only" { department.botOnly = flag } else { department.isDefault = flag }
            case "status":
                guard let number = Cast.number(value) else { return false }
                department.status = number
            case "groups":
                guard let groups = castGroupMembers(value, request) else { return false }
                department.groups = groups
            default:
                guard let text = Cast.string(value) else { return false }
                switch key {
                case "routing": department.routing = text
                case "name": department.name = text
                case "description": department.description = text
                default: department.onlineMsg = text
                }
            }
        }
        return true
    }

    /// The `groups` sub-documents (`{_id, group_id, percentage}`; other keys dropped).
    private mutating func castGroupMembers(_ value: JSON, _ request: RequestContext) -> [JSON]? {
        var out: [JSON] = []
        for item in value.arrayValue ?? [value] {
            guard case .object(let fields) = item, let id = Cast.subdocumentID(fields, newID: { newID(request.nowMillis) }) else {
                return nil
            }
            var member = JSONObject()
            member.appendUnique("_id", .string(id))
            if let groupID = fields["group_id"], !groupID.isNull {
                guard let text = Cast.string(groupID) else { return nil }
                member.appendUnique("group_id", .string(text))
            }
            if let percentage = fields["percentage"], !percentage.isNull {
                guard let number = Cast.number(percentage) else { return nil }
                member.appendUnique("percentage", number)
            }
            out.append(.object(member))
        }
        return out
    }
}
