import JSONCore
import TiledeskAPI

/// The safety the server itself lacks: its by-id routes are not scoped to the project and do not
/// protect the owner, so the bridge reads first (through the same client) and refuses before it
/// changes anything.
enum Guards {
    /// The teammate, read through the project-scoped route: 404 when it is not in `projectID`.
    /// For a dry run the caller's own role is checked too (admin needed), as the real call would.
    static func teammateInProject(_ ctx: MethodContext, _ projectID: String, _ projectUserID: String, dryRun: Bool) async throws -> JSON {
        if dryRun { try await requireAdmin(ctx, projectID) }
        do {
            return try await ctx.client.send(.teammate(projectID, projectUserID))
        } catch let error as TiledeskError where error.kind == .notFound {
            throw error.with(message: "teammate \(projectUserID) is not in project \(projectID)")
        }
    }

    static func isOwner(_ teammate: JSON) -> Bool { teammate["role"]?.stringValue == "owner" }

    static func ownerRefusal(_ action: String) -> Refusal {
        Refusal(.forbidden, "refusing to \(action) the project's owner: ownership cannot be changed through this bridge")
    }

    /// The project's pending invitation for `email`, if any. A server that does not offer the
    /// list route just skips this check.
    static func pendingInvitation(_ ctx: MethodContext, _ projectID: String, email: String) async throws -> JSON? {
        let wanted = email.lowercased()
        do {
            let pending = try await ctx.client.send(.invitations(projectID))
            return pending.arrayValue?.first { $0["email"]?.stringValue?.lowercased() == wanted }
        } catch let error as TiledeskError where error.kind != .notAuthenticated && error.kind != .rateLimited {
            return nil
        }
    }

    /// 403 unless the caller is an admin or the owner of the project (what the server requires
    /// to invite, update, remove).
    static func requireAdmin(_ ctx: MethodContext, _ projectID: String) async throws {
        let me = try await ctx.client.send(.myTeammate(projectID))
        let role = me["role"]?.stringValue ?? ""
        if ["agent", "supervisor", "teammate", "user", "guest"].contains(role) {
            throw Refusal(.forbidden, "this needs the admin or owner role in the project; the caller is \(role)")
        }
    }

    /// The project's team membership of this email, whatever its state (active first, then
    /// disabled, then trashed), if any: the server invites anyone without an active one, adding
    /// a second membership beside a disabled or trashed one.
    static func membership(_ ctx: MethodContext, _ projectID: String, email: String) async throws -> JSON? {
        let team = try await ctx.client.send(.teammates(projectID, query: [("trashed", "true")])).arrayValue ?? []
        let wanted = email.lowercased()
        let theirs = team.filter { $0["id_user"]?["email"]?.stringValue?.lowercased() == wanted }
        return theirs.first(where: isActive) ?? theirs.first { $0["trashed"] != .bool(true) } ?? theirs.first
    }

    /// Whether a membership counts as a member for the server: active and not trashed.
    static func isActive(_ teammate: JSON) -> Bool { teammate["status"] == "active" && teammate["trashed"] != .bool(true) }

    /// 409 for an address whose membership is disabled or trashed: inviting it again would add a
    /// second membership; the existing one is what to bring back.
    static func inactiveMemberRefusal(_ teammate: JSON, email: String) -> Refusal {
        let id = teammate["_id"]?.stringValue ?? ""
        let trashed = teammate["trashed"] == .bool(true)
        let state = trashed ? "trashed" : "disabled"
        let remedy = trashed ? "restore it with team.restore" : "make it active with team.update (status: active)"
        return Refusal(.conflict, "\(email) is already in the team, \(state) (teammate \(id)); \(remedy): the server would add a second membership",
                       data: ["id": .string(id), "status": .string(state)])
    }

    /// Whether `object` belongs to `projectID` by its `id_project` (ObjectId strings compare
    /// without regard to case).
    static func belongs(_ object: JSON, to projectID: String) -> Bool {
        object["id_project"]?.stringValue?.lowercased() == projectID.lowercased()
    }

    /// An object the server looks up by id in any project, read through `endpoint` and checked
    /// to be `projectID`'s: 404 (naming `kind`) when the server has none or it is another
    /// project's.
    static func inProject(_ ctx: MethodContext, _ projectID: String, _ id: String, kind: String, _ endpoint: Endpoint) async throws -> JSON {
        let notFound = Refusal(.notFound, "\(kind) \(id) is not in project \(projectID)", data: ["id": .string(id)])
        let object: JSON
        do {
            object = try await ctx.client.send(endpoint)
        } catch let error as TiledeskError where error.kind == .notFound {
            throw notFound
        }
        guard object.objectValue != nil, belongs(object, to: projectID) else { throw notFound }
        return object
    }

    static func invitationInProject(_ ctx: MethodContext, _ projectID: String, _ id: String) async throws -> JSON {
        try await inProject(ctx, projectID, id, kind: "pending invitation", .invitation(projectID, id))
    }

    static func departmentInProject(_ ctx: MethodContext, _ projectID: String, _ id: String) async throws -> JSON {
        try await inProject(ctx, projectID, id, kind: "department", .department(projectID, id))
    }

    /// The group, checked to be the project's and, unless `allowTrashed`, not trashed (the server
    /// returns trashed groups too): 404 otherwise.
    static func groupInProject(_ ctx: MethodContext, _ projectID: String, _ id: String, allowTrashed: Bool = false) async throws -> JSON {
        let group = try await inProject(ctx, projectID, id, kind: "group", .group(projectID, id))
        if !allowTrashed, group["trashed"] == .bool(true) {
            throw Refusal(.notFound, "group \(id) is deleted (trashed)", data: ["id": .string(id)])
        }
        return group
    }

    /// 404 naming the first of `userIDs` that is not a teammate of the project (trashed ones
    /// count as gone): group members must be people who can take the group's chats.
    static func requireTeammates(_ ctx: MethodContext, _ projectID: String, _ userIDs: [String], field: String) async throws {
        let team = try await ctx.client.send(.teammates(projectID))
        let members = Set((team.arrayValue ?? []).compactMap { userID(of: $0)?.lowercased() })
        if let stranger = userIDs.first(where: { !members.contains($0.lowercased()) }) {
            throw Refusal(.notFound, "user \(stranger) is not a teammate of project \(projectID) (group members are user ids of teammates)",
                          data: ["field": .string(field), "id": .string(stranger)])
        }
    }

    /// The user id of a teammate record: `id_user` populated (`{_id}`) or bare.
    static func userID(of teammate: JSON) -> String? {
        teammate["id_user"]?["_id"]?.stringValue ?? teammate["id_user"]?.stringValue
    }

    /// 409 when a department of the project routes to the group (by `id_group`, or in its
    /// `groups` list): disabling or deleting it would leave that department with nobody.
    static func requireNoDepartmentRouting(_ ctx: MethodContext, _ projectID: String, to groupID: String, action: String) async throws {
        let departments = try await ctx.client.send(.departments(projectID)).arrayValue ?? []
        let routing = departments.filter { department in
            department["id_group"]?.stringValue == groupID
                || (department["groups"]?.arrayValue ?? []).contains { $0["group_id"]?.stringValue == groupID }
        }
        guard !routing.isEmpty else { return }
        let names = routing.map { "\($0["name"]?.stringValue ?? "?") (\($0["_id"]?.stringValue ?? "?"))" }.joined(separator: ", ")
        throw Refusal(.conflict, "refusing to \(action) group \(groupID): department \(names) routes conversations to it",
                      data: ["id": .string(groupID), "departments": .array(routing.compactMap { $0["_id"] })])
    }
}
