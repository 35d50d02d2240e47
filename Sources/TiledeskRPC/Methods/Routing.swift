import JSONCore
import JSONRPC
import TiledeskAPI

/// `department.*`: where conversations are routed (each department to its group, or the whole team).
enum DepartmentMethods: MethodGroup {
    static let name = "department"
    static let summary = "Departments: where conversations go, each to its group of agents or to the whole team."

    static let errors = [-32602, 401, 403, 404, 429, 502, 503, 504]
    static let departmentID = RequiredParam<String>("department_id", .string(format: .objectID), "The department's id (24-hex).")
    static let support: JSON = ["_id": "65f0000000000000000000e2", "name": "Support", "id_group": "65f0000000000000000000d1"]

    static let list = MethodSpec(
        "department.list",
        summary: "The project's departments.",
        description: "Lists the project's departments as an agent sees them (visible and widget-hidden ones), each with its routing and group (id_group; none means the whole team). Read-only.",
        params: [CommonParams.projectID], result: .list(.department), routes: [.departments], errors: errors,
        examples: [Example("the demo project's departments", params: [:], result: [
            ["name": "Default Department", "default": true], support, ["name": "Night desk", "status": 0], ["name": "Legacy desk"],
        ])]
    ) { p, ctx in
        try await ctx.client.send(.departments(try ctx.projectID(p)))
    }

    static let get = MethodSpec(
        "department.get",
        summary: "One department.",
        description: "Returns one department of the project; one of another project is 404. Read-only.",
        params: [CommonParams.projectID, departmentID], result: .one(.department), routes: [.department], errors: errors,
        examples: [Example("the Support department", params: ["department_id": "65f0000000000000000000e2"], result: support)]
    ) { p, ctx in
        try await Guards.departmentInProject(ctx, try ctx.projectID(p), try p[departmentID])
    }

    static let methods = [list, get]
}

/// `role.*`: the project's custom roles.
enum RoleMethods: MethodGroup {
    static let name = "role"
    static let summary = "Custom roles: named permission sets a project defines beside agent, supervisor, admin and owner."

    static let list = MethodSpec(
        "role.list",
        summary: "The project's custom roles.",
        description: "Lists all the project's custom roles with their permissions (the server pages them, 40 by default; the bridge reads every page). The bridge never assigns one: on this server a member with a custom role passes every role check, owner-only ones included. Read-only.",
        params: [CommonParams.projectID], result: .list(.role), routes: [.roles],
        errors: [-32602, 401, 403, 404, 429, 502, 503, 504],
        examples: [Example("the demo project's custom roles", params: [:], result: [["name": "triage", "permissions": ["request_read_group"]]])]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        var roles: [JSON] = []
        for page in 0..<maxPages {
            let batch = try await ctx.client.send(.roles(projectID, page: page, perPage: perPage)).arrayValue ?? []
            roles += batch
            if batch.count < perPage { break }
        }
        return .array(roles)
    }

    /// Roles per page read: the most the server is asked for at once.
    static let perPage = 100
    /// A bound on the pages read, should a server ignore `page` and answer the same full page forever.
    static let maxPages = 100

    static let methods = [list]
}

/// `activity.*`: the audit log of team changes.
enum ActivityMethods: MethodGroup {
    static let name = "activity"
    static let summary = "The activity log: who changed what in the team, and when."

    static let teamVerbs = ["PROJECT_USER_INVITE", "PROJECT_USER_UPDATE", "PROJECT_USER_DELETE", "PROJECT_USER_AVAILABILITY_SELF",
                            "PROJECT_USER_AVAILABILITY_SYSTEM"]
    static let otherVerbs = ["REQUEST_CREATE", "REQUEST_CLOSE", "REQUEST_ASSIGNED_AUTO", "REQUEST_ASSIGNED_SELF", "REQUEST_ASSIGNED_MANUAL",
                             "REQUEST_UNASSIGNED", "LEAVE_CONVERSATION", "FAQ_KB_CREATE", "FAQ_KB_DELETE", "FAQ_KB_PUBLISH",
                             "KB_NAMESPACE_CREATE", "KB_NAMESPACE_DELETE", "KB_CONTENTS_ADD", "KB_CONTENTS_DELETE", "KB_CONTENT_DELETE"]

    static let verbs = OptionalParam<[String]>("verbs", .array(of: .string(values: teamVerbs + otherVerbs), minItems: 1),
                                               "Which kinds of entry (default: the team verbs \(teamVerbs.joined(separator: ", "))); conversation and knowledge-base verbs are allowed too.")
    static let userID = OptionalParam<String>("user_id", .string(format: .objectID), "Only entries involving this user (a user id): as actor or as target.")
    static let since = OptionalParam<String>("since", .string(format: .isoDate), "From this day on (YYYY-MM-DD, whole day, the server's time zone).")
    static let until = OptionalParam<String>("until", .string(format: .isoDate), "Up to this day (YYYY-MM-DD, whole day); not before since.")
    static let limit = OptionalParam<Int>("limit", .integer(minimum: 1, maximum: 100), "Entries per page, 1 to 100 (default 40).")
    static let page = OptionalParam<Int>("page", .integer(minimum: 0), "The page, from 0 (newest first).")

    static let list = MethodSpec(
        "activity.list",
        summary: "Who changed what in the team: the activity log.",
        description: "Pages through the project's activity log, newest first: invitations, role and status changes, availability changes, removals, each with who did it and when. Needs admin. The log keeps 30 days, records nothing unless the server has activity history enabled (then it is simply empty), and never records the default disable (team.leave without a mode), invitation changes (invitation.update, resend, cancel, sign-ups) or group changes. Read-only.",
        params: [CommonParams.projectID, verbs, userID, since, until, limit, page], result: .one(.activityPage),
        routes: [.activities], errors: [-32602, 401, 403, 404, 429, 502, 503, 504],
        examples: [Example("the latest team changes", params: ["limit": 5], result: ["page": 0, "per_page": 5])]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        let from = p[since].flatMap(CalendarDate.init(iso:))
        let to = p[until].flatMap(CalendarDate.init(iso:))
        if let from, let to, to < from { throw RPCError.invalidParams("until must not be before since", field: "until") }
        let perPage = p[limit] ?? 40
        let pageNumber = p[page] ?? 0
        var query: [(String, String)] = [("activities", (p[verbs] ?? teamVerbs).joined(separator: ","))]
        if let user = p[userID] { query.append(("agent_id", user)) }
        // The server ignores end_date without start_date: an open start is the epoch.
        if let start = from ?? to.map({ _ in CalendarDate(iso: "1970-01-01")! }) { query.append(("start_date", start.dayMonthYear)) }
        if let to { query.append(("end_date", to.dayMonthYear)) }
        query += [("limit", String(perPage)), ("page", String(pageNumber))]
        let answer = try await ctx.client.send(.activities(projectID, query: query))
        return [
            "count": answer["count"] ?? 0,
            "page": .number(JSONNumber(pageNumber)),
            "per_page": answer["perPage"] ?? .number(JSONNumber(perPage)),
            "activities": .array((answer["activities"]?.arrayValue ?? []).map(TiledeskClient.withIDs)),
        ]
    }

    static let methods = [list]
}
