import JSONCore

// Groups: the teams departments route conversations to. Members are user ids (not teammate ids)
// and the server never checks them; by-id routes are unscoped and most PUTs upsert.

extension Route {
    public static let groups = Route("GET", "/{pid}/groups")
    public static let group = Route("GET", "/{pid}/groups/{id}")
    public static let createGroup = Route("POST", "/{pid}/groups")
    public static let updateGroup = Route("PUT", "/{pid}/groups/{id}")
    public static let enableGroup = Route("PUT", "/{pid}/groups/enable/{id}")
    public static let disableGroup = Route("PUT", "/{pid}/groups/disable/{id}")
    public static let deleteGroup = Route("DELETE", "/{pid}/groups/{id}")
}

extension Endpoint {
    /// The project's groups (not trashed), optionally only those holding `member` (a user id).
    public static func groups(_ projectID: String, member: String? = nil) -> Endpoint {
        Endpoint(.groups, [projectID], query: member.map { [("member", $0)] } ?? [])
    }

    /// One group by id (any project's, trashed ones too: the server does not filter).
    public static func group(_ projectID: String, _ groupID: String) -> Endpoint { Endpoint(.group, [projectID, groupID]) }

    /// Creates a group.
    public static func createGroup(_ projectID: String, body: JSONObject) -> Endpoint {
        Endpoint(.createGroup, [projectID], body: .object(body))
    }

    /// Changes a group's `name`, `attributes` or whole `members` array (whatever the body holds).
    public static func updateGroup(_ projectID: String, _ groupID: String, body: JSONObject) -> Endpoint {
        Endpoint(.updateGroup, [projectID, groupID], body: .object(body))
    }

    /// Enables or disables a group (routing skips disabled ones).
    public static func setGroupEnabled(_ projectID: String, _ groupID: String, _ enabled: Bool) -> Endpoint {
        Endpoint(enabled ? .enableGroup : .disableGroup, [projectID, groupID])
    }

    /// Trashes a group, or with `force` deletes it for good. The answer is not used (a forced
    /// delete of an id already gone answers 200 with an empty body).
    public static func deleteGroup(_ projectID: String, _ groupID: String, force: Bool) -> Endpoint {
        Endpoint(.deleteGroup, [projectID, groupID], query: force ? [("force", "true")] : [], unwrap: .unused)
    }
}
