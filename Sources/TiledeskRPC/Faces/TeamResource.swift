import JSONCore
import JSONRPC
import Synchronization
import TiledeskAPI

/// The team as an MCP resource, `tiledesk://projects/{project_id}/team`: `resources/list` offers the
/// default project's, `resources/read` answers the team and its pending invitations as JSON, and
/// `resources/subscribe` starts a watch (every `--watch-interval` seconds) whose changes send
/// `notifications/resources/updated`.
enum TeamResource {
    static let prefix = "tiledesk://projects/"
    static let suffix = "/team"
    /// MCP's code for a resource that does not exist.
    static let notFoundCode = -32002

    static func uri(_ projectID: String) -> String { prefix + projectID + suffix }

    /// The project a team URI names; -32002 for any other URI.
    static func projectID(_ params: JSON?) throws(RPCError) -> String {
        guard let uri = params?["uri"]?.stringValue else { throw .invalidParams("give the resource's uri", field: "uri") }
        guard uri.hasPrefix(prefix), uri.hasSuffix(suffix) else {
            throw RPCError(code: notFoundCode, message: "Resource not found: \(uri) (resources are \(prefix){project_id}\(suffix))",
                           data: ["retryable": false, "uri": .string(uri)])
        }
        let id = String(uri.dropFirst(prefix.count).dropLast(suffix.count))
        guard Validation.isObjectID(id) else {
            throw RPCError(code: notFoundCode, message: "Resource not found: \(uri) (the project id is 24 hexadecimal characters)",
                           data: ["retryable": false, "uri": .string(uri)])
        }
        return id
    }

    static func register(into table: inout MethodTable, context: MethodContext) {
        let listed: [JSON] = context.defaultProjectID.map { [describe($0)] } ?? []
        table.registerInline("resources/list") { _ in ["resources": .array(listed)] }
        table.registerInline("resources/templates/list") { _ in
            ["resourceTemplates": [[
                "uriTemplate": .string(prefix + "{project_id}" + suffix), "name": "team", "title": "A project's team",
                "description": "The teammates (trashed ones included) and pending invitations of a project.", "mimeType": "application/json",
            ]]]
        }
        table.register("resources/read") { request, _ in
            let projectID = try projectID(request.params)
            let team = try await context.client.send(.teammates(projectID, query: [("trashed", "true")]))
            let invitations = try await context.client.send(.invitations(projectID))
            let text = JSONWriter.string(["teammates": team, "invitations": invitations])
            return ["contents": [["uri": .string(uri(projectID)), "mimeType": "application/json", "text": .string(text)]]]
        }
        let subscriptions = Subscriptions()
        table.register("resources/subscribe") { request, control in
            let projectID = try projectID(request.params)
            let address = uri(projectID)
            let session = control.session
            let (id, _) = try await context.watches.watch(projectID: projectID, interval: context.watchInterval) { _, event in
                if case .changed = event { session.notify(method: "notifications/resources/updated", params: ["uri": .string(address)]) }
            }
            if let replaced = subscriptions.set(address, id) { _ = await context.watches.unwatch(replaced) }
            return [:]
        }
        table.register("resources/unsubscribe") { request, _ in
            let address = uri(try projectID(request.params))
            if let id = subscriptions.set(address, nil) { _ = await context.watches.unwatch(id) }
            return [:]
        }
    }

    static func describe(_ projectID: String) -> JSON {
        [
            "uri": .string(uri(projectID)), "name": "team", "title": "The team of the default project",
            "description": "The teammates (trashed ones included) and pending invitations, as JSON; subscribe to hear when they change.",
            "mimeType": "application/json",
        ]
    }

    /// The session's resource subscriptions: one watch per URI.
    final class Subscriptions: Sendable {
        private let byURI = Mutex<[String: String]>([:])

        /// Sets (or with nil clears) the watch of `uri`; answers the one it replaces.
        func set(_ uri: String, _ id: String?) -> String? {
            byURI.withLock { table in
                let old = table[uri]
                table[uri] = id
                return old
            }
        }
    }
}
