import JSONCore
import JSONRPC
import TiledeskAPI

/// The one list of method groups; everything else (dispatch, `rpc.discover`, the MCP tools, the
/// clients, the README table) is derived from it. Adding a method or a group: protocol/README.md,
/// "Adding a method".
public enum MethodRegistry {
    public static let groups: [any MethodGroup.Type] = [
        ProtocolMethods.self, AuthMethods.self, UserMethods.self, ProjectMethods.self, TeamMethods.self, InvitationMethods.self,
        GroupMethods.self, DepartmentMethods.self, RoleMethods.self, ActivityMethods.self, SandboxMethods.self,
    ]

    /// Every method, in document order.
    public static let specs: [MethodSpec] = groups.flatMap { $0.methods }

    public static func spec(named name: String) -> MethodSpec? { specs.first { $0.name == name } }

    /// The group a method belongs to.
    static func group(of spec: MethodSpec) -> any MethodGroup.Type {
        groups.first { group in group.methods.contains { $0.name == spec.name } }!
    }

    /// The dispatch table: every spec, `rpc.discover`, and the MCP face.
    public static func methodTable(context: MethodContext) -> MethodTable {
        var table = MethodTable()
        for spec in specs {
            switch spec.run {
            case .inline(let handler):
                table.registerInline(spec.name) { request in try handler(try spec.validate(request.params)) }
            case .async:
                table.register(spec.name) { request, control in
                    try await spec.invoke(request.params, context: context.forCall(control: control, progress: .jsonRPC(request.params)))
                }
            }
        }
        let document = OpenRPCDocument.json
        table.registerInline("rpc.discover") { _ in document }
        MCPServer.register(into: &table, context: context)
        return table
    }
}
