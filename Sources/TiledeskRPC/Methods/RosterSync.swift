import JSONCore
import JSONRPC
import TiledeskAPI

/// `team.plan` and `team.apply`: "make the team look like this list", with a plan to review first.
extension TeamMethods {
    static let roster = RequiredParam<JSON>("roster", .array(of: .object(properties: [
        ("email", .string(format: .email)),
        ("role", .string(values: assignableRoles)),
        ("user_available", .boolean),
        ("max_assigned_chat", .integer(minimum: 0)),
        ("groups", .array(of: .string(minLength: 1, maxLength: 200))),
    ], required: ["email", "role"]), minItems: 1),
        "What the team should be: one entry per person, {email, role (agent, supervisor or admin), user_available?, max_assigned_chat?, groups? (names or ids)}. Emails compare without case; each person once.")
    static let absent = OptionalParam<String>("absent", .string(values: RosterPolicy.Absent.allCases.map(\.rawValue)),
                                              "Active teammates not on the roster: keep (default), disable or trash.")
    static let invitationsPolicy = OptionalParam<String>("invitations", .string(values: RosterPolicy.Invitations.allCases.map(\.rawValue)),
                                                         "Pending invitations of addresses not on the roster: keep (default) or cancel.")
    static let groupsPolicy = OptionalParam<String>("groups", .string(values: RosterPolicy.Groups.allCases.map(\.rawValue)),
                                                    "add (default): put roster people in their groups; exact: also take out of each group the roster names anyone for whoever is not listed for it.")
    static let fingerprint = OptionalParam<String>("fingerprint", .string(minLength: 1, maxLength: 100),
                                                   "The plan's fingerprint: apply only if the team is still as the plan saw it (else 409 with the fresh plan in data.plan).")

    static let rosterNote = "The owner and the caller are never changed (reported as skipped). A trashed teammate on the roster is restored, a disabled one made active. Groups hold user ids, so a person only invited waits (listed under waiting) until they sign up; a later apply adds them."

    /// The roster's entries, in order, emails lowercased.
    static func rosterEntries(_ p: Params) throws -> [RosterEntry] {
        (try p[roster].arrayValue ?? []).enumerated().map { index, item in
            RosterEntry(index: index, email: item["email"]?.stringValue?.lowercased() ?? "", role: item["role"]?.stringValue ?? "",
                        userAvailable: item["user_available"]?.boolValue, maxAssignedChat: item["max_assigned_chat"].flatMap(Int.init(param:)),
                        groups: item["groups"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
    }

    static func rosterPolicy(_ p: Params) -> RosterPolicy {
        RosterPolicy(absent: p[absent].flatMap(RosterPolicy.Absent.init(rawValue:)) ?? .keep,
                     invitations: p[invitationsPolicy].flatMap(RosterPolicy.Invitations.init(rawValue:)) ?? .keep,
                     groups: p[groupsPolicy].flatMap(RosterPolicy.Groups.init(rawValue:)) ?? .add)
    }

    /// One read and the plan, as `team.plan` answers it.
    static func planned(_ p: Params, _ ctx: MethodContext) async throws -> (snapshot: TeamSnapshot, plan: RosterPlan, answer: JSON) {
        let projectID = try ctx.projectID(p)
        let entries = try rosterEntries(p)
        _ = try RosterPlanner.indexByEmail(entries)
        let snapshot = try await TeamSnapshot.read(ctx, projectID)
        let plan = try RosterPlanner.plan(entries, snapshot, rosterPolicy(p))
        let answer: JSON = [
            "project_id": .string(projectID), "fingerprint": .string(snapshot.fingerprint),
            "actions": .array(plan.actions.map(\.json)), "unchanged": .number(JSONNumber(plan.unchanged)),
            "summary": .object(plan.summary), "skipped": .array(plan.skipped), "waiting": .array(plan.waiting),
        ]
        return (snapshot, plan, answer)
    }

    static let rosterRoutes: [Route] = [.teammates, .invitations, .groups, .currentUser]

    static let plan = MethodSpec(
        "team.plan",
        summary: "Compare the team with a roster: the actions that would make it match.",
        description: "Reads the team (trashed members included), the pending invitations and the groups once, and answers the actions that would make the team match the roster, in the order team.apply takes them (invite, restore, update, update_invitation, add_to_group, remove_from_group, disable, trash, cancel_invitation), each with its changes {field: {from, to}}; plus how many entries need nothing, and a fingerprint of what was read. Changes nothing. \(rosterNote)",
        params: [CommonParams.projectID, roster, absent, invitationsPolicy, groupsPolicy], result: .one(.rosterPlan),
        routes: rosterRoutes, errors: errors,
        examples: [Example("Bob becomes available, someone new joins", params: ["roster": [
            ["email": "alice@example.com", "role": "agent"], ["email": "bob@example.com", "role": "agent", "user_available": true],
            ["email": "zoe@example.com", "role": "supervisor"],
        ]], result: ["unchanged": 1, "summary": ["invite": 1, "update": 1]])]
    ) { p, ctx in
        try await planned(p, ctx).answer
    }

    static let apply = MethodSpec(
        "team.apply",
        summary: "Make the team match a roster: plan, then apply in a safe order.",
        description: "Reads and plans as team.plan does; with a fingerprint, refuses (409, the fresh plan in data.plan, nothing changed) when the team moved since. Then applies the actions in the safe order (invites and restores, updates, group changes, disables, trashes and cancels), one request each, under the shared rate limit, going on past a failed action, and answers {applied, failed, unchanged, summary}. Applying the same roster again finds nothing to do. A request carrying _meta.progressToken gets progress notifications. A cancel stops new actions from starting and answers -32800 with what was applied (data.applied). dry_run answers the plan. \(rosterNote)",
        params: [CommonParams.projectID, roster, absent, invitationsPolicy, groupsPolicy, fingerprint], result: .one(.rosterApplied),
        dryRunResult: .rosterPlan,
        routes: rosterRoutes + [.invite, .restoreTeammate, .updateTeammate, .updateInvitation, .updateGroup, .removeTeammate, .cancelInvitation],
        errors: errors + [409], effect: .write, idempotent: false, reportsProgress: true,
        examples: [Example("make Bob available", params: ["roster": [
            ["email": "alice@example.com", "role": "agent"], ["email": "bob@example.com", "role": "agent", "user_available": true],
        ]], result: ["failed": [], "unchanged": 1, "summary": ["update": 1]])]
    ) { p, ctx in
        let (snapshot, plan, answer) = try await planned(p, ctx)
        if let expected = p[fingerprint], expected != snapshot.fingerprint {
            throw Refusal(.conflict, "the team changed since that plan was made (fingerprint \(expected), now \(snapshot.fingerprint)): nothing was applied; review the fresh plan in data.plan",
                          data: ["plan": answer])
        }
        if p.dryRun { return answer }
        // A cancel stops new actions; the answer (with what was applied) is ours to give.
        ctx.control?.answerOwnCancellation()
        let applier = RosterApplier(ctx: ctx, projectID: try ctx.projectID(p), snapshot: snapshot) { done, total, action in
            ctx.progress(done: done, total: total, message: "\(action["action"]?.stringValue ?? "") \(action["email"]?.stringValue ?? "")", detail: action)
        }
        return try await applier.apply(plan)
    }
}
