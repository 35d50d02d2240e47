import JSONCore

// The emulator's documents. Each one serializes the way Mongoose's `toJSON` would write the
// real document: `_id` first, schema fields, timestamps, `__v`, fields that updates add later
// (MongoDB appends `$set` fields), then the schema's virtuals.

/// A `users` document. The password is kept in clear: the emulator has no bcrypt.
struct UserRecord {
    var id: String
    var email: String
    var password: String
    var firstname: String?
    var lastname: String?
    var emailverified: Bool?
    var status: Int
    var createdAt: String
    var updatedAt: String
    var version: Int
    // Only ever set by `PUT /users`.
    var attributes: JSON?
    var description: String?
    var publicEmail: String?
    var publicWebsite: String?
    var phone: String?

    /// The `fullName` virtual: `firstname + ' ' + lastname`, blanks for missing parts.
    var fullName: String { (firstname ?? "") + " " + (lastname ?? "") }

    /// `populate('id_user', 'firstname lastname [email]')`: `_id` and the selected fields set.
    func selectedJSON(withEmail: Bool) -> JSON {
        var o = JSONObject()
        o.appendUnique("_id", .string(id))
        if withEmail { o.appendUnique("email", .string(email)) }
        if let firstname { o.appendUnique("firstname", .string(firstname)) }
        if let lastname { o.appendUnique("lastname", .string(lastname)) }
        return .object(o)
    }

    /// Projection `email firstname lastname _id emailverified` (`GET /users`, and the `user`
    /// of `/auth/signin`): unset fields are omitted, no `id`.
    func profileJSON() -> JSON { .object(profileObject()) }

    private func profileObject() -> JSONObject {
        var o = JSONObject()
        o.appendUnique("_id", .string(id))
        o.appendUnique("email", .string(email))
        if let firstname { o.appendUnique("firstname", .string(firstname)) }
        if let lastname { o.appendUnique("lastname", .string(lastname)) }
        if let emailverified { o.appendUnique("emailverified", .bool(emailverified)) }
        return o
    }

    /// The whole document minus `password` / `resetpswrequestid` (`select: false`): a populated
    /// `id_user`, and `updatedUser` of `PUT /users`. The User schema has no toJSON virtuals.
    func fullJSON() -> JSON {
        var o = profileObject()
        o.appendUnique("status", .number(JSONNumber(status)))
        o.appendUnique("createdAt", .string(createdAt))
        o.appendUnique("updatedAt", .string(updatedAt))
        o.appendUnique("__v", .number(JSONNumber(version)))
        if let attributes { o.appendUnique("attributes", attributes) }
        if let description { o.appendUnique("description", .string(description)) }
        if let publicEmail { o.appendUnique("public_email", .string(publicEmail)) }
        if let publicWebsite { o.appendUnique("public_website", .string(publicWebsite)) }
        if let phone { o.appendUnique("phone", .string(phone)) }
        return .object(o)
    }

    /// Projection `firstname lastname _id public_website public_email description` (`/users_util`).
    func publicJSON() -> JSON {
        var o = JSONObject()
        o.appendUnique("_id", .string(id))
        if let firstname { o.appendUnique("firstname", .string(firstname)) }
        if let lastname { o.appendUnique("lastname", .string(lastname)) }
        if let description { o.appendUnique("description", .string(description)) }
        if let publicEmail { o.appendUnique("public_email", .string(publicEmail)) }
        if let publicWebsite { o.appendUnique("public_website", .string(publicWebsite)) }
        return .object(o)
    }
}

/// A `projects` document. `jwtSecret`, `publicKey`, `privateKey` are `select: false` and never shown.
struct ProjectRecord {
    var id: String
    var name: String
    var createdBy: String
    /// 100 = live, 0 = deleted.
    var status: Int
    var settings: JSONObject
    /// Set only through `PUT /projects/:id` (missing in the seed: always open).
    var activeOperatingHours: Bool?
    /// A Mixed path; the dashboard stores a JSON string (`OperatingHours`).
    var operatingHours: JSON?
    var timeSlots: JSON?
    var createdAtMillis: Int64
    var createdAt: String
    var updatedAt: String
    var version: Int

    /// `project.settings.max_agent_assigned_chat`, the team-wide chat limit behind `isBusy`,
    /// as JavaScript compares it (a numeric string counts, anything else is NaN); `nil` when
    /// unset or `null`.
    var maxAgentAssignedChat: Double? {
        switch settings["max_agent_assigned_chat"] {
        case nil, .null?: nil
        case .number(let n)?: n.doubleValue
        case .bool(let b)?: b ? 1 : 0
        case let value?: JS.number(JS.string(value))
        }
    }

