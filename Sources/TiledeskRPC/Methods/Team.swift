import JSONCore
import JSONRPC
import TiledeskAPI

/// `team.*`: the project's teammates (Tiledesk's project_users).
enum TeamMethods: MethodGroup {
    static let name = "team"
    static let summary = "The project's teammates: read them, invite people, change roles and availability, remove and restore."

    static let errors = [-32602, 401, 403, 404, 429, 502, 503, 504]
    static let assignableRoles = ["agent", "supervisor", "admin"]
    static let allRoles = ["owner", "admin", "supervisor", "agent", "teammate", "user", "guest"]
    /// Why the bridge assigns only three roles, for the descriptions that set one.
    static let roleNote = "The bridge assigns only agent, supervisor and admin: never owner, and no custom role (on this server a member with a custom role passes every role check, owner-only ones included)."

    // Params
    static let projectUserID = RequiredParam<String>("project_user_id", .string(format: .objectID),
                                                     "The teammate's id in the project (a project_user `_id`, 24-hex).")
    static let userID = RequiredParam<String>("user_id", .string(format: .userID), "The user's id (24-hex) or a guest's uuid.")
    static let roleFilter = OptionalParam<String>("role", .string(values: allRoles), "Only teammates with this role.")
    static let statusFilter = OptionalParam<String>("status", .string(values: ["active", "disabled"]), "Only active or only disabled teammates.")
    static let presence = OptionalParam<String>("presence", .string(values: ["online", "offline"]), "Only teammates currently online or offline.")
    static let includeTrashed = OptionalParam<Bool>("include_trashed", .boolean, "Also list trashed teammates.")
    static let email = RequiredParam<String>("email", .string(format: .email), "The person's email address.")
    static let inviteRole = RequiredParam<String>("role", .string(values: assignableRoles), "agent, supervisor or admin.")
    static let startsAvailable = OptionalParam<Bool>("user_available", .boolean, "Whether the new teammate starts available (default true).")
    static let ensure = OptionalParam<Bool>("ensure", .boolean, "Treat an existing member as success ({\"status\": \"existing\"}) instead of a conflict.")
    static let mode = OptionalParam<String>("mode", .string(values: LeaveMode.allCases.map(\.rawValue)), "disable (default), trash or delete.")

    // The fields of a teammate update
    static let role = OptionalParam<JSON>("role", .string(values: assignableRoles), "New role: agent, supervisor or admin (never owner).")
    static let status = OptionalParam<JSON>("status", .string(values: ["active", "disabled"]), "active or disabled.")
    static let userAvailable = OptionalParam<JSON>("user_available", .boolean, "Available (true) or unavailable (false) to take conversations.")
    static let maxAssignedChat = OptionalParam<JSON>("max_assigned_chat", .integer(minimum: 0), "Most conversations assigned at once.")
    static let maxServedChat = OptionalParam<JSON>("max_served_chat", .integer(minimum: 0), "Alias of max_assigned_chat (the name in Tiledesk's public docs); both are sent.")
    static let profileStatus = OptionalParam<JSON>("profileStatus", .string(maxLength: 200), "Free-text profile status, e.g. \"inactive\".")
    static let attributes = OptionalParam<JSON>("attributes", .freeObject, "Custom attributes; replaces the whole object.")
    static let settings = OptionalParam<JSON>("settings", .object(properties: [
        ("email", .object(properties: [
            ("notification", .object(properties: [
                ("conversation", .object(properties: [
                    ("assigned", .object(properties: [("toyou", .boolean)])),
                    ("pooled", .boolean),
                ]))
            ]))
        ]))
    ]), "Email notification switches: {\"email\": {\"notification\": {\"conversation\": {\"assigned\": {\"toyou\": bool}, \"pooled\": bool}}}}.")

    /// The fields a teammate update may carry; `role` and `status` only for `team.update`.
    static func updateFields(admin: Bool) -> [OptionalParam<JSON>] {
        (admin ? [role, status] : []) + [userAvailable, maxAssignedChat, maxServedChat, profileStatus, attributes, settings]
    }

