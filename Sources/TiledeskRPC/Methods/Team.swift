import JSONCore
import JSONRPC
import TiledeskAPI

/// `team.*`: the project's teammates (Tiledesk's project_users).
enum TeamMethods {
    static let teamErrors = [-32602, 401, 403, 404, 429, 502, 503, 504]
    static let assignableRoles = ["agent", "supervisor", "admin"]
    static let allRoles = ["owner", "admin", "supervisor", "agent", "teammate", "user", "guest"]

    static let settingsSchema = ParamSchema.object(properties: [
        ("email", .object(properties: [
            ("notification", .object(properties: [
                ("conversation", .object(properties: [
                    ("assigned", .object(properties: [("toyou", .boolean)])),
                    ("pooled", .boolean),
                ]))
            ]))
        ]))
    ])

    /// The params a teammate update may carry; `role` and `status` only for `team.update`.
    static func updateParams(admin: Bool) -> [Param] {
        var params = [
            Param("user_available", .boolean, "Available (true) or unavailable (false) to take conversations."),
            Param("max_assigned_chat", .integer(minimum: 0), "Most conversations assigned at once."),
            Param("max_served_chat", .integer(minimum: 0), "Alias of max_assigned_chat (the name in Tiledesk's public docs); both are sent."),
            Param("profileStatus", .string(maxLength: 200), "Free-text profile status, e.g. \"inactive\"."),
            Param("attributes", .freeObject, "Custom attributes; replaces the whole object."),
            Param("settings", settingsSchema, "Email notification switches: {\"email\": {\"notification\": {\"conversation\": {\"assigned\": {\"toyou\": bool}, \"pooled\": bool}}}}."),
        ]
        if admin {
            params.insert(Param("role", .string(values: assignableRoles), "New role: agent, supervisor or admin (never owner)."), at: 0)
            params.insert(Param("status", .string(values: ["active", "disabled"]), "active or disabled."), at: 1)
        }
        return params
    }

    /// The request body of a teammate update, in the server's own keys: `max_served_chat` is
    /// sent under both names, and `settings` as the server's dotted keys.
    static func updateBody(_ params: Params, admin: Bool) throws(RPCError) -> JSONObject {
        var body = JSONObject()
        if admin { params.copy(["role", "status"], into: &body) }
        params.copy(["user_available", "profileStatus", "attributes"], into: &body)
        if let max = params["max_assigned_chat"] ?? params["max_served_chat"] {
            body["max_assigned_chat"] = max
            body["max_served_chat"] = max
        }
        if let settings = params["settings"] {
            let conversation = settings["email"]?["notification"]?["conversation"]
            if let toyou = conversation?["assigned"]?["toyou"] { body["settings.email.notification.conversation.assigned.toyou"] = toyou }
            if let pooled = conversation?["pooled"] { body["settings.email.notification.conversation.pooled"] = pooled }
        }
        guard !body.isEmpty else {
            let names = updateParams(admin: admin).map(\.name).joined(separator: ", ")
            throw .invalidParams("give at least one of \(names)", field: "params")
        }
        return body
    }

    static let list = MethodSpec(
        "team.list",
        summary: "The project's teammates, with availability.",
        description: "Lists the project's team (GET /{project_id}/project_users), each teammate with the populated user and availability. Optional filters: role, status (active/disabled), presence (online/offline); include_trashed adds removed-but-restorable teammates. Read-only.",
        params: [
            .projectID,
            Param("role", .string(values: allRoles), "Only teammates with this role."),
            Param("status", .string(values: ["active", "disabled"]), "Only active or only disabled teammates."),
            Param("presence", .string(values: ["online", "offline"]), "Only teammates currently online or offline."),
            Param("include_trashed", .boolean, "Also list trashed teammates."),
        ],
        result: ("teammates", ResultSchemas.teammates),
        errors: teamErrors,
        examples: [
            Example(name: "the available agents of the demo project", params: ["role": "agent", "status": "active"],
                    result: [["_id": "65f0000000000000000000b3", "role": "agent", "user_available": true],
                             ["_id": "65f0000000000000000000b4", "role": "agent", "user_available": false]])
        ]
    ) { params, context in
        let projectID = try params.projectID(context)
        var query: [(String, String)] = []
        if let role = params.string("role") { query.append(("role", role)) }
        if let status = params.string("status") { query.append(("status", status)) }
        if let presence = params.string("presence") { query.append(("presencestatus", presence)) }
        if params.bool("include_trashed") == true { query.append(("trashed", "true")) }
        return try await context.client.teammates(projectID: projectID, query: query)
    }

