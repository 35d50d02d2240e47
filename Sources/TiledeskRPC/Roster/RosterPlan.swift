import JSONCore
import JSONRPC

/// One person as the roster says they should be.
struct RosterEntry: Sendable, Equatable {
    /// Where it stands in the roster, for error fields (`roster[3].role`).
    let index: Int
    /// Lowercased: emails compare case-insensitively.
    let email: String
    let role: String
    let userAvailable: Bool?
    let maxAssignedChat: Int?
    /// Group names or ids the person must be in.
    let groups: [String]
}

/// What to do with what the roster does not name.
struct RosterPolicy: Sendable, Equatable {
    enum Absent: String, Sendable, CaseIterable { case keep, disable, trash }
    enum Invitations: String, Sendable, CaseIterable { case keep, cancel }
    enum Groups: String, Sendable, CaseIterable { case add, exact }

    var absent = Absent.keep
    var invitations = Invitations.keep
    var groups = Groups.add
}

/// The project as one read saw it: every teammate (trashed and disabled ones too), the pending
/// invitations, the groups, and who the caller is.
struct TeamSnapshot: Sendable {
    let teammates: [JSON]
    let invitations: [JSON]
    let groups: [JSON]
    let callerUserID: String?
}

/// One change a plan makes, with one request each when applied.
struct PlannedAction: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        case invite, restore, update
        case updateInvitation = "update_invitation", cancelInvitation = "cancel_invitation"
        case addToGroup = "add_to_group", removeFromGroup = "remove_from_group"
        case disable, trash

        /// The safe order: people in first, then their settings, then groups, then removals.
        var phase: Int {
            switch self {
            case .invite, .restore: 0
            case .update, .updateInvitation: 1
            case .addToGroup, .removeFromGroup: 2
            case .disable, .trash, .cancelInvitation: 3
            }
        }
    }

    let kind: Kind
    let email: String
    /// The ids the action needs (`project_user_id`, `user_id`, `invitation_id`, `group_id`, `group`)
    /// and what it sends that is not a change (`role` of an invite).
    var fields: JSONObject = [:]
    /// `{field: {from, to}}`.
    var changes: JSONObject = [:]

    var json: JSON {
        var object: JSONObject = ["action": .string(kind.rawValue), "email": .string(email)]
        for (key, value) in fields { object[key] = value }
        if !changes.isEmpty { object["changes"] = .object(changes) }
        return .object(object)
    }

    static func change(_ from: JSON?, _ to: JSON) -> JSON { ["from": from ?? .null, "to": to] }
}

/// The difference between a team and its roster: what to do, in the safe order.
struct RosterPlan: Sendable {
    var actions: [PlannedAction] = []
    /// Roster entries that need nothing now.
    var unchanged = 0
    /// Roster entries the plan will not touch: `{email, skipped: "owner" | "self"}`.
    var skipped: [JSON] = []
    /// People only invited, who cannot join a group before they sign up: `{email, groups}`.
    var waiting: [JSON] = []

    /// How many actions of each kind.
    var summary: JSONObject {
        var counts = JSONObject()
        for kind in PlannedAction.Kind.allCases {
            let n = actions.filter { $0.kind == kind }.count
            if n > 0 { counts[kind.rawValue] = .number(JSONNumber(n)) }
        }
        return counts
    }
}

