import JSONCore

/// A named result type: published once in the OpenRPC `components.schemas` (the clients generate
/// their typed dicts and interfaces from it) and referred to by `$ref` from every method using it.
/// Tiledesk's objects carry more fields than listed; every field the server sends is passed
/// through (`additionalProperties` allowed).
public struct ResultType: Sendable {
    public let name: String
    /// The JSON Schema, referring to other named types by `$ref`.
    public let schema: JSON
    /// The types `schema` refers to.
    public let uses: [ResultType]

    /// - Parameter build: makes the schema; it refers to another type through the function it is
    ///   given, which records the use.
    init(_ name: String, _ build: (_ ref: (ResultType) -> JSON) -> JSON) {
        var uses: [ResultType] = []
        self.schema = build { used in
            uses.append(used)
            return used.ref
        }
        self.name = name
        self.uses = uses
    }

    init(_ name: String, _ schema: JSON) { self.init(name) { _ in schema } }

    /// `{"$ref": "#/components/schemas/<name>"}`.
    public var ref: JSON { ["$ref": .string("#/components/schemas/\(name)")] }

    /// This type and every type it uses, each once, this one first.
    public var closure: [ResultType] {
        var seen: Set<String> = []
        var out: [ResultType] = []
        func visit(_ t: ResultType) {
            guard seen.insert(t.name).inserted else { return }
            out.append(t)
            t.uses.forEach(visit)
        }
        visit(self)
        return out
    }

    /// The schema with every `$ref` replaced by the schema it names (MCP's `outputSchema` must
    /// stand alone).
    public var inlined: JSON { Self.inline(schema, uses: Dictionary(closure.map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })) }

    private static func inline(_ value: JSON, uses: [JSON: ResultType]) -> JSON {
        switch value {
        case .object(let object):
            if let used = uses[value] { return inline(used.schema, uses: uses) }
            return .object(JSONObject(object.map { (key: $0.key, value: inline($0.value, uses: uses)) }))
        case .array(let items):
            return .array(items.map { inline($0, uses: uses) })
        default:
            return value
        }
    }
}

/// What a method answers: one value of a type, or an array of them.
public enum ResultShape: Sendable {
    case one(ResultType)
    case list(ResultType)

    public var type: ResultType {
        switch self {
        case .one(let t), .list(let t): t
        }
    }

    /// The name clients show: `Teammate`, `Teammate[]`.
    public var typeName: String {
        switch self {
        case .one(let t): t.name
        case .list(let t): t.name + "[]"
        }
    }

    /// The schema, with `$ref`s to the named types.
    public var schema: JSON {
        switch self {
        case .one(let t): t.ref
        case .list(let t): ["type": "array", "items": t.ref]
        }
    }
}

extension ResultType {
    static let empty = ResultType("Empty", ["type": "object", "description": "An empty object.", "additionalProperties": false])

    static let user = ResultType("User", [
        "type": "object",
        "description": "A Tiledesk user as the server sent it, with `id` added from `_id`.",
        "properties": [
            "_id": ["type": "string"], "id": ["type": "string"], "email": ["type": "string"],
            "firstname": ["type": "string"], "lastname": ["type": "string"], "emailverified": ["type": "boolean"],
        ],
        "required": ["_id", "id"],
    ])

    static let signIn = ResultType("SignInResult") { ref in [
        "type": "object",
        "description": "The new token (later calls of this session use it) and the signed-in user.",
        "properties": ["token": ["type": "string"], "user": ref(user)],
        "required": ["token", "user"],
    ] }

    static let teammate = ResultType("Teammate") { ref in [
        "type": "object",
        "description": "A project_user (teammate) as the server sent it; `id_user` is the populated user on reads, an id string on writes.",
        "properties": [
            "_id": ["type": "string"], "id": ["type": "string"], "id_project": ["type": "string"],
            "id_user": ["oneOf": [["type": "string"], ref(user)]],
            "role": ["type": "string"], "user_available": ["type": "boolean"],
            "status": ["type": "string", "enum": ["active", "disabled"]], "trashed": ["type": "boolean"],
            "max_assigned_chat": ["type": "integer"], "profileStatus": ["type": "string"],
            "attributes": ["type": "object"], "settings": ["type": "object"], "presence": ["type": "object"],
            "isBusy": ["type": "boolean"],
        ],
        "required": ["_id", "id"],
    ] }

    static let membership = ResultType("Membership", [
        "type": "object",
        "description": "One of the caller's memberships, `id_project` populated with the project.",
        "properties": ["_id": ["type": "string"], "id": ["type": "string"], "role": ["type": "string"], "id_project": ["type": "object"]],
        "required": ["_id", "id"],
    ])

    static let invitation = ResultType("Invitation", [
        "type": "object",
        "description": "A pending invitation, waiting for the person to sign up.",
        "properties": [
            "_id": ["type": "string"], "id": ["type": "string"], "email": ["type": "string"], "role": ["type": "string"],
            "id_project": ["type": "string"], "createdBy": ["type": "string"], "createdAt": ["type": "string"],
        ],
        "required": ["_id", "id"],
    ])

    static let inviteResult = ResultType("InviteResult") { ref in [
        "type": "object",
        "description": "What an invite did: added at once (`teammate`), pending (`invitation`), or with ensure an existing member or invitation (`existing`, `role_matches`).",
        "properties": [
            "status": ["type": "string", "enum": ["added", "pending", "existing"]],
            "teammate": ref(teammate), "invitation": ref(invitation),
            "existing": ["type": "boolean"], "role_matches": ["type": "boolean"],
        ],
        "required": ["status"],
    ] }