    static let get = MethodSpec(
        "team.get",
        summary: "One teammate by teammate id.",
        description: "Returns one teammate of the project by its project_user id (GET /{project_id}/project_users/{project_user_id}), with the populated user. Read-only.",
        params: [.projectID, .projectUserID],
        result: ("teammate", ResultSchemas.teammate),
        errors: teamErrors,
        examples: [Example(name: "Alice, an agent of the demo project", params: ["project_user_id": "65f0000000000000000000b3"],
                           result: ["_id": "65f0000000000000000000b3", "role": "agent", "id_user": ["email": "alice@example.com"]])]
    ) { params, context in
        try await context.client.teammate(projectID: try params.projectID(context), projectUserID: params.string("project_user_id")!)
    }

    static let getByUser = MethodSpec(
        "team.getByUser",
        summary: "A user's teammate record in the project.",
        description: "Finds the teammate record of a user (by user id) or a guest (by uuid) in the project (GET /{project_id}/project_users/users/{user_id}). Read-only.",
        params: [.projectID, Param("user_id", .string(format: .userID), required: true, "The user's id (24-hex) or a guest's uuid.")],
        result: ("teammate", ResultSchemas.teammate),
        errors: teamErrors,
        examples: [Example(name: "Bob's teammate record", params: ["user_id": "65f0000000000000000000a4"],
                           result: ["_id": "65f0000000000000000000b4", "role": "agent", "user_available": false])]
    ) { params, context in
        try await context.client.teammate(projectID: try params.projectID(context), userID: params.string("user_id")!)
    }

    static let me = MethodSpec(
        "team.me",
        summary: "The caller's own teammate record.",
        description: "Returns the caller's own teammate record in the project (GET /{project_id}/project_users/me): role, availability, settings. Read-only.",
        params: [.projectID],
        result: ("teammate", ResultSchemas.teammate),
        errors: teamErrors,
        examples: [Example(name: "the demo owner's record", params: [:], result: ["_id": "65f0000000000000000000b1", "role": "owner"])]
    ) { params, context in
        try await context.client.myTeammate(projectID: try params.projectID(context))
    }

    static let invite = MethodSpec(
        "team.invite",
        summary: "Invite someone to the project's team.",
        description: "Invites an email address to the project (POST /{project_id}/project_users/invite) as agent, supervisor or admin. A registered user is added at once ({\"status\": \"added\", \"teammate\"}); an unknown address gets a pending invitation ({\"status\": \"pending\", \"invitation\"}). An existing member is a 409 conflict, or with ensure: true {\"status\": \"existing\", \"teammate\"}. Sends an email; use dry_run to check first.",
        params: [
            .projectID,
            Param("email", .string(format: .email), required: true, "The person's email address."),
            Param("role", .string(values: assignableRoles), required: true, "agent, supervisor or admin."),
            Param("user_available", .boolean, "Whether the new teammate starts available (default true)."),
            Param("ensure", .boolean, "Treat an existing member as success ({\"status\": \"existing\"}) instead of a conflict."),
        ],
        result: ("invitation", ResultSchemas.orDryRun([
            "type": "object",
            "properties": [
                "status": ["type": "string", "enum": ["added", "pending", "existing"]],
                "teammate": ResultSchemas.teammate, "invitation": ResultSchemas.invitation,
            ],
            "required": ["status"],
        ])),
        errors: teamErrors + [409], effect: .write, idempotent: false,
        examples: [
            Example(name: "invite a registered user", params: ["email": "nina@example.com", "role": "agent"],
                    result: ["status": "added", "teammate": ["role": "agent", "id_user": "65f0000000000000000000a5"]]),
            Example(name: "invite an unknown address", params: ["email": "new.person@example.com", "role": "supervisor"],
                    result: ["status": "pending", "invitation": ["email": "new.person@example.com", "role": "supervisor"]]),
        ]
    ) { params, context in
        let projectID = try params.projectID(context)
        let email = params.string("email")!
        var body: JSONObject = ["email": .string(email), "role": .string(params.string("role")!)]
        params.copy(["user_available"], into: &body)
        let ensure = params.bool("ensure") == true
        let client = context.client
        if params.dryRun {
            try await Guards.requireAdmin(client, projectID: projectID)
            if let me = try? await client.currentUser(), me["email"]?.stringValue?.lowercased() == email.lowercased() {
                throw TiledeskError(.forbidden, TiledeskError.inviteOneselfMessage, tiledeskCode: 4000)
            }
            if let existing = try await Guards.activeMember(client, projectID: projectID, email: email) {
                guard ensure else { throw TiledeskError(.conflict, TiledeskError.alreadyMemberMessage, tiledeskCode: 4001) }
                return ["status": "existing", "teammate": existing]
            }
            if try await Guards.hasPendingInvitation(client, projectID: projectID, email: email) {
                throw TiledeskError(.conflict, TiledeskError.pendingInvitationMessage)
            }
            return dryRun(client.describe(method: "POST", path: TiledeskClient.path(projectID, "project_users", "invite"), body: .object(body)))
        }
        do {
            switch try await client.invite(projectID: projectID, body: body) {
            case .added(let teammate): return ["status": "added", "teammate": teammate]
            case .pending(let invitation): return ["status": "pending", "invitation": invitation]
            }
        } catch let error as TiledeskError where ensure && error.kind == .conflict && error.tiledeskCode == 4001 {
            guard let existing = try await Guards.activeMember(client, projectID: projectID, email: email) else { throw error }
            return ["status": "existing", "teammate": existing]
        }
    }