    /// The request body of a teammate update, in the server's own keys: `max_served_chat` is sent
    /// under both names, and `settings` as the server's dotted keys. At least one field.
    static func updateBody(_ p: Params, admin: Bool) throws(RPCError) -> JSONObject {
        var body = JSONObject()
        p.copy(admin ? [role, status, userAvailable, profileStatus, attributes] : [userAvailable, profileStatus, attributes], into: &body)
        if let max = p[maxAssignedChat] ?? p[maxServedChat] {
            body["max_assigned_chat"] = max
            body["max_served_chat"] = max
        }
        if let conversation = p[settings]?["email"]?["notification"]?["conversation"] {
            if let toyou = conversation["assigned"]?["toyou"] { body["settings.email.notification.conversation.assigned.toyou"] = toyou }
            if let pooled = conversation["pooled"] { body["settings.email.notification.conversation.pooled"] = pooled }
        }
        guard !body.isEmpty else {
            let names = updateFields(admin: admin).map(\.param.name).joined(separator: ", ")
            throw .invalidParams("give at least one of \(names)", field: "params")
        }
        return body
    }

    static let list = MethodSpec(
        "team.list",
        summary: "The project's teammates, with availability.",
        description: "Lists the project's team, each teammate with the populated user and availability. Optional filters: role, status (active/disabled), presence (online/offline); include_trashed adds removed-but-restorable teammates. Read-only.",
        params: [CommonParams.projectID, roleFilter, statusFilter, presence, includeTrashed],
        result: .list(.teammate), routes: [.teammates], errors: errors,
        examples: [
            Example("the available agents of the demo project", params: ["role": "agent", "status": "active"],
                    result: [["_id": "65f0000000000000000000b3", "role": "agent", "user_available": true],
                             ["_id": "65f0000000000000000000b4", "role": "agent", "user_available": false]])
        ]
    ) { p, ctx in
        var query: [(String, String)] = []
        if let role = p[roleFilter] { query.append(("role", role)) }
        if let status = p[statusFilter] { query.append(("status", status)) }
        if let presence = p[presence] { query.append(("presencestatus", presence)) }
        if p[includeTrashed] == true { query.append(("trashed", "true")) }
        return try await ctx.client.send(.teammates(try ctx.projectID(p), query: query))
    }

    static let get = MethodSpec(
        "team.get",
        summary: "One teammate by teammate id.",
        description: "Returns one teammate of the project by its project_user id, with the populated user. Read-only.",
        params: [CommonParams.projectID, projectUserID], result: .one(.teammate), routes: [.teammate], errors: errors,
        examples: [Example("Alice, an agent of the demo project", params: ["project_user_id": "65f0000000000000000000b3"],
                           result: ["_id": "65f0000000000000000000b3", "role": "agent", "id_user": ["email": "alice@example.com"]])]
    ) { p, ctx in
        try await ctx.client.send(.teammate(try ctx.projectID(p), try p[projectUserID]))
    }

    static let getByUser = MethodSpec(
        "team.getByUser",
        summary: "A user's teammate record in the project.",
        description: "Finds the teammate record of a user (by user id) or a guest (by uuid) in the project. Read-only.",
        params: [CommonParams.projectID, userID], result: .one(.teammate), routes: [.teammateByUser], errors: errors,
        examples: [Example("Bob's teammate record", params: ["user_id": "65f0000000000000000000a4"],
                           result: ["_id": "65f0000000000000000000b4", "role": "agent", "user_available": false])]
    ) { p, ctx in
        try await ctx.client.send(.teammate(try ctx.projectID(p), userID: try p[userID]))
    }

    static let me = MethodSpec(
        "team.me",
        summary: "The caller's own teammate record.",
        description: "Returns the caller's own teammate record in the project: role, availability, settings. Read-only.",
        params: [CommonParams.projectID], result: .one(.teammate), routes: [.myTeammate], errors: errors,
        examples: [Example("the demo owner's record", params: [:], result: ["_id": "65f0000000000000000000b1", "role": "owner"])]
    ) { p, ctx in
        try await ctx.client.send(.myTeammate(try ctx.projectID(p)))
    }

