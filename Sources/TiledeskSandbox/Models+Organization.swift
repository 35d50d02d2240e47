import JSONCore

// The documents around the team: groups, departments, custom roles. Their PUT routes upsert
// without defaults or validators, so every field but `_id` may be missing.

/// A `groups` document (models/group.js). No toJSON virtuals, so no `id`.
struct GroupRecord: ProjectDocument {
    var id: String
    var name: String?
    /// The `members` Mixed array (user ids as sent, unchecked), or `null`.
    var members: JSON?
    /// The project id as the creating URL spelled it (a String path).
    var idProject: String?
    var enabled: Bool?
    /// `nil` (missing) keeps a group out of the list, which asks for `trashed: false`.
    var trashed: Bool?
    var attributes: JSON?
    var createdBy: String?
    var createdAt: String
    var updatedAt: String
    var version: Int?

    var memberList: [JSON] { members?.arrayValue ?? [] }

    func json() -> JSON {
        var o = JSONObject()
        o.appendUnique("_id", .string(id))
        if let name { o.appendUnique("name", .string(name)) }
        if let members { o.appendUnique("members", members) }
        if let idProject { o.appendUnique("id_project", .string(idProject)) }
        if let enabled { o.appendUnique("enabled", .bool(enabled)) }
        if let trashed { o.appendUnique("trashed", .bool(trashed)) }
        if let attributes { o.appendUnique("attributes", attributes) }
        if let createdBy { o.appendUnique("createdBy", .string(createdBy)) }
        o.appendUnique("createdAt", .string(createdAt))
        o.appendUnique("updatedAt", .string(updatedAt))
        if let version { o.appendUnique("__v", .number(JSONNumber(version))) }
        return .object(o)
    }
}

/// A `departments` document (models/department.js), serialized with its virtuals `hasBot`
/// and `id`.
struct DepartmentRecord: ProjectDocument {
    var id: String
    /// A string, or `null` once a PUT omitted it.
    var idBot: JSON?
    var botOnly: Bool?
    var routing: String?
    var name: String?
    var description: String?
    var idProject: String?
    /// The group routed to: a string, or `null` once a PUT omitted it.
    var idGroup: JSON?
    /// The weighted `groups` list (`{_id, group_id, percentage}`), which routing ignores.
    var groups: [JSON]?
    var onlineMsg: String?
    var isDefault: Bool?
    var tags: [JSON]?
    /// A Number: 1 visible, 0 hidden from the widget, -1 hidden from the dashboard too.
    var status: JSON?
    var createdBy: String?
    var createdAt: String
    var updatedAt: String
    var version: Int?

    /// `id_bot != undefined`.
    var hasBot: Bool { !(idBot?.isNull ?? true) }
    var statusNumber: Double? { status?.numberValue?.doubleValue }

    func json() -> JSON {
        var o = JSONObject()
        o.appendUnique("_id", .string(id))
        if let idBot { o.appendUnique("id_bot", idBot) }
        if let botOnly { o.appendUnique("bot_only", .bool(botOnly)) }
        if let routing { o.appendUnique("routing", .string(routing)) }
        if let name { o.appendUnique("name", .string(name)) }
        if let description { o.appendUnique("description", .string(description)) }
        if let idProject { o.appendUnique("id_project", .string(idProject)) }
        if let idGroup { o.appendUnique("id_group", idGroup) }
        if let groups { o.appendUnique("groups", .array(groups)) }
        if let onlineMsg { o.appendUnique("online_msg", .string(onlineMsg)) }
        if let isDefault { o.appendUnique("default", .bool(isDefault)) }
        if let tags { o.appendUnique("tags", .array(tags)) }
        if let status { o.appendUnique("status", status) }
        if let createdBy { o.appendUnique("createdBy", .string(createdBy)) }
        o.appendUnique("createdAt", .string(createdAt))
        o.appendUnique("updatedAt", .string(updatedAt))
        if let version { o.appendUnique("__v", .number(JSONNumber(version))) }
        o.appendUnique("hasBot", .bool(hasBot))
        o.appendUnique("id", .string(id))
        return .object(o)
    }
}

/// A `roles` document (models/role.js): no timestamps, no virtuals.
struct RoleRecord: ProjectDocument {
    var id: String
    var name: String?
    var permissions: [String]?
    var idProject: String?
    var version: Int?

    func json() -> JSON {
        var o = JSONObject()
        o.appendUnique("_id", .string(id))
        if let name { o.appendUnique("name", .string(name)) }
        if let permissions { o.appendUnique("permissions", .array(permissions.map { .string($0) })) }
        if let idProject { o.appendUnique("id_project", .string(idProject)) }
        if let version { o.appendUnique("__v", .number(JSONNumber(version))) }
        return .object(o)
    }
}