    static let updateMe = MethodSpec(
        "team.updateMe",
        summary: "Update the caller's own teammate record.",
        description: "Changes the caller's own teammate record in the project (PUT /{project_id}/project_users/): availability, max_assigned_chat, profileStatus, attributes, notification settings. At least one field. Returns the updated record.",
        params: [.projectID] + updateParams(admin: false),
        result: ("teammate", ResultSchemas.orDryRun(ResultSchemas.teammate)),
        errors: teamErrors, effect: .write,
        examples: [Example(name: "the owner goes unavailable", params: ["user_available": false],
                           result: ["_id": "65f0000000000000000000b1", "user_available": false])]
    ) { params, context in
        let projectID = try params.projectID(context)
        let body = try updateBody(params, admin: false)
        if params.dryRun {
            _ = try await context.client.myTeammate(projectID: projectID)
            return dryRun(context.client.describe(method: "PUT", path: TiledeskClient.path(projectID, "project_users") + "/", body: .object(body)))
        }
        return try await context.client.updateMyTeammate(projectID: projectID, body: body)
    }

    static let update = MethodSpec(
        "team.update",
        summary: "Update a teammate (role, status, availability, ...).",
        description: "Changes a teammate of the project (PUT /{project_id}/project_users/{project_user_id}): role (agent, supervisor, admin), status (active/disabled), availability, max_assigned_chat, profileStatus, attributes, settings. Needs admin. The bridge first checks the teammate belongs to the project (404) and refuses to change the owner's role or status (403).",
        params: [.projectID, .projectUserID] + updateParams(admin: true),
        result: ("teammate", ResultSchemas.orDryRun(ResultSchemas.teammate)),
        errors: teamErrors, effect: .write,
        examples: [Example(name: "make Bob available", params: ["project_user_id": "65f0000000000000000000b4", "user_available": true],
                           result: ["_id": "65f0000000000000000000b4", "user_available": true])]
    ) { params, context in
        let projectID = try params.projectID(context)
        let teammateID = params.string("project_user_id")!
        let body = try updateBody(params, admin: true)
        let teammate = try await Guards.teammateInProject(context.client, projectID: projectID, projectUserID: teammateID, dryRun: params.dryRun)
        if Guards.isOwner(teammate), body["role"] != nil || body["status"] != nil {
            throw Guards.ownerRefusal("change the role or status of")
        }
        if params.dryRun {
            return dryRun(context.client.describe(method: "PUT", path: TiledeskClient.path(projectID, "project_users", teammateID), body: .object(body)))
        }
        return try await context.client.updateTeammate(projectID: projectID, projectUserID: teammateID, body: body)
    }

    static let leave = MethodSpec(
        "team.leave",
        summary: "Remove a teammate: disable, trash or delete.",
        description: "Removes a teammate from the project (DELETE /{project_id}/project_users/{project_user_id}). mode: disable (default; stays listed, can be re-enabled with team.update status active), trash (restorable with team.restore), delete (permanent). Needs admin. The bridge checks the teammate belongs to the project (404) and never removes the owner (403).",
        params: [.projectID, .projectUserID,
                 Param("mode", .string(values: TiledeskClient.LeaveMode.allCases.map(\.rawValue)), "disable (default), trash or delete.")],
        result: ("teammate", ResultSchemas.orDryRun(ResultSchemas.teammate)),
        errors: teamErrors, effect: .destructive,
        examples: [Example(name: "disable Bob", params: ["project_user_id": "65f0000000000000000000b4"],
                           result: ["_id": "65f0000000000000000000b4", "status": "disabled"])]
    ) { params, context in
        let projectID = try params.projectID(context)
        let teammateID = params.string("project_user_id")!
        let mode = TiledeskClient.LeaveMode(rawValue: params.string("mode") ?? "disable")!
        let teammate = try await Guards.teammateInProject(context.client, projectID: projectID, projectUserID: teammateID, dryRun: params.dryRun)
        if Guards.isOwner(teammate) { throw Guards.ownerRefusal(mode == .disable ? "disable" : "remove") }
        if params.dryRun {
            return dryRun(context.client.describe(method: "DELETE", path: TiledeskClient.path(projectID, "project_users", teammateID) + mode.query))
        }
        return try await context.client.removeTeammate(projectID: projectID, projectUserID: teammateID, mode: mode)
    }

