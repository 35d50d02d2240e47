import JSONCore

/// Result schemas shared by several methods. Tiledesk's objects carry more fields than
/// listed; every field the server sends is passed through (`additionalProperties` allowed).
enum ResultSchemas {
    static let user: JSON = [
        "type": "object",
        "description": "A Tiledesk user as the server sent it, with `id` added from `_id`.",
        "properties": [
            "_id": ["type": "string"], "id": ["type": "string"], "email": ["type": "string"],
            "firstname": ["type": "string"], "lastname": ["type": "string"], "emailverified": ["type": "boolean"],
        ],
        "required": ["_id", "id"],
    ]

    static let teammate: JSON = [
        "type": "object",
        "description": "A project_user (teammate) as the server sent it; `id_user` is the populated user on reads, an id string on writes.",
        "properties": [
            "_id": ["type": "string"], "id": ["type": "string"], "id_project": ["type": "string"],
            "id_user": ["oneOf": [["type": "string"], ["type": "object"]]],
            "role": ["type": "string"], "user_available": ["type": "boolean"],
            "status": ["type": "string", "enum": ["active", "disabled"]], "trashed": ["type": "boolean"],
            "max_assigned_chat": ["type": "integer"], "profileStatus": ["type": "string"],
            "attributes": ["type": "object"], "settings": ["type": "object"], "presence": ["type": "object"],
            "isBusy": ["type": "boolean"],
        ],
        "required": ["_id", "id"],
    ]

    static let teammates: JSON = ["type": "array", "items": teammate]

    static let membership: JSON = [
        "type": "object",
        "description": "One of the caller's memberships, `id_project` populated with the project.",
        "properties": ["_id": ["type": "string"], "id": ["type": "string"], "role": ["type": "string"], "id_project": ["type": "object"]],
        "required": ["_id", "id"],
    ]

    static let invitation: JSON = [
        "type": "object",
        "description": "A pending invitation, waiting for the person to sign up.",
        "properties": ["_id": ["type": "string"], "id": ["type": "string"], "email": ["type": "string"], "role": ["type": "string"]],
    ]

    static let dryRun: JSON = [
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
    ]

    /// `schema`, or the dry-run description for mutating methods.
    static func orDryRun(_ schema: JSON) -> JSON { ["oneOf": [schema, dryRun]] }
}
