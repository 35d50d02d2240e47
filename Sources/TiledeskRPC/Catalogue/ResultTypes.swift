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
        "description": "With dry_run: the request that would be sent (no credentials).",
        "properties": [
            "dry_run": ["const": true],
            "request": [
                "type": "object",
                "properties": ["method": ["type": "string"], "url": ["type": "string"], "body": [:]],
                "required": ["method", "url", "body"],
            ],
        ],
        "required": ["dry_run", "request"],
    ])
}