    /// The full project with its virtuals (`id`, `trialExpired`, `trialDaysLeft`,
    /// `isActiveSubscription`), as `GET /projects` populates it. Trial mode is off (the open
    /// source default), so `trialExpired` is false; `trialDaysLeft` counts from `createdAt`.
    func json(nowMillis: Int64) -> JSON {
        var profile = JSONObject()
        profile.appendUnique("name", "Sandbox")
        profile.appendUnique("trialDays", 14)
        profile.appendUnique("agents", 0)
        profile.appendUnique("type", "free")

        var o = JSONObject()
        o.appendUnique("_id", .string(id))
        o.appendUnique("name", .string(name))
        if let activeOperatingHours { o.appendUnique("activeOperatingHours", .bool(activeOperatingHours)) }
        if let operatingHours { o.appendUnique("operatingHours", operatingHours) }
        if let timeSlots { o.appendUnique("timeSlots", timeSlots) }
        o.appendUnique("settings", .object(settings))
        o.appendUnique("status", .number(JSONNumber(status)))
        o.appendUnique("profile", .object(profile))
        o.appendUnique("versions", 20115)
        o.appendUnique("channels", [["name": "chat21"]])
        o.appendUnique("ipFilterEnabled", false)
        o.appendUnique("ipFilter", [])
        o.appendUnique("ipFilterDenyEnabled", false)
        o.appendUnique("ipFilterDeny", [])
        o.appendUnique("bannedUsers", [])
        o.appendUnique("createdBy", .string(createdBy))
        o.appendUnique("createdAt", .string(createdAt))
        o.appendUnique("updatedAt", .string(updatedAt))
        o.appendUnique("__v", .number(JSONNumber(version)))
        o.appendUnique("id", .string(id))
        o.appendUnique("trialExpired", false)
        let day: Int64 = 86_400_000
        let left = nowMillis - (createdAtMillis + 14 * day)
        let floored = left >= 0 ? left / day : -((-left + day - 1) / day)
        o.appendUnique("trialDaysLeft", .number(JSONNumber(Int(floored))))
        o.appendUnique("isActiveSubscription", false)
        return .object(o)
    }
}

/// `presence` of a project_user.
struct Presence {
    var status: String
    var changedAt: String
}

/// A `project_users` document (a teammate, or a guest with `uuid_user`).
///
/// Every field is optional because `PUT /project_users/:id` upserts a bare document holding
/// only `_id`, the updated fields and the timestamps.
struct ProjectUserRecord {
    var id: String
    var idProject: String?
    var idUser: String?
    var uuidUser: String?
    /// A string, or JSON null when an invite stored `role: null`.
    var role: JSON?
    var roleType: Int?
    var userAvailable: Bool?
    var presence: Presence?
    var numberAssignedRequests: JSON?
    var lastLoginAt: String?
    var tags: [JSON]?
    var permissions: [String]?
    var createdBy: String?
    var status: String?
    var trashed: Bool?
    var createdAt: String?
    var updatedAt: String?
    var version: Int?
    // Only ever set by updates.
    var profileStatus: String?
    var attributes: JSON?
    var maxAssignedChat: JSON?
    var settings: JSONObject?

    var roleString: String? { role?.stringValue }
    var isActive: Bool { status == "active" }

    /// A new document as `new Project_user({...}).save()` writes it, schema defaults included.
    static func new(
        id: String, project: String?, user: String?, uuidUser: String? = nil, role: JSON?, roleType: Int,
        userAvailable: Bool, tags: [JSON] = [], createdBy: String, now: String, lastLoginAt: String
    ) -> ProjectUserRecord {
        ProjectUserRecord(
            id: id, idProject: project, idUser: user, uuidUser: uuidUser, role: role, roleType: roleType,
            userAvailable: userAvailable, presence: nil, numberAssignedRequests: 0, lastLoginAt: lastLoginAt,
            tags: tags, permissions: [], createdBy: createdBy, status: "active", trashed: false,
            createdAt: now, updatedAt: now, version: 0)
    }

