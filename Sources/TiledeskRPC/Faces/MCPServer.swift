import JSONCore
import JSONRPC
import TiledeskAPI

/// The Model Context Protocol face over the same stdio: `initialize`,
/// `notifications/initialized`, `tools/list` and `tools/call`. One tool per Tiledesk method
/// (not `auth.signin`: credentials are configuration), its input schema the method's params schema.
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
                "capabilities": ["tools": ["listChanged": false]],
                "serverInfo": ["name": "tiledesk-rpc", "title": "Tiledesk team management", "version": .string(ProductInfo.version)],
                "instructions": "Tools for one Tiledesk account: read the team (team_list, team_get), invite people (team_invite), change availability and roles (team_update, team_updateMe), remove and restore teammates (team_leave, team_restore). project_id is optional when a default project is configured. Every changing tool accepts dry_run: true to check first.",
            ]
        }
        table.registerInline("notifications/initialized") { _ in [:] }
        let list = toolList
        table.registerInline("tools/list") { _ in list }
        table.register("tools/call") { request in try await call(request.params, context: context) }
    }

    static let toolList: JSON = .object(["tools": .array(tools.map(tool))])

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
            "description": .string(spec.description),
            "inputSchema": spec.paramsSchema,
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
            let result = try await spec.invoke(arguments, context: context)
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
            var text = "Error \(wire.code): \(wire.message)"
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