    static let invite = MethodSpec(
        "team.invite",
        summary: "Invite someone to the project's team.",
        description: "Invites an email address to the project as agent, supervisor or admin. A registered user is added at once ({\"status\": \"added\", \"teammate\"}); an unknown address gets a pending invitation ({\"status\": \"pending\", \"invitation\"}). An existing member, or an address already invited, is a 409 conflict, and so is an address whose membership is disabled or trashed (the server would add a second membership; data.id names it, data.status says which: bring it back with team.update or team.restore); with ensure: true it is success instead and nothing is sent: {\"status\": \"existing\", \"teammate\", \"existing\": true} or {\"status\": \"pending\", \"invitation\", \"existing\": true}, with \"role_matches\": false when its role differs from the one asked. So an onboarding script can be re-run safely. Sends an email; use dry_run to check first. \(roleNote)",
        params: [CommonParams.projectID, email, inviteRole, startsAvailable, ensure],
        result: .one(.inviteResult), routes: [.invite, .myTeammate, .currentUser, .teammates, .invitations],
        errors: errors + [409], effect: .write, idempotent: false,
        examples: [
            Example("invite a registered user", params: ["email": "nina@example.com", "role": "agent"],
                    result: ["status": "added", "teammate": ["role": "agent", "id_user": "65f0000000000000000000a5"]]),
            Example("invite an unknown address", params: ["email": "new.person@example.com", "role": "supervisor"],
                    result: ["status": "pending", "invitation": ["email": "new.person@example.com", "role": "supervisor"]]),
            Example("re-run an onboarding: the address is already invited, as an agent", params: ["email": "pending@example.com", "role": "admin", "ensure": true],
                    result: ["status": "pending", "existing": true, "role_matches": false, "invitation": ["role": "agent"]]),
        ]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        let address = try p[email]
        let wantedRole = try p[inviteRole]
        var body: JSONObject = ["email": .string(address), "role": .string(wantedRole)]
        p.copy([startsAvailable], into: &body)
        let ensuring = p[ensure] == true
        /// What an address already in the team or invited answers with ensure.
        func existing(_ status: String, _ key: String, _ object: JSON) -> JSON {
            var result: JSONObject = ["status": .string(status)]
            result[key] = object
            result["existing"] = true
            result["role_matches"] = .bool(object["role"]?.stringValue == wantedRole)
            return .object(result)
        }
        if p.dryRun {
            try await Guards.requireAdmin(ctx, projectID)
            if let me = try? await ctx.client.send(.currentUser), me["email"]?.stringValue?.lowercased() == address.lowercased() {
                throw TiledeskError(.forbidden, TiledeskError.inviteOneselfMessage, tiledeskCode: 4000)
            }
        }
        if let member = try await Guards.membership(ctx, projectID, email: address) {
            guard Guards.isActive(member) else { throw Guards.inactiveMemberRefusal(member, email: address) }
            if ensuring { return ctx.alreadyDone(existing("existing", "teammate", member), dryRun: p.dryRun) }
            // Otherwise the server answers, telling inviting oneself (4000) from a member (4001).
            if p.dryRun { throw TiledeskError(.conflict, TiledeskError.alreadyMemberMessage, tiledeskCode: 4001) }
        }
        if ensuring || p.dryRun {
            if let invitation = try await Guards.pendingInvitation(ctx, projectID, email: address) {
                guard ensuring else { throw TiledeskError(.conflict, TiledeskError.pendingInvitationMessage) }
                return ctx.alreadyDone(existing("pending", "invitation", invitation), dryRun: p.dryRun)
            }
        }
        let endpoint = Endpoint.invite(projectID, body: body)
        if p.dryRun { return try await ctx.perform(endpoint, dryRun: true) }
        do {
            return try await ctx.client.invite(endpoint).json
        } catch let error as TiledeskError where ensuring && error.kind == .conflict {
            // Someone else invited the address between the read and the invite.
            if error.tiledeskCode == 4001, let member = try await Guards.membership(ctx, projectID, email: address), Guards.isActive(member) {
                return existing("existing", "teammate", member)
            }
            if let invitation = try await Guards.pendingInvitation(ctx, projectID, email: address) {
                return existing("pending", "invitation", invitation)
            }
            throw error
        }
    }

    static let updateMe = MethodSpec(
        "team.updateMe",
        summary: "Update the caller's own teammate record.",
        description: "Changes the caller's own teammate record in the project: availability, max_assigned_chat, profileStatus, attributes, notification settings. At least one field. Returns the updated record.",
        params: [CommonParams.projectID] + updateFields(admin: false), result: .one(.teammate),
        routes: [.updateMyTeammate, .myTeammate], errors: errors, effect: .write,
        examples: [Example("the owner goes unavailable", params: ["user_available": false],
                           result: ["_id": "65f0000000000000000000b1", "user_available": false])]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        let body = try updateBody(p, admin: false)
        if p.dryRun { _ = try await ctx.client.send(.myTeammate(projectID)) }
        return try await ctx.perform(.updateMyTeammate(projectID, body: body), dryRun: p.dryRun)
    }

