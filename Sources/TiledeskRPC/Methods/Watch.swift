import JSONCore
import JSONRPC
import TiledeskAPI

/// `team.watch`, `team.unwatch`: changes as they happen, as notifications. The server offers no
/// reliable push for the team, so the bridge polls the team and the pending invitations with
/// `If-None-Match` and sends what changed (`ProjectWatch`).
extension TeamMethods {
    static let interval = OptionalParam<JSON>("interval", .number(minimum: 5, maximum: 86_400),
                                              "Seconds between polls, at least 5 (default 30). Watches of one project share one poller at the shortest interval.")
    static let subscription = RequiredParam<String>("subscription", .string(minLength: 1, maxLength: 100), "The subscription team.watch answered.")

    static let watch = MethodSpec(
        "team.watch",
        summary: "Watch the team: notifications as teammates and invitations change.",
        description: "Answers {subscription, teammates, invitations} at once, then sends a team.changed notification {subscription, project_id, changes} whenever a poll finds a difference: each change {kind: joined | left | updated | invited | invitation_removed, teammate or invitation, fields: {name: {from, to}} for updated (role, status, trashed, user_available, profileStatus, presence, isBusy, max_assigned_chat)}; one notification per poll, so an invitation that disappears as its address joins comes as invitation_removed and joined together. A failed poll is told once as team.watchError {subscription, error}, and polling goes on; a rate-limited poll is waited out. Polls are background requests: they never slow the caller's own. Ends with team.unwatch or the end of input.",
        params: [CommonParams.projectID, interval], result: .one(.watchStart), routes: [.teammates, .invitations], errors: errors,
        isTool: false,
        examples: [Example("watch the demo team", params: ["interval": 10],
                           result: ["subscription": "watch-1", "invitations": [["email": "pending@example.com"]]])]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        let every = p[interval]?.numberValue?.doubleValue ?? 30
        guard let session = ctx.control?.session else { throw RPCError.internalError("team.watch needs a session to notify") }
        let (id, snapshot) = try await ctx.watches.watch(projectID: projectID, interval: every) { id, event in
            switch event {
            case .changed(let changes):
                session.notify(method: "team.changed", params: ["subscription": .string(id), "project_id": .string(projectID), "changes": .array(changes)])
            case .failed(let error):
                session.notify(method: "team.watchError", params: ["subscription": .string(id), "error": error.json])
            }
        }
        return ["subscription": .string(id), "teammates": .array(snapshot.teammates), "invitations": .array(snapshot.invitations)]
    }

    static let unwatch = MethodSpec(
        "team.unwatch",
        summary: "Stop a team watch.",
        description: "Ends a subscription of team.watch; answers {}. An unknown subscription is -32602.",
        params: [subscription], result: .one(.empty), routes: [], errors: [-32602], isTool: false,
        examples: [Example("stop the watch started first", params: ["subscription": "watch-1"], result: [:],
                           setup: [("team.watch", [:])])]
    ) { p, ctx in
        let id = try p[subscription]
        guard await ctx.watches.unwatch(id) else {
            throw RPCError.invalidParams("no watch \(id) is running", field: "subscription")
        }
        return [:]
    }
}
