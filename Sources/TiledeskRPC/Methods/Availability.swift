import JSONCore
import JSONRPC
import TiledeskAPI

extension TeamMethods {
    static let departmentID = OptionalParam<String>("department_id", .string(format: .objectID),
                                                    "Only agents who take this department's chats (its group's members; a department without a group means the whole team).")
    static let departmentName = OptionalParam<String>("department", .string(minLength: 1, maxLength: 200),
                                                      "The same by the department's name (case aside), so one call answers \"who can take a Support chat?\".")

    /// Who can take a chat now, from the authoritative reads only: never the server's operators
    /// route (it can hang without answering) nor its unauthenticated availables route (it
    /// publishes emails and still lists trashed and disabled teammates).
    static let available = MethodSpec(
        "team.available",
        summary: "Who can take a chat now (optionally for a department).",
        description: "Answers {open, available, busy}: open from the project's operating hours; available = active, not trashed, available agents-team members who are not at their chat limit (of the department's group when department_id is given); busy = the same, but at their limit. Busy is the server's own isBusy flag (its chat limit, settings.max_agent_assigned_chat, or a teammate's max_assigned_chat when larger); routing's limit differs: it applies only while settings.chat_limit_on is on, and a teammate's own limit wins when smaller too. When open is false no chat is routed to anyone. A department routing to a disabled group is 409 and to a missing group 404, saying which; a department with a bot (id_bot) hands its chats to the bot first, which is not listed. Read-only.",
        params: [CommonParams.projectID, departmentID, departmentName], result: .one(.availability),
        routes: [.projectIsOpen, .teammates, .department, .group, .departments], errors: errors + [409],
        examples: [Example("who can take a chat in the demo project", params: [:],
                           result: ["open": true, "available": [["_id": "65f0000000000000000000b1"], ["_id": "65f0000000000000000000b3"]],
                                    "busy": [["_id": "65f0000000000000000000b2"]]])]
    ) { p, ctx in
        let projectID = try ctx.projectID(p)
        var result: JSONObject = [:]
        var members: Set<String>? = nil
        if p[departmentID] != nil, p[departmentName] != nil {
            throw RPCError.invalidParams("give department_id or department, not both", field: "department")
        }
        // The team first: a project that does not exist is 404 here (the operating-hours route,
        // outside the project checks, would answer 500).
        let team = try await ctx.client.send(.teammates(projectID, query: [("status", "active")])).arrayValue ?? []
        var department: JSON? = nil
        if let id = p[departmentID] { department = try await Guards.departmentInProject(ctx, projectID, id) }
        if let name = p[departmentName] { department = try await departmentNamed(ctx, projectID, name) }
        if let department, let id = department["_id"]?.stringValue {
            result["department"] = department
            if let groupID = department["id_group"]?.stringValue, !groupID.isEmpty {
                let group = try await routedGroup(ctx, projectID, groupID, department: id)
                result["group"] = group
                members = Set((group["members"]?.arrayValue ?? []).compactMap { $0.stringValue?.lowercased() })
            }
        }
        let open = try await isOpen(ctx, projectID)
        let candidates = team.filter { teammate in
            teammate["status"] == "active" && teammate["trashed"] != .bool(true) && teammate["roleType"].map { $0 == 1 } ?? true
                && teammate["user_available"] == .bool(true)
                && (members.map { set in Guards.userID(of: teammate).map { set.contains($0.lowercased()) } ?? false } ?? true)
        }
        result["open"] = .bool(open)
        result["available"] = .array(candidates.filter { $0["isBusy"] != .bool(true) })
        result["busy"] = .array(candidates.filter { $0["isBusy"] == .bool(true) })
        return .object(result)
    }

    /// The project's one department called `name` (case aside): 404 for none, -32602 for several.
    static func departmentNamed(_ ctx: MethodContext, _ projectID: String, _ name: String) async throws -> JSON {
        let departments = try await ctx.client.send(.departments(projectID)).arrayValue ?? []
        let named = departments.filter { $0["name"]?.stringValue?.lowercased() == name.lowercased() }
        guard named.count <= 1 else {
            throw RPCError.invalidParams("\(named.count) departments are named \"\(name)\"; give department_id", field: "department")
        }
        guard let department = named.first else {
            throw Refusal(.notFound, "no department of project \(projectID) is named \"\(name)\"", data: ["field": "department"])
        }
        return department
    }

    /// The department's group, as routing would use it: missing is 404, disabled 409.
    static func routedGroup(_ ctx: MethodContext, _ projectID: String, _ groupID: String, department: String) async throws -> JSON {
        let group: JSON
        do {
            group = try await ctx.client.send(.group(projectID, groupID))
        } catch let error as TiledeskError where error.kind == .notFound {
            throw Refusal(.notFound, "department \(department) routes to group \(groupID), which does not exist: no chat of it can be routed",
                          data: ["id": .string(groupID)])
        }
        if group["enabled"] == .bool(false) {
            throw Refusal(.conflict, "department \(department) routes to group \(groupID), which is disabled: no chat of it can be routed",
                          data: ["id": .string(groupID)])
        }
        return group
    }

    /// The project's operating hours, read from the server's own evaluation. A server that cannot
    /// evaluate them (malformed hours) answers an error, reported as such.
    static func isOpen(_ ctx: MethodContext, _ projectID: String) async throws -> Bool {
        let answer: JSON
        do {
            answer = try await ctx.client.send(.projectIsOpen(projectID))
        } catch let error as TiledeskError where error.kind == .badUpstream && (error.httpStatus ?? 0) >= 500 {
            let said = error.upstream?["msg"]?["msg"]?.stringValue ?? error.upstream?["error"]?["msg"]?.stringValue
            throw error.with(message: "Tiledesk could not evaluate the project's operating hours\(said.map { ": \($0)" } ?? "") (HTTP \(error.httpStatus ?? 0)); check them in the dashboard")
        }
        guard let open = answer["isopen"]?.boolValue else {
            throw TiledeskError(.badUpstream, "Tiledesk's operating-hours answer has no isopen", operation: Route.projectIsOpen.description, upstream: answer)
        }
        return open
    }
}
