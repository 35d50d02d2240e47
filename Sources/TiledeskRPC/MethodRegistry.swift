import JSONCore
import JSONRPC
import TiledeskAPI

/// The one list of methods. Adding a method: see "Adding a method" in protocol/README.md.
public enum MethodRegistry {
    /// Every method the OpenRPC document describes, in document order.
    public static let specs: [MethodSpec] = [ProtocolMethods.ping] + UserMethods.all + TeamMethods.all

    public static func spec(named name: String) -> MethodSpec? { specs.first { $0.name == name } }

    /// The dispatch table: every spec, `rpc.discover`, and the MCP face.
    public static func methodTable(context: MethodContext) -> MethodTable {
        var table = MethodTable()
        for spec in specs {
            if spec.name == "ping" {
                table.registerInline("ping") { _ in [:] }
            } else {
                table.register(spec.name) { request in try await spec.invoke(request.params, context: context) }
            }
        }
        let document = OpenRPCDocument.json
        table.registerInline("rpc.discover") { _ in document }
        MCPServer.register(into: &table, context: context)
        return table
    }
}
