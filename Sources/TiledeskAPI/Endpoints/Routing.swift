import JSONCore

// What decides who may take a chat, and what happened in the team: departments, custom roles,
// the activity log.

extension Route {
    public static let departments = Route("GET", "/{pid}/departments/allstatus")
    public static let department = Route("GET", "/{pid}/departments/{id}")
    public static let roles = Route("GET", "/{pid}/roles")
    public static let activities = Route("GET", "/{pid}/activities")
}

extension Endpoint {
    /// Every department an agent may see (visible and hidden-for-the-widget ones).
    public static func departments(_ projectID: String) -> Endpoint { Endpoint(.departments, [projectID]) }

    /// One department by id (any project's: the server does not scope it).
    public static func department(_ projectID: String, _ departmentID: String) -> Endpoint {
        Endpoint(.department, [projectID, departmentID])
    }

    /// One page of the project's custom roles (`page` from 0); the server's default page is 40.
    public static func roles(_ projectID: String, page: Int, perPage: Int) -> Endpoint {
        Endpoint(.roles, [projectID], query: [("limit", String(perPage)), ("page", String(page))])
    }

    /// The activity log, filtered by the server's own query names (`activities`, `agent_id`,
    /// `start_date`, `end_date`, `limit`, `page`).
    public static func activities(_ projectID: String, query: [(String, String)]) -> Endpoint {
        Endpoint(.activities, [projectID], query: query)
    }
}
