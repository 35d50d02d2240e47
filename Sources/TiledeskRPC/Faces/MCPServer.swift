import JSONCore
import JSONRPC
import TiledeskAPI

/// The Model Context Protocol face over the same stdio: `initialize`,
/// `notifications/initialized`, `tools/list` and `tools/call` (one tool per Tiledesk method but
/// `auth.signin`: credentials are configuration), and the team as a resource (`TeamResource`).
public enum MCPServer {
    /// Newest first; an unknown requested version is answered with the newest.
    public static let supportedVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]

    /// The tool name of a method: dots become underscores (`team.getByUser` → `team_getByUser`).
    public static func toolName(_ method: String) -> String { method.replacingDots() }

    public static var tools: [MethodSpec] { MethodRegistry.specs.filter(\.isTool) }

    static func register(into table: inout MethodTable, context: MethodContext) {
        table.registerInline("initialize") { request in
            let requested = request.params?["protocolVersion"]?.stringValue ?? ""
            let version = supportedVersions.contains(requested) ? requested : supportedVersions[0]
            return [
                "protocolVersion": .string(version),
                "capabilities": ["tools": ["listChanged": false], "resources": ["subscribe": true, "listChanged": false]],
                "serverInfo": ["name": .string(ProductInfo.name), "title": "Tiledesk team management", "version": .string(ProductInfo.version)],
                "instructions": .string(instructions),
            ]
        }
        table.registerInline("notifications/initialized") { _ in [:] }
        let list = toolList
        table.registerInline("tools/list") { _ in list }
        table.register("tools/call") { request, control in
            let progress = request.params?["_meta"]?["progressToken"].map(MethodContext.Progress.mcp)
            return try await call(request.params, context: context.forCall(control: control, progress: progress))
        }
        table.registerCancellation("notifications/cancelled", idParam: "requestId", answersCancelled: false)
        TeamResource.register(into: &table, context: context)
    }

    static let toolList: JSON = .object(["tools": .array(tools.map(tool))])

    /// What the server offers, in the agent's terms: each group and its tools, from the registry.
    static let instructions: String = {
        var lines = ["Tools for one Tiledesk account. project_id is optional when a default project is configured. Every changing tool accepts dry_run: true to check first."]
        for group in MethodRegistry.groups {
            let names = group.methods.filter(\.isTool).map { toolName($0.name) }
            if !names.isEmpty { lines.append("\(group.summary) (\(names.joined(separator: ", ")))") }
        }
        return lines.joined(separator: "\n")
    }()

    /// `text` with every method name written as the agent sees the tool (`team.update` → `team_update`).
    static func inToolTerms(_ text: String) -> String {
        var out = text
        for name in MethodRegistry.specs.map(\.name).sorted(by: { $0.count > $1.count }) {
            out = out.replacingOccurrences(of: name, with: toolName(name))
        }
        return out
    }

    /// The JSON Schema of a tool's `structuredContent`: always an object (a list is `{"items": [...]}`),
    /// for a changing tool either its result or a dry-run answer.
    static func outputSchema(_ spec: MethodSpec) -> JSON {
        let result: JSON = switch spec.result {
        case .one(let type): type.inlined
        case .list(let type): ["type": "object", "properties": ["items": ["type": "array", "items": type.inlined]], "required": ["items"]]
        }
        guard spec.effect != .read else { return result }
        return ["type": "object", "oneOf": [result, spec.dryRunResult.inlined]]
    }

    static func tool(_ spec: MethodSpec) -> JSON {
        var annotations: JSONObject = [
            "title": .string(spec.summary),
            "readOnlyHint": .bool(spec.effect == .read),
            "openWorldHint": true,
        ]
        if spec.effect != .read {
            annotations["destructiveHint"] = .bool(spec.effect == .destructive)
            annotations["idempotentHint"] = .bool(spec.idempotent)
        }
        return [
            "name": .string(toolName(spec.name)),
            "title": .string(spec.summary),
            "description": .string(inToolTerms(spec.description)),
            "inputSchema": spec.paramsSchema,
            "outputSchema": outputSchema(spec),
            "annotations": .object(annotations),
        ]
    }

    /// Runs a tool. Tiledesk and validation failures are results with `isError: true` and a
    /// message that says what to fix; an unknown tool is a protocol error (-32602).
    static func call(_ params: JSON?, context: MethodContext) async throws -> JSON {
        guard let name = params?["name"]?.stringValue else {
            throw RPCError.invalidParams("tools/call needs the tool's name", field: "name")
        }
        guard let spec = tools.first(where: { toolName($0.name) == name }) else {
            throw RPCError.invalidParams("unknown tool \(name)", field: "name")
        }
        let arguments = params?["arguments"] ?? .object([:])
        do {
            let result = try await spec.invoke(arguments, context: context, as: name)
            let structured: JSON = result.objectValue != nil ? result : ["items": result]
            return [
                "content": [["type": "text", "text": .string(JSONWriter.string(result))]],
                "structuredContent": structured,
                "isError": false,
            ]
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let wire = wireError(from: error)
            if wire.code == RPCError.requestCancelledCode { throw wire }
            var text = "Error \(wire.code): \(inToolTerms(wire.message))"
            if let field = wire.data?["field"]?.stringValue { text += " (param: \(field))" }
            return [
                "content": [["type": "text", "text": .string(text)]],
                "structuredContent": ["error": wire.json],
                "isError": true,
            ]
        }
    }
}

extension String {
    fileprivate func replacingDots() -> String { String(map { $0 == "." ? "_" : $0 }) }
}
