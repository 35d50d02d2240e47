import JSONCore
import JSONRPC
import TiledeskAPI

/// `group.*`: the groups departments route conversations to. The server looks groups up by id in
/// any project, upserts on PUT, and never checks members (user ids, not teammate ids); the bridge
/// reads first, answers 404 for a group outside the project (or trashed), checks that members are
/// teammates, and refuses (409) to disable or delete a group a department routes to.
enum GroupMethods: MethodGroup {
    static let name = "group"
    static let summary = "Groups: the teams departments route conversations to; create, rename, enable or disable, change members, delete."

    static let errors = [-32602, 401, 403, 404, 429, 502, 503, 504]
    static let groupID = RequiredParam<String>("group_id", .string(format: .objectID), "The group's id (24-hex).")
    static let member = OptionalParam<String>("member", .string(format: .objectID), "Only groups this user (a user id, not a teammate id) is a member of.")
    static let groupName = RequiredParam<String>("name", .string(minLength: 1, maxLength: 200), "The group's name (1 to 200 characters).")
    static let newName = OptionalParam<JSON>("name", .string(minLength: 1, maxLength: 200), "A new name (1 to 200 characters).")
    static let attributes = OptionalParam<JSON>("attributes", .freeObject, "Custom attributes; replaces the whole object.")
    static let enabled = OptionalParam<Bool>("enabled", .boolean, "Enable (true) or disable (false) the group; routing skips disabled groups. Not together with name or attributes (each is its own request).")
    static let userIDs = RequiredParam<[String]>("user_ids", .array(of: .string(format: .objectID), minItems: 1), "User ids (24-hex; not teammate ids), at least one.")
    static let members = OptionalParam<[String]>("members", .array(of: .string(format: .objectID)), "The members' user ids (24-hex; not teammate ids); each must be a teammate of the project.")
    static let force = OptionalParam<Bool>("force", .boolean, "Delete for good instead of trashing.")
    static let concurrencyNote = "The server replaces the whole member list on each change and offers no condition, so two writers changing the same group at once can lose one update; the bridge keeps the window to one read and one write."

    static let support: JSON = ["_id": "65f0000000000000000000d1", "name": "Support team", "members": ["65f0000000000000000000a3", "65f0000000000000000000a4"]]

    static let list = MethodSpec(
        "group.list",
        summary: "The project's groups.",
        description: "Lists the project's groups (disabled ones included, trashed ones left out), optionally only those a user is a member of. Members are user ids. Read-only.",
        params: [CommonParams.projectID, member], result: .list(.group), routes: [.groups], errors: errors,
        examples: [Example("the demo project's groups", params: [:], result: [
            support, ["_id": "65f0000000000000000000d2", "name": "Night shift", "enabled": false], ["_id": "65f0000000000000000000d3", "name": "Billing"],
        ])]
    ) { p, ctx in
        try await ctx.client.send(.groups(try ctx.projectID(p), member: p[member]))
    }

    static let get = MethodSpec(
        "group.get",
        summary: "One group.",
        description: "Returns one group of the project with its members (user ids). A group of another project, or a trashed one, is 404. Read-only.",
        params: [CommonParams.projectID, groupID], result: .one(.group), routes: [.group], errors: errors,
        examples: [Example("the Support team", params: ["group_id": "65f0000000000000000000d1"], result: support)]
    ) { p, ctx in
        try await Guards.groupInProject(ctx, try ctx.projectID(p), try p[groupID])
    }

    static let create = MethodSpec(
        "group.create",
        summary: "Create a group.",
        description: "Creates a group in the project, optionally with members (user ids). Every member must be a teammate of the project (not trashed), else 404 naming the id, and nothing is created.",
        params: [CommonParams.projectID, groupName, members], result: .one(.group),
        routes: [.createGroup, .teammates], errors: errors, effect: .write, idempotent: false,
        examples: [Example("a night shift with Alice", params: ["name": "Night shift", "members": ["65f0000000000000000000a3"]],
                           result: ["name": "Night shift", "members": ["65f0000000000000000000a3"], "enabled": true])]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        var body: JSONObject = ["name": .string(try p[groupName])]
        if let ids = p[members] {
            try await Guards.requireTeammates(ctx, projectID, ids, field: members.param.name)
            body["members"] = .array(ids.map(JSON.string))
        }
        return try await ctx.perform(.createGroup(projectID, body: body), dryRun: p.dryRun)
    }

    static let update = MethodSpec(
        "group.update",
        summary: "Rename, change attributes, or enable/disable a group.",
        description: "Changes a group of the project: any of name, attributes and enabled (routing skips a disabled group). The server switches enabled only through its own route, so a call that also renames sends two requests: name and attributes first, then the switch; should the second fail, the error's data.applied holds what the first changed. A dry run lists both under requests. Disabling a group a department routes to is 409 (the bridge checks the departments an agent can list; for one it cannot see, the server's refusal is 409 too, and a dry run cannot foresee it); a group outside the project or trashed is 404.",
        params: [CommonParams.projectID, groupID, newName, attributes, enabled], result: .one(.group),
        routes: [.updateGroup, .enableGroup, .disableGroup, .group, .departments], errors: errors + [409], effect: .write,
        examples: [Example("rename the Support team", params: ["group_id": "65f0000000000000000000d1", "name": "Support"],
                           result: ["_id": "65f0000000000000000000d1", "name": "Support"])]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        let id = try p[groupID]
        var body = JSONObject()
        p.copy([newName, attributes], into: &body)
        let enable = p[enabled]
        guard !body.isEmpty || enable != nil else {
            throw RPCError.invalidParams("give at least one of name, attributes, enabled", field: "params")
        }
        _ = try await Guards.groupInProject(ctx, projectID, id)
        if enable == false { try await Guards.requireNoDepartmentRouting(ctx, projectID, to: id, action: "disable") }
        var requests: [Endpoint] = []
        if !body.isEmpty { requests.append(.updateGroup(projectID, id, body: body)) }
        if let enable { requests.append(.setGroupEnabled(projectID, id, enable)) }
        guard requests.count == 2 else { return try await ctx.perform(requests[0], dryRun: p.dryRun) }
        if p.dryRun {
            return ["dry_run": true, "request": ctx.client.describe(requests[0]), "requests": .array(requests.map(ctx.client.describe))]
        }
        let renamed = try await ctx.client.send(requests[0])
        do {
            return try await ctx.client.send(requests[1])
        } catch {
            var failure = wireError(from: error)
            var data = failure.data?.objectValue ?? [:]
            data["applied"] = ["request": .string(requests[0].route.description), "result": renamed]
            failure.data = .object(data)
            failure.message += " (name and attributes were changed: data.applied)"
            throw failure
        }
    }