    static let restore = MethodSpec(
        "team.restore",
        summary: "Restore a trashed teammate.",
        description: "Brings back a teammate removed with mode trash (PUT /{project_id}/project_users/{project_user_id}/restore): active again. Needs admin. A teammate that is not trashed is a 409 conflict.",
        params: [.projectID, .projectUserID],
        result: ("teammate", ResultSchemas.orDryRun(ResultSchemas.teammate)),
        errors: teamErrors + [409], effect: .write,
        examples: [Example(name: "restore Alice after team.leave with mode trash", params: ["project_user_id": "65f0000000000000000000b3"],
                           result: ["_id": "65f0000000000000000000b3", "trashed": false, "status": "active"],
                           setup: [("team.leave", ["project_user_id": "65f0000000000000000000b3", "mode": "trash"])])]
    ) { params, context in
        let projectID = try params.projectID(context)
        let teammateID = params.string("project_user_id")!
        let teammate = try await Guards.teammateInProject(context.client, projectID: projectID, projectUserID: teammateID, dryRun: params.dryRun)
        if params.dryRun {
            if teammate["trashed"] != .bool(true) {
                throw TiledeskError(.conflict, "the teammate is not trashed, so there is nothing to restore")
            }
            return dryRun(context.client.describe(method: "PUT", path: TiledeskClient.path(projectID, "project_users", teammateID, "restore")))
        }
        return try await context.client.restoreTeammate(projectID: projectID, projectUserID: teammateID)
    }

    static let all = [list, get, getByUser, me, invite, updateMe, update, leave, restore]
}

/// The safety the server itself lacks: its update/delete routes are not scoped to the project
/// and do not protect the owner, so the bridge checks before it changes anything.
enum Guards {
    /// The teammate, read through the project-scoped route: 404 when it is not in `projectID`.
    /// For a dry run the caller's own role is checked too (admin needed), as the real call would.
    static func teammateInProject(_ client: TiledeskClient, projectID: String, projectUserID: String, dryRun: Bool) async throws -> JSON {
        if dryRun { try await requireAdmin(client, projectID: projectID) }
        do {
            return try await client.teammate(projectID: projectID, projectUserID: projectUserID)
        } catch var error as TiledeskError where error.kind == .notFound {
            error.message = "teammate \(projectUserID) is not in project \(projectID)"
            throw error
        }
    }

    static func isOwner(_ teammate: JSON) -> Bool { teammate["role"]?.stringValue == "owner" }

    static func ownerRefusal(_ action: String) -> TiledeskError {
        TiledeskError(.forbidden, "refusing to \(action) the project's owner: ownership cannot be changed through this bridge")
    }

    /// Whether an invitation to `email` already waits. The list route is outside the contract's
    /// surface, so a server that does not offer it just skips this check.
    static func hasPendingInvitation(_ client: TiledeskClient, projectID: String, email: String) async throws -> Bool {
        let wanted = email.lowercased()
        do {
            let pending = try await client.pendingInvitations(projectID: projectID)
            return pending.arrayValue?.contains { $0["email"]?.stringValue?.lowercased() == wanted } ?? false
        } catch let error as TiledeskError where error.kind != .notAuthenticated && error.kind != .rateLimited {
            return false
        }
    }

    /// 403 unless the caller is an admin or the owner of the project (what the server requires to invite, update, remove).
    static func requireAdmin(_ client: TiledeskClient, projectID: String) async throws {
        let me = try await client.myTeammate(projectID: projectID)
        let role = me["role"]?.stringValue ?? ""
        if ["agent", "supervisor", "teammate", "user", "guest"].contains(role) {
            throw TiledeskError(.forbidden, "this needs the admin or owner role in the project; the caller is \(role)")
        }
    }

    /// The project's active team member with this email, if any.
    static func activeMember(_ client: TiledeskClient, projectID: String, email: String) async throws -> JSON? {
        let team = try await client.teammates(projectID: projectID, query: [("status", "active")])
        let wanted = email.lowercased()
        return team.arrayValue?.first { $0["id_user"]?["email"]?.stringValue?.lowercased() == wanted }
    }
}