    static let update = MethodSpec(
        "team.update",
        summary: "Update a teammate (role, status, availability, ...).",
        description: "Changes a teammate of the project: role (agent, supervisor, admin), status (active/disabled), availability, max_assigned_chat, profileStatus, attributes, settings. Needs admin. The bridge first checks the teammate belongs to the project (404) and refuses to change the owner's role or status (403). \(roleNote)",
        params: [CommonParams.projectID, projectUserID] + updateFields(admin: true), result: .one(.teammate),
        routes: [.updateTeammate, .teammate, .myTeammate], errors: errors, effect: .write,
        examples: [Example("make Bob available", params: ["project_user_id": "65f0000000000000000000b4", "user_available": true],
                           result: ["_id": "65f0000000000000000000b4", "user_available": true])]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        let teammateID = try p[projectUserID]
        let body = try updateBody(p, admin: true)
        let teammate = try await Guards.teammateInProject(ctx, projectID, teammateID, dryRun: p.dryRun)
        if Guards.isOwner(teammate), body["role"] != nil || body["status"] != nil {
            throw Guards.ownerRefusal("change the role or status of")
        }
        return try await ctx.perform(.updateTeammate(projectID, teammateID, body: body), dryRun: p.dryRun)
    }

    static let leave = MethodSpec(
        "team.leave",
        summary: "Remove a teammate: disable, trash or delete.",
        description: "Removes a teammate from the project. mode: disable (default; stays listed, can be re-enabled with team.update status active), trash (restorable with team.restore), delete (permanent). Needs admin. The bridge checks the teammate belongs to the project (404) and never removes the owner (403).",
        params: [CommonParams.projectID, projectUserID, mode], result: .one(.teammate),
        routes: [.removeTeammate, .teammate, .myTeammate], errors: errors, effect: .destructive,
        examples: [Example("disable Bob", params: ["project_user_id": "65f0000000000000000000b4"],
                           result: ["_id": "65f0000000000000000000b4", "status": "disabled"])]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        let teammateID = try p[projectUserID]
        let leaveMode = p[mode].flatMap(LeaveMode.init(rawValue:)) ?? .disable
        let teammate = try await Guards.teammateInProject(ctx, projectID, teammateID, dryRun: p.dryRun)
        if Guards.isOwner(teammate) { throw Guards.ownerRefusal(leaveMode == .disable ? "disable" : "remove") }
        return try await ctx.perform(.removeTeammate(projectID, teammateID, mode: leaveMode), dryRun: p.dryRun)
    }

    static let restore = MethodSpec(
        "team.restore",
        summary: "Restore a trashed teammate.",
        description: "Brings back a teammate removed with mode trash: active again. Needs admin. A teammate that is not trashed is a 409 conflict (checked before anything is sent).",
        params: [CommonParams.projectID, projectUserID], result: .one(.teammate),
        routes: [.restoreTeammate, .teammate, .myTeammate], errors: errors + [409], effect: .write,
        examples: [Example("restore Alice after team.leave with mode trash", params: ["project_user_id": "65f0000000000000000000b3"],
                           result: ["_id": "65f0000000000000000000b3", "trashed": false, "status": "active"],
                           setup: [("team.leave", ["project_user_id": "65f0000000000000000000b3", "mode": "trash"])])]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        let teammateID = try p[projectUserID]
        let teammate = try await Guards.teammateInProject(ctx, projectID, teammateID, dryRun: p.dryRun)
        if teammate["trashed"] != .bool(true) {
            throw Refusal(.conflict, "the teammate is not trashed, so there is nothing to restore")
        }
        return try await ctx.perform(.restoreTeammate(projectID, teammateID), dryRun: p.dryRun)
    }

    static let methods = [list, get, getByUser, me, available, invite, updateMe, update, leave, restore, plan, apply, watch, unwatch]
}

extension TiledeskClient.InviteOutcome {
    /// The answer of an invite, in `team.invite`'s shape (`InviteResult`).
    var json: JSON {
        switch self {
        case .added(let teammate): ["status": "added", "teammate": teammate]
        case .pending(let invitation): ["status": "pending", "invitation": invitation]
        }
    }
}