/// Computes a plan: a pure function of the roster, the snapshot and the policy.
enum RosterPlanner {
    static func plan(_ roster: [RosterEntry], _ snapshot: TeamSnapshot, _ policy: RosterPolicy) throws(RPCError) -> RosterPlan {
        let seen = try indexByEmail(roster)
        let groups = try resolveGroups(roster, snapshot.groups)
        let teammates = Dictionary(snapshot.teammates.compactMap { t in email(of: t).map { ($0, t) } }, uniquingKeysWith: preferLive)
        let invitations = Dictionary(snapshot.invitations.compactMap { i in i["email"]?.stringValue.map { ($0.lowercased(), i) } },
                                     uniquingKeysWith: { a, _ in a })
        var plan = RosterPlan()
        /// Members each named group must end with (user ids), for `groups: exact`.
        var wanted: [String: Set<String>] = [:]
        /// Members each group has now (user ids).
        let members: [String: [String]] = Dictionary(snapshot.groups.compactMap { g in
            g["_id"]?.stringValue.map { ($0, (g["members"]?.arrayValue ?? []).compactMap(\.stringValue)) }
        }, uniquingKeysWith: { a, _ in a })

        for entry in roster {
            let targets = groups[entry.index] ?? []
            for group in targets { wanted[group.id, default: []] = wanted[group.id, default: []] }
            if let teammate = teammates[entry.email] {
                let userID = userID(of: teammate) ?? ""
                if let reason = untouchable(teammate, snapshot) {
                    plan.skipped.append(["email": .string(entry.email), "skipped": .string(reason)])
                    for group in targets { wanted[group.id]?.insert(userID) }
                    continue
                }
                let before = plan.actions.count
                var ids: JSONObject = ["project_user_id": teammate["_id"] ?? .null, "user_id": .string(userID)]
                var changes = JSONObject()
                if teammate["trashed"] == .bool(true) {
                    plan.actions.append(PlannedAction(kind: .restore, email: entry.email, fields: ids,
                                                      changes: ["trashed": PlannedAction.change(true, false)]))
                } else if teammate["status"]?.stringValue == "disabled" {
                    changes["status"] = PlannedAction.change(teammate["status"], "active")
                }
                if teammate["role"]?.stringValue != entry.role { changes["role"] = PlannedAction.change(teammate["role"], .string(entry.role)) }
                if let available = entry.userAvailable, teammate["user_available"]?.boolValue != available {
                    changes["user_available"] = PlannedAction.change(teammate["user_available"], .bool(available))
                }
                if let max = entry.maxAssignedChat, teammate["max_assigned_chat"]?.intValue != max {
                    changes["max_assigned_chat"] = PlannedAction.change(teammate["max_assigned_chat"], .number(JSONNumber(max)))
                }
                if !changes.isEmpty { plan.actions.append(PlannedAction(kind: .update, email: entry.email, fields: ids, changes: changes)) }
                for group in targets {
                    wanted[group.id]?.insert(userID)
                    if !(members[group.id] ?? []).contains(userID) {
                        ids["group_id"] = .string(group.id)
                        ids["group"] = .string(group.name)
                        plan.actions.append(PlannedAction(kind: .addToGroup, email: entry.email, fields: ids))
                    }
                }
                if plan.actions.count == before { plan.unchanged += 1 }
            } else {
                if let invitation = invitations[entry.email] {
                    if invitation["role"]?.stringValue != entry.role {
                        plan.actions.append(PlannedAction(kind: .updateInvitation, email: entry.email,
                                                          fields: ["invitation_id": invitation["_id"] ?? .null],
                                                          changes: ["role": PlannedAction.change(invitation["role"], .string(entry.role))]))
                    } else {
                        plan.unchanged += 1
                    }
                } else {
                    var fields: JSONObject = ["role": .string(entry.role)]
                    if let available = entry.userAvailable { fields["user_available"] = .bool(available) }
                    plan.actions.append(PlannedAction(kind: .invite, email: entry.email, fields: fields))
                }
                if !targets.isEmpty {
                    plan.waiting.append(["email": .string(entry.email), "groups": .array(targets.map { ["group_id": .string($0.id), "group": .string($0.name)] })])
                }
            }
        }

        if policy.absent != .keep {
            for teammate in snapshot.teammates {
                guard let address = email(of: teammate), seen[address] == nil, untouchable(teammate, snapshot) == nil,
                    teammate["trashed"] != .bool(true), teammate["status"]?.stringValue == "active"
                else { continue }
                let kind: PlannedAction.Kind = policy.absent == .disable ? .disable : .trash
                let changes: JSONObject = kind == .disable
                    ? ["status": PlannedAction.change("active", "disabled")] : ["trashed": PlannedAction.change(false, true)]
                plan.actions.append(PlannedAction(kind: kind, email: address,
                                                  fields: ["project_user_id": teammate["_id"] ?? .null, "user_id": .string(userID(of: teammate) ?? "")],
                                                  changes: changes))
            }
        }
        if policy.invitations == .cancel {
            for invitation in snapshot.invitations {
                guard let address = invitation["email"]?.stringValue?.lowercased(), seen[address] == nil else { continue }
                plan.actions.append(PlannedAction(kind: .cancelInvitation, email: address, fields: ["invitation_id": invitation["_id"] ?? .null]))
            }
        }
        if policy.groups == .exact {
            let byUser = Dictionary(snapshot.teammates.compactMap { t in userID(of: t).map { ($0, t) } }, uniquingKeysWith: preferLive)
            for group in snapshot.groups {
                guard let id = group["_id"]?.stringValue, let keep = wanted[id] else { continue }
                for user in members[id] ?? [] where !keep.contains(user) {
                    if let teammate = byUser[user], untouchable(teammate, snapshot) != nil { continue }
                    plan.actions.append(PlannedAction(kind: .removeFromGroup, email: byUser[user].flatMap(email(of:)) ?? "",
                                                      fields: ["user_id": .string(user), "group_id": .string(id), "group": group["name"] ?? .null]))
                }
            }
        }
        // The safe order, and roster order within a phase.
        plan.actions = plan.actions.enumerated().sorted { ($0.element.kind.phase, $0.offset) < ($1.element.kind.phase, $1.offset) }.map(\.element)
        return plan
    }

