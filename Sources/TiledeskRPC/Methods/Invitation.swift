import JSONCore
import JSONRPC
import TiledeskAPI

/// `invitation.*`: people invited who have not signed up yet. The server looks these up by id in
/// any project, upserts on PUT and answers 200 to a DELETE of anything, so every by-id method
/// reads the invitation first and answers 404 unless it belongs to the project.
enum InvitationMethods: MethodGroup {
    static let name = "invitation"
    static let summary = "Pending invitations: people invited who have not signed up yet; list, fix the role, resend or cancel."

    static let errors = [-32602, 401, 403, 404, 429, 502, 503, 504]
    static let invitationID = RequiredParam<String>("invitation_id", .string(format: .objectID), "The invitation's id (24-hex).")
    static let role = RequiredParam<String>("role", .string(values: TeamMethods.assignableRoles), "The role the person gets on signing up: agent, supervisor or admin.")
    static let pendingExample: JSON = ["_id": "65f0000000000000000000c1", "email": "pending@example.com", "role": "agent"]

    static let list = MethodSpec(
        "invitation.list",
        summary: "The project's pending invitations.",
        description: "Lists the invitations of the project waiting for their person to sign up: email, role, who invited and when. Read-only.",
        params: [CommonParams.projectID], result: .list(.invitation), routes: [.invitations], errors: errors,
        examples: [Example("the demo project's pending invitation", params: [:], result: [pendingExample])]
    ) { p, ctx in
        try await ctx.client.send(.invitations(try ctx.projectID(p)))
    }

    static let get = MethodSpec(
        "invitation.get",
        summary: "One pending invitation.",
        description: "Returns one pending invitation of the project. An invitation of another project is 404. Read-only.",
        params: [CommonParams.projectID, invitationID], result: .one(.invitation), routes: [.invitation], errors: errors,
        examples: [Example("the pending invitation", params: ["invitation_id": "65f0000000000000000000c1"], result: pendingExample)]
    ) { p, ctx in
        try await Guards.invitationInProject(ctx, try ctx.projectID(p), try p[invitationID])
    }

    static let update = MethodSpec(
        "invitation.update",
        summary: "Change the role a pending invitation gives.",
        description: "Changes the role the invited person gets on signing up (agent, supervisor or admin; never owner). The bridge reads the invitation first (404 unless it is in the project) and sends its email back with the new role, because the server clears every field a change leaves out. \(TeamMethods.roleNote)",
        params: [CommonParams.projectID, invitationID, role], result: .one(.invitation),
        routes: [.updateInvitation, .invitation], errors: errors + [409], effect: .write,
        examples: [Example("make the pending invitation a supervisor's", params: ["invitation_id": "65f0000000000000000000c1", "role": "supervisor"],
                           result: ["_id": "65f0000000000000000000c1", "email": "pending@example.com", "role": "supervisor"])]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        let id = try p[invitationID]
        let invitation = try await Guards.invitationInProject(ctx, projectID, id)
        guard let email = invitation["email"]?.stringValue, !email.isEmpty else {
            throw Refusal(.conflict, "invitation \(id) has no email left, so no sign-up can ever match it; cancel it and invite again",
                          data: ["id": .string(id)])
        }
        return try await ctx.perform(.updateInvitation(projectID, id, email: email, role: try p[role]), dryRun: p.dryRun)
    }

    static let resend = MethodSpec(
        "invitation.resend",
        summary: "Send the invitation email again.",
        description: "Sends the invitation email to its address again and returns the invitation. It sends an email, so it is never retried where a repeat could send two. An invitation of another project is 404.",
        params: [CommonParams.projectID, invitationID], result: .one(.invitation),
        routes: [.resendInvitation, .invitation], errors: errors, effect: .write, idempotent: false,
        examples: [Example("remind pending@example.com", params: ["invitation_id": "65f0000000000000000000c1"], result: pendingExample)]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        let id = try p[invitationID]
        _ = try await Guards.invitationInProject(ctx, projectID, id)
        return try await ctx.perform(.resendInvitation(projectID, id), dryRun: p.dryRun)
    }

    static let cancel = MethodSpec(
        "invitation.cancel",
        summary: "Cancel a pending invitation.",
        description: "Deletes a pending invitation of the project and returns it as it was; the person can no longer join by signing up. An invitation of another project (or none at all) is 404: the server itself would answer success for any id.",
        params: [CommonParams.projectID, invitationID], result: .one(.invitation),
        routes: [.cancelInvitation, .invitation], errors: errors, effect: .destructive,
        examples: [Example("withdraw the pending invitation", params: ["invitation_id": "65f0000000000000000000c1"], result: pendingExample)]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        let id = try p[invitationID]
        let invitation = try await Guards.invitationInProject(ctx, projectID, id)
        let endpoint = Endpoint.cancelInvitation(projectID, id)
        if p.dryRun { return try await ctx.perform(endpoint, dryRun: true) }
        _ = try await ctx.client.send(endpoint)
        return invitation
    }

    static let methods = [list, get, update, resend, cancel]
}
