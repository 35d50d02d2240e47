import HTTPCore
import JSONCore
import JSONRPC
import Synchronization
import TiledeskAPI

/// Carries out a plan: phase by phase in the plan's safe order, each action one request (a
/// group's additions and removals are one request for the group), concurrently within a phase
/// under the transport's shared rate limit and concurrency bound, going on past failures.
/// A cancel stops new actions from starting, those waiting for the upstream's turn included;
/// the ones on the wire finish, and the cancel's answer says what was applied.
struct RosterApplier: Sendable {
    let ctx: MethodContext
    let projectID: String
    let snapshot: TeamSnapshot
    /// Told after each finished action: how many are done, of how many, and which.
    let report: @Sendable (_ done: Int, _ total: Int, _ action: JSON) -> Void

    /// How many units may be started ahead of the ones finishing: enough to keep the upstream
    /// busy, few enough that a cancel leaves little under way.
    static let window = 16

    enum Outcome: Sendable {
        case applied(JSON)
        case failed(RPCError)
    }

    /// One request's worth of work: one action, or every change to one group.
    struct Unit: Sendable {
        let actions: [(index: Int, action: PlannedAction)]
    }

    /// The outcomes so far, by the action's place in the plan.
    final class Outcomes: Sendable {
        private let table = Mutex<[Int: Outcome]>([:])

        /// Records a unit's outcome; returns how many actions are done in all.
        func record(_ outcome: Outcome, for unit: Unit) -> Int {
            table.withLock { table in
                for (index, _) in unit.actions { table[index] = outcome }
                return table.count
            }
        }

        var all: [Int: Outcome] { table.withLock { $0 } }
    }

    func apply(_ plan: RosterPlan) async throws -> JSON {
        let gate = StartGate()
        return try await withTaskCancellationHandler {
            try await apply(plan, client: ctx.client.gated(by: gate), gate: gate)
        } onCancel: {
            gate.close()
        }
    }

    private func apply(_ plan: RosterPlan, client: TiledeskClient, gate: StartGate) async throws -> JSON {
        let outcomes = Outcomes()
        let total = plan.actions.count
        for phase in Set(plan.actions.map(\.kind.phase)).sorted() {
            let units = Self.units(plan.actions, phase: phase)
            await withTaskGroup(of: Void.self) { group in
                var started = 0
                for unit in units {
                    if Task.isCancelled { break }
                    if started >= Self.window { await group.next() }
                    started += 1
                    group.addTask {
                        // Shielded from the cancel, which closes the gate instead: an action on the
                        // wire finishes, so its outcome is known; one not yet sent stays unsent.
                        guard let outcome = await Task(operation: { await execute(unit, client: client, gate: gate) }).value else { return }
                        let done = outcomes.record(outcome, for: unit)
                        for (offset, (_, action)) in unit.actions.enumerated() { report(done - unit.actions.count + offset + 1, total, action.json) }
                    }
                }
            }
            if Task.isCancelled { break }
        }
        let finished = outcomes.all
        var applied: [JSON] = []
        var failed: [JSON] = []
        var notStarted: [JSON] = []
        for (index, action) in plan.actions.enumerated() {
            var entry = action.json.objectValue ?? [:]
            switch finished[index] {
            case .applied(let result)?:
                entry["result"] = result
                applied.append(.object(entry))
            case .failed(let error)?:
                entry["error"] = error.json
                failed.append(.object(entry))
            case nil:
                notStarted.append(.object(entry))
            }
        }
        if !notStarted.isEmpty {
            throw RPCError(code: RPCError.requestCancelledCode,
                           message: "Request cancelled: \(applied.count) of \(total) actions were applied and \(failed.count) failed before the cancel; \(notStarted.count) were not started (data.applied, data.failed, data.not_started)",
                           data: ["retryable": false, "applied": .array(applied), "failed": .array(failed), "not_started": .array(notStarted)])
        }
        return ["applied": .array(applied), "failed": .array(failed), "unchanged": .number(JSONNumber(plan.unchanged)), "summary": .object(plan.summary)]
    }

    /// A phase's actions as units: one each, but a group's changes together.
    static func units(_ actions: [PlannedAction], phase: Int) -> [Unit] {
        var units: [Unit] = []
        var byGroup: [String: Int] = [:]
        for (index, action) in actions.enumerated() where action.kind.phase == phase {
            if let group = action.fields["group_id"]?.stringValue, action.kind == .addToGroup || action.kind == .removeFromGroup {
                if let at = byGroup[group] {
                    units[at] = Unit(actions: units[at].actions + [(index, action)])
                    continue
                }
                byGroup[group] = units.count
            }
            units.append(Unit(actions: [(index, action)]))
        }
        return units
    }

    /// The unit's outcome, or nil when the cancel kept it from being sent.
    func execute(_ unit: Unit, client: TiledeskClient, gate: StartGate) async -> Outcome? {
        do {
            return .applied(try await send(unit, client: client))
        } catch is CancellationError where gate.isClosed {
            return nil
        } catch {
            return .failed(wireError(from: error))
        }
    }

    /// The one request of a unit.
    func send(_ unit: Unit, client: TiledeskClient) async throws -> JSON {
        let first = unit.actions[0].action
        func id(_ key: String) -> String { first.fields[key]?.stringValue ?? "" }
        switch first.kind {
        case .invite:
            var body: JSONObject = ["email": .string(first.email), "role": first.fields["role"] ?? "agent"]
            if let available = first.fields["user_available"] { body["user_available"] = available }
            return try await client.invite(.invite(projectID, body: body)).json
        case .restore:
            return try await client.send(.restoreTeammate(projectID, id("project_user_id")))
        case .update:
            var body = JSONObject()
            for (field, change) in first.changes { body[field] = change["to"] ?? .null }
            if let max = body["max_assigned_chat"] { body["max_served_chat"] = max }
            return try await client.send(.updateTeammate(projectID, id("project_user_id"), body: body))
        case .updateInvitation:
            return try await client.send(.updateInvitation(projectID, id("invitation_id"), email: first.email,
                                                           role: first.changes["role"]?["to"]?.stringValue ?? "agent"))
        case .cancelInvitation:
            return try await client.send(.cancelInvitation(projectID, id("invitation_id")))
        case .disable, .trash:
            return try await client.send(.removeTeammate(projectID, id("project_user_id"), mode: first.kind == .disable ? .disable : .trash))
        case .addToGroup, .removeFromGroup:
            let groupID = id("group_id")
            var members = snapshot.groups.first { $0["_id"]?.stringValue == groupID }?["members"]?.arrayValue ?? []
            for (_, action) in unit.actions {
                let user = [action.fields["user_id"]?.stringValue ?? ""]
                members = action.kind == .addToGroup ? GroupMethods.members(members, adding: user) : GroupMethods.members(members, removing: user)
            }
            return try await client.send(.updateGroup(projectID, groupID, body: ["members": .array(members)]))
        }
    }
}