    /// Each email's place in the roster; -32602 naming the second entry of an email given twice
    /// (checked before anything is read).
    static func indexByEmail(_ roster: [RosterEntry]) throws(RPCError) -> [String: Int] {
        var seen: [String: Int] = [:]
        for entry in roster {
            if let first = seen[entry.email] {
                throw .invalidParams("roster[\(entry.index)].email repeats roster[\(first)].email (\(entry.email)): each person once",
                                     field: "roster[\(entry.index)].email")
            }
            seen[entry.email] = entry.index
        }
        return seen
    }

    /// Why the plan must not touch this teammate: the owner, or the caller.
    static func untouchable(_ teammate: JSON, _ snapshot: TeamSnapshot) -> String? {
        if teammate["role"]?.stringValue == "owner" { return "owner" }
        if let caller = snapshot.callerUserID, userID(of: teammate) == caller { return "self" }
        return nil
    }

    static func email(of teammate: JSON) -> String? { teammate["id_user"]?["email"]?.stringValue?.lowercased() }

    static func userID(of teammate: JSON) -> String? { Guards.userID(of: teammate) }

    /// Of two memberships of one person, the one that is not trashed.
    static func preferLive(_ a: JSON, _ b: JSON) -> JSON { a["trashed"] == .bool(true) ? b : a }

    /// Each roster entry's groups, by id or by name (a name must name exactly one group).
    static func resolveGroups(_ roster: [RosterEntry], _ groups: [JSON]) throws(RPCError) -> [Int: [(id: String, name: String)]] {
        var resolved: [Int: [(id: String, name: String)]] = [:]
        for entry in roster {
            for (position, reference) in entry.groups.enumerated() {
                let field = "roster[\(entry.index)].groups[\(position)]"
                // An id in any case (the server's ids are lower case); a name exactly.
                let byID = { (group: JSON) in group["_id"]?.stringValue?.lowercased() == reference.lowercased() }
                let matches = groups.filter(byID) + groups.filter { !byID($0) && $0["name"]?.stringValue == reference }
                guard let group = matches.first, let id = group["_id"]?.stringValue else {
                    throw .invalidParams("\(field): no group of the project is named or has the id \"\(reference)\"", field: field)
                }
                if matches.count > 1 {
                    throw .invalidParams("\(field): \(matches.count) groups are named \"\(reference)\"; give its id", field: field)
                }
                if !(resolved[entry.index] ?? []).contains(where: { $0.id == id }) {
                    resolved[entry.index, default: []].append((id, group["name"]?.stringValue ?? id))
                }
            }
        }
        return resolved
    }
}