    static let addMembers = MethodSpec(
        "group.addMembers",
        summary: "Add members to a group.",
        description: "Adds users (user ids, each a teammate of the project, else 404 naming the id) to a group; ids already there are not doubled, and when nothing changes nothing is sent. \(concurrencyNote)",
        params: [CommonParams.projectID, groupID, userIDs], result: .one(.group),
        routes: [.updateGroup, .group, .teammates], errors: errors, effect: .write,
        examples: [Example("Adam joins the Support team", params: ["group_id": "65f0000000000000000000d1", "user_ids": ["65f0000000000000000000a2"]],
                           result: ["members": ["65f0000000000000000000a3", "65f0000000000000000000a4", "65f0000000000000000000a2"]])]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        let id = try p[groupID]
        let added = try p[userIDs]
        let group = try await Guards.groupInProject(ctx, projectID, id)
        try await Guards.requireTeammates(ctx, projectID, added, field: userIDs.param.name)
        let current = group["members"]?.arrayValue ?? []
        let next = members(current, adding: added)
        return try await changeMembers(ctx, projectID, id, group, from: current, to: next, dryRun: p.dryRun)
    }

    static let removeMembers = MethodSpec(
        "group.removeMembers",
        summary: "Remove members from a group.",
        description: "Removes users (user ids) from a group; ids not in it are ignored, and when nothing changes nothing is sent. \(concurrencyNote)",
        params: [CommonParams.projectID, groupID, userIDs], result: .one(.group),
        routes: [.updateGroup, .group], errors: errors, effect: .write,
        examples: [Example("Bob leaves the Support team", params: ["group_id": "65f0000000000000000000d1", "user_ids": ["65f0000000000000000000a4"]],
                           result: ["members": ["65f0000000000000000000a3"]])]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        let id = try p[groupID]
        let removed = try p[userIDs]
        let group = try await Guards.groupInProject(ctx, projectID, id)
        let current = group["members"]?.arrayValue ?? []
        let next = members(current, removing: removed)
        return try await changeMembers(ctx, projectID, id, group, from: current, to: next, dryRun: p.dryRun)
    }

    /// A group's member list with `added` appended (those not in it yet, once each) and `removed`
    /// taken out, the rest in its order: what `group.addMembers`, `group.removeMembers` and
    /// `team.apply` send, since the server's PUT replaces the whole list.
    static func members(_ current: [JSON], adding added: [String] = [], removing removed: [String] = []) -> [JSON] {
        var next = current
        for user in added where !next.contains(.string(user)) { next.append(.string(user)) }
        let gone = Set(removed)
        return next.filter { !gone.contains($0.stringValue ?? "") }
    }

    /// Sends the whole new member list, unless it is the list the group already has.
    static func changeMembers(_ ctx: MethodContext, _ projectID: String, _ id: String, _ group: JSON,
                              from current: [JSON], to next: [JSON], dryRun: Bool) async throws -> JSON {
        guard next != current else { return ctx.alreadyDone(group, dryRun: dryRun) }
        return try await ctx.perform(.updateGroup(projectID, id, body: ["members": .array(next)]), dryRun: dryRun)
    }

    static let delete = MethodSpec(
        "group.delete",
        summary: "Delete a group (trash it, or with force for good).",
        description: "Trashes a group of the project (it leaves the lists), or with force: true deletes it for good, and returns it as it was. A group a department routes to is 409 (as for group.update, a department the bridge cannot list is refused by the server, also 409, and a dry run cannot foresee it); a group outside the project is 404, and so is a trashed one unless force is given.",
        params: [CommonParams.projectID, groupID, force], result: .one(.group),
        routes: [.deleteGroup, .group, .departments], errors: errors + [409], effect: .destructive,
        examples: [Example("delete the Billing group (no department routes to it)", params: ["group_id": "65f0000000000000000000d3"],
                           result: ["_id": "65f0000000000000000000d3", "name": "Billing", "trashed": false])]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        let id = try p[groupID]
        let forced = p[force] == true
        let group = try await Guards.groupInProject(ctx, projectID, id, allowTrashed: forced)
        try await Guards.requireNoDepartmentRouting(ctx, projectID, to: id, action: "delete")
        let endpoint = Endpoint.deleteGroup(projectID, id, force: forced)
        if p.dryRun { return try await ctx.perform(endpoint, dryRun: true) }
        _ = try await ctx.client.send(endpoint)
        return group
    }

    static let methods = [list, get, create, update, addMembers, removeMembers, delete]
}
