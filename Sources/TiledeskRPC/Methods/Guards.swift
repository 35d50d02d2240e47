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

    static func ownerRefusal(_ action: String) -> TiledeskError {
        TiledeskError(.forbidden, "refusing to \(action) the project's owner: ownership cannot be changed through this bridge")
    }

    /// Whether an invitation to `email` already waits in the project. A server that does not
    /// offer the list route just skips this check.
    static func hasPendingInvitation(_ ctx: MethodContext, _ projectID: String, email: String) async throws -> Bool {
        let wanted = email.lowercased()
        do {
            let pending = try await ctx.client.send(.invitations(projectID))
            return pending.arrayValue?.contains { $0["email"]?.stringValue?.lowercased() == wanted } ?? false
        } catch let error as TiledeskError where error.kind != .notAuthenticated && error.kind != .rateLimited {
            return false
        }
    }

    /// 403 unless the caller is an admin or the owner of the project (what the server requires
    /// to invite, update, remove).
    static func requireAdmin(_ ctx: MethodContext, _ projectID: String) async throws {
        let me = try await ctx.client.send(.myTeammate(projectID))
        let role = me["role"]?.stringValue ?? ""
        if ["agent", "supervisor", "teammate", "user", "guest"].contains(role) {
            throw TiledeskError(.forbidden, "this needs the admin or owner role in the project; the caller is \(role)")
        }
    }

    /// The project's active team member with this email, if any.
    static func activeMember(_ ctx: MethodContext, _ projectID: String, email: String) async throws -> JSON? {
        let team = try await ctx.client.send(.teammates(projectID, query: [("status", "active")]))
        let wanted = email.lowercased()
        return team.arrayValue?.first { $0["id_user"]?["email"]?.stringValue?.lowercased() == wanted }
    }
}