    /// The toJSON form (virtuals `id` and `isAuthenticated` included).
    /// - Parameters:
    ///   - idUser: replaces the `id_user` string (a populated user, or `null` when the user is gone).
    ///   - idProject: replaces the `id_project` string (a populated project).
    ///   - rolePermissions: the permissions of the custom Role named like `role`, which the role
    ///     check attaches to the membership it loads (shown by `/me`).
    ///   - isBusy: appended last, as the GET routes add it.
    func json(
        idUser populatedUser: JSON? = nil, idProject populatedProject: JSON? = nil, rolePermissions: [String]? = nil,
        isBusy: Bool? = nil
    ) -> JSON {
        var o = JSONObject()
        o.appendUnique("_id", .string(id))
        if let populatedProject { o.appendUnique("id_project", populatedProject) } else if let idProject {
            o.appendUnique("id_project", .string(idProject))
        }
        if let idUser {
            o.appendUnique("id_user", populatedUser ?? .string(idUser))
        }
        if let uuidUser { o.appendUnique("uuid_user", .string(uuidUser)) }
        if let role { o.appendUnique("role", role) }
        if let roleType { o.appendUnique("roleType", .number(JSONNumber(roleType))) }
        if let userAvailable { o.appendUnique("user_available", .bool(userAvailable)) }
        if let presence {
            o.appendUnique("presence", ["status": .string(presence.status), "changedAt": .string(presence.changedAt)])
        }
        if let numberAssignedRequests { o.appendUnique("number_assigned_requests", numberAssignedRequests) }
        if let lastLoginAt { o.appendUnique("last_login_at", .string(lastLoginAt)) }
        if let tags { o.appendUnique("tags", .array(tags)) }
        if let permissions { o.appendUnique("permissions", .array(permissions.map { .string($0) })) }
        if let createdBy { o.appendUnique("createdBy", .string(createdBy)) }
        if let status { o.appendUnique("status", .string(status)) }
        if let trashed { o.appendUnique("trashed", .bool(trashed)) }
        if let createdAt { o.appendUnique("createdAt", .string(createdAt)) }
        if let updatedAt { o.appendUnique("updatedAt", .string(updatedAt)) }
        if let version { o.appendUnique("__v", .number(JSONNumber(version))) }
        if let profileStatus { o.appendUnique("profileStatus", .string(profileStatus)) }
        if let attributes { o.appendUnique("attributes", attributes) }
        if let maxAssignedChat { o.appendUnique("max_assigned_chat", maxAssignedChat) }
        if let settings { o.appendUnique("settings", .object(settings)) }
        if let rolePermissions { o.appendUnique("rolePermissions", .array(rolePermissions.map { .string($0) })) }
        o.appendUnique("id", .string(id))
        o.appendUnique("isAuthenticated", .bool(roleString != "guest"))
        if let isBusy { o.appendUnique("isBusy", .bool(isBusy)) }
        return .object(o)
    }

    /// `utils/project_userUtil.js` `isBusy`: false unless the project sets
    /// `max_agent_assigned_chat`; the member's own `max_assigned_chat` wins when larger.
    func isBusy(projectLimit: Double?) -> Bool {
        guard let projectLimit else { return false }
        var limit: Double? = projectLimit > -1 ? projectLimit : nil
        if let own = maxAssignedChat?.numberValue?.doubleValue, own > -1, let current = limit, own > current {
            limit = own
        }
        guard let limit, let assigned = numberAssignedRequests?.numberValue?.doubleValue else { return false }
        return assigned >= limit
    }
}

/// A `pending-invitations` document. Only `createdBy` is required by the schema, and upserts
/// skip even that, so every field may be missing; `id_project` and `createdBy` are plain
/// strings, so `id_project` keeps the project id exactly as the invite's URL spelled it.
struct PendingInvitationRecord: ProjectDocument {
    var id: String
    /// Missing (`nil`), `null`, or the address lowercased.
    var email: JSON?
    /// Missing (`nil`), `null`, or any string (the role is not validated).
    var role: JSON?
    var idProject: String?
    var createdBy: String?
    var createdAt: String
    var updatedAt: String
    /// `nil` for a document an upsert created.
    var version: Int?

    func json() -> JSON {
        var o = JSONObject()
        o.appendUnique("_id", .string(id))
        if let email { o.appendUnique("email", email) }
        if let role { o.appendUnique("role", role) }
        if let idProject { o.appendUnique("id_project", .string(idProject)) }
        if let createdBy { o.appendUnique("createdBy", .string(createdBy)) }
        o.appendUnique("createdAt", .string(createdAt))
        o.appendUnique("updatedAt", .string(updatedAt))
        if let version { o.appendUnique("__v", .number(JSONNumber(version))) }
        return .object(o)
    }

    /// The key of `find({email})`: a query for a missing or `null` email matches both.
    static func emailKey(_ email: JSON?) -> String { email?.stringValue.map { "s" + $0 } ?? "n" }
}

/// Ids in insertion order (Mongo's natural order) with O(1) amortized removal.
struct OrderedIDs {
    private var slots: [String?] = []
    private var positions: [String: Int] = [:]

    var count: Int { positions.count }

    mutating func append(_ id: String) {
        guard positions[id] == nil else { return }
        positions[id] = slots.count
        slots.append(id)
    }

    mutating func remove(_ id: String) {
        guard let position = positions.removeValue(forKey: id) else { return }
        slots[position] = nil
        if slots.count > 32, positions.count * 2 < slots.count {
            slots = slots.filter { $0 != nil }
            for (i, slot) in slots.enumerated() { positions[slot!] = i }
        }
    }

    func forEach(_ body: (String) -> Void) {
        for slot in slots { if let slot { body(slot) } }
    }
}