    static let dryRun = ResultType("DryRunResult", [
        "type": "object",
        "description": "With dry_run: the request that would be sent (no credentials); null when the change needs none (it is already so), with the answer the call would give as result.",
        "properties": [
            "dry_run": ["const": true],
            "request": [
                "type": ["object", "null"],
                "properties": ["method": ["type": "string"], "url": ["type": "string"], "body": [:]],
                "required": ["method", "url", "body"],
            ],
            "result": ["description": "Only when request is null: what the call would answer."],
        ],
        "required": ["dry_run", "request"],
    ])

    static let group = ResultType("Group", [
        "type": "object",
        "description": "A group as the server sent it: `members` are user ids (not teammate ids); routing skips it while `enabled` is false.",
        "properties": [
            "_id": ["type": "string"], "id": ["type": "string"], "name": ["type": "string"],
            "members": ["type": "array", "items": ["type": "string"]], "enabled": ["type": "boolean"], "trashed": ["type": "boolean"],
            "id_project": ["type": "string"], "attributes": ["type": "object"],
        ],
        "required": ["_id", "id"],
    ])

    static let department = ResultType("Department", [
        "type": "object",
        "description": "A department as the server sent it: it routes conversations to the members of its group (`id_group`), or to the whole team without one.",
        "properties": [
            "_id": ["type": "string"], "id": ["type": "string"], "name": ["type": "string"], "routing": ["type": "string"],
            "id_group": ["type": ["string", "null"]], "groups": ["type": "array"], "default": ["type": "boolean"], "status": ["type": "integer"],
            "id_project": ["type": "string"],
        ],
        "required": ["_id", "id"],
    ])

    static let role = ResultType("Role", [
        "type": "object",
        "description": "A custom role of the project: a name and the permissions it grants.",
        "properties": [
            "_id": ["type": "string"], "id": ["type": "string"], "name": ["type": "string"],
            "permissions": ["type": "array", "items": ["type": "string"]], "id_project": ["type": "string"],
        ],
        "required": ["_id", "id"],
    ])

    static let activity = ResultType("Activity", [
        "type": "object",
        "description": "One entry of the activity log: who (`actor`) did what (`verb`, `actionObj`) to whom (`target`), when, with the server's `message` where it has one.",
        "properties": [
            "_id": ["type": "string"], "id": ["type": "string"], "verb": ["type": "string"], "actor": ["type": "object"],
            "actionObj": ["type": "object"], "target": ["type": "object"], "createdAt": ["type": "string"], "message": ["type": "string"],
        ],
        "required": ["_id", "id"],
    ])

    static let activityPage = ResultType("ActivityPage") { ref in [
        "type": "object",
        "description": "One page of the activity log, newest first: `count` matching entries in all.",
        "properties": [
            "count": ["type": "integer"], "page": ["type": "integer"], "per_page": ["type": "integer"],
            "activities": ["type": "array", "items": ref(activity)],
        ],
        "required": ["count", "page", "per_page", "activities"],
    ] }

    static let availability = ResultType("Availability") { ref in [
        "type": "object",
        "description": "Who can take a chat now: `open` (the project's operating hours), `available` (active, available, not busy agents, of the department's group when given) and `busy` (the same, but at their chat limit).",
        "properties": [
            "open": ["type": "boolean"],
            "available": ["type": "array", "items": ref(teammate)],
            "busy": ["type": "array", "items": ref(teammate)],
            "department": ref(department),
            "group": ref(group),
        ],
        "required": ["open", "available", "busy"],
    ] }

    static let rosterPlan = ResultType("RosterPlan", [
        "type": "object",
        "description": "What would make the team match the roster: the actions in the order they are applied, each {action, email, ids…, changes: {field: {from, to}}}; how many entries need nothing; who is skipped (owner, self) and who waits to sign up before joining groups; the fingerprint of the state read.",
        "properties": [
            "project_id": ["type": "string"], "fingerprint": ["type": "string"],
            "actions": ["type": "array", "items": ["type": "object", "properties": ["action": ["type": "string"], "email": ["type": "string"], "changes": ["type": "object"]], "required": ["action", "email"]]],
            "unchanged": ["type": "integer"], "summary": ["type": "object"], "skipped": ["type": "array"], "waiting": ["type": "array"],
        ],
        "required": ["project_id", "fingerprint", "actions", "unchanged", "summary"],
    ])

    static let rosterApplied = ResultType("RosterApplied", [
        "type": "object",
        "description": "What an apply did: each action with its result (applied) or its error {code, message, data} (failed).",
        "properties": [
            "applied": ["type": "array", "items": ["type": "object"]], "failed": ["type": "array", "items": ["type": "object"]],
            "unchanged": ["type": "integer"], "summary": ["type": "object"],
        ],
        "required": ["applied", "failed", "unchanged", "summary"],
    ])

    static let watchStart = ResultType("WatchStart") { ref in [
        "type": "object",
        "description": "A started watch: its subscription id (for team.unwatch and in every notification) and the team and invitations it starts from.",
        "properties": [
            "subscription": ["type": "string"],
            "teammates": ["type": "array", "items": ref(teammate)],
            "invitations": ["type": "array", "items": ref(invitation)],
        ],
        "required": ["subscription", "teammates", "invitations"],
    ] }
}
