import JSONCore

// The project's team (Tiledesk's project_users). The server does not scope the by-id routes to
// the project in the URL: callers read through the scoped routes first (the method layer's guards).

extension Route {
    public static let teammates = Route("GET", "/{pid}/project_users")
    public static let teammate = Route("GET", "/{pid}/project_users/{id}")
    public static let teammateByUser = Route("GET", "/{pid}/project_users/users/{user_id}")
    public static let myTeammate = Route("GET", "/{pid}/project_users/me")
    public static let invite = Route("POST", "/{pid}/project_users/invite")
    public static let updateMyTeammate = Route("PUT", "/{pid}/project_users/")
    public static let updateTeammate = Route("PUT", "/{pid}/project_users/{id}")
    public static let removeTeammate = Route("DELETE", "/{pid}/project_users/{id}")
    public static let restoreTeammate = Route("PUT", "/{pid}/project_users/{id}/restore")
}

/// How a teammate leaves a project.
public enum LeaveMode: String, Sendable, CaseIterable {
    /// Status `disabled`, unavailable; stays in the team list.
    case disable
    /// Trashed (and disabled); restorable.
    case trash
    /// Removed for good.
    case delete

    /// The query the server reads for this mode.
    var query: [(String, String)] {
        switch self {
        case .disable: []
        case .trash: [("soft", "true")]
        case .delete: [("hard", "true")]
        }
    }
}

extension Endpoint {
    /// The project's teammates, filtered by the server's own query names (`role`, `status`,
    /// `presencestatus`, `trashed`).
    public static func teammates(_ projectID: String, query: [(String, String)] = []) -> Endpoint {
        Endpoint(.teammates, [projectID], query: query)
    }

    /// One teammate by its project_user id.
    public static func teammate(_ projectID: String, _ projectUserID: String) -> Endpoint {
        Endpoint(.teammate, [projectID, projectUserID])
    }

    /// The teammate record of a user (ObjectId) or guest (uuid), unwrapped from its array.
    public static func teammate(_ projectID: String, userID: String) -> Endpoint {
        Endpoint(.teammateByUser, [projectID, userID], unwrap: .single)
    }

    /// The caller's own teammate record, unwrapped from its array.
    public static func myTeammate(_ projectID: String) -> Endpoint { Endpoint(.myTeammate, [projectID], unwrap: .single) }

    /// Invites an email with a role (`TiledeskClient.invite(_:)` reads the two outcomes).
    public static func invite(_ projectID: String, body: JSONObject) -> Endpoint {
        Endpoint(.invite, [projectID], body: .object(body))
    }

    /// Updates the caller's own teammate record.
    public static func updateMyTeammate(_ projectID: String, body: JSONObject) -> Endpoint {
        Endpoint(.updateMyTeammate, [projectID], body: .object(body))
    }

    /// Updates a teammate (role, status, availability, …).
    public static func updateTeammate(_ projectID: String, _ projectUserID: String, body: JSONObject) -> Endpoint {
        Endpoint(.updateTeammate, [projectID, projectUserID], body: .object(body))
    }

    /// Disables, trashes or deletes a teammate; the server answers the record.
    public static func removeTeammate(_ projectID: String, _ projectUserID: String, mode: LeaveMode) -> Endpoint {
        Endpoint(.removeTeammate, [projectID, projectUserID], query: mode.query)
    }

    /// Restores a trashed teammate.
    public static func restoreTeammate(_ projectID: String, _ projectUserID: String) -> Endpoint {
        Endpoint(.restoreTeammate, [projectID, projectUserID])
    }
}
