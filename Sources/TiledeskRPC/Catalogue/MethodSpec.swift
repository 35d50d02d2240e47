import JSONCore
import JSONRPC
import TiledeskAPI

/// What a method handler may use: the Tiledesk client and the configured default project.
public struct MethodContext: Sendable {
    public let client: TiledeskClient
    public let defaultProjectID: String?

    public init(client: TiledeskClient, defaultProjectID: String?) {
        self.client = client
        self.defaultProjectID = defaultProjectID
    }

    /// The context of one call: its client counts the call's own upstream requests
    /// (`TiledeskClient.forCall()`).
    func forCall() -> MethodContext { MethodContext(client: client.forCall(), defaultProjectID: defaultProjectID) }
}

/// One named parameter of a method.
public struct Param: Sendable {
    public let name: String
    public let schema: ParamSchema
    public let required: Bool
    public let description: String

    public init(_ name: String, _ schema: ParamSchema, required: Bool = false, _ description: String) {
        self.name = name
        self.schema = schema
        self.required = required
        self.description = description
    }
}

/// A worked example from the sandbox: published in the OpenRPC document and checked by the tests.
public struct Example: Sendable {
    public let name: String
    public let params: JSONObject
    /// A subset of the sandbox's answer (the matching rule of protocol/vectors/README.md).
    public let result: JSON
    /// Calls that bring a fresh sandbox to the state the example starts from.
    public let setup: [(method: String, params: JSONObject)]

    init(name: String, params: JSONObject, result: JSON, setup: [(method: String, params: JSONObject)] = []) {
        self.name = name
        self.params = params
        self.result = result
        self.setup = setup
    }
}

/// Everything about one method, in one place: its params (validation, OpenRPC and MCP schema
/// all come from them), its documentation, the errors it may return, and its handler.
public struct MethodSpec: Sendable {
    public enum Effect: Sendable {
        case read
        /// Changes data; accepts `dry_run`.
        case write
        /// Removes access or data; accepts `dry_run`.
        case destructive
    }

    public let name: String
    public let summary: String
    public let description: String
    public let params: [Param]
    public let resultName: String
    public let resultSchema: JSON
    public let errors: [Int]
    public let effect: Effect
    public let idempotent: Bool
    public let examples: [Example]
    /// Whether the method is offered as an MCP tool (not `auth.signin`: credentials are configuration).
    public let isTool: Bool
    let run: @Sendable (Params, MethodContext) async throws -> JSON

    init(_ name: String, summary: String, description: String, params: [Param], result: (String, JSON), errors: [Int],
         effect: Effect = .read, idempotent: Bool = true, isTool: Bool = true, examples: [Example],
         run: @escaping @Sendable (Params, MethodContext) async throws -> JSON)
    {
        self.name = name
        self.summary = summary
        self.description = description
        self.params = effect == .read ? params : params + [Param("dry_run", .boolean, "Validate and check as the real call would, but send no change; the result describes the request instead.")]
        self.resultName = result.0
        self.resultSchema = result.1
        self.errors = errors
        self.effect = effect
        self.idempotent = idempotent
        self.isTool = isTool
        self.examples = examples
        self.run = run
    }

    /// The JSON Schema of the params object: the OpenRPC params and the MCP `inputSchema` alike.
    public var paramsSchema: JSON {
        var properties = JSONObject()
        for param in params {
            var schema = param.schema.json.objectValue ?? [:]
            schema["description"] = .string(param.description)
            properties[param.name] = .object(schema)
        }
        var object: JSONObject = ["type": "object", "properties": .object(properties)]
        let required = params.filter(\.required).map { JSON.string($0.name) }
        if !required.isEmpty { object["required"] = .array(required) }
        object["additionalProperties"] = false
        return .object(object)
    }

    /// Validates raw params and runs the handler.
    public func invoke(_ raw: JSON?, context: MethodContext) async throws -> JSON {
        let params = try validate(raw)
        return try await run(params, context.forCall())
    }

    /// Params by name, checked against the schema: unknown members, types, formats, required ones.
    public func validate(_ raw: JSON?) throws(RPCError) -> Params {
        let object: JSONObject
        switch raw {
        case nil, .null?: object = [:]
        case .array(let items)? where items.isEmpty: object = [:]
        case .array?: throw .invalidParams("\(name) takes params by name, as an object", field: "params")
        case .object(let o)?: object = o
        default: throw .invalidParams("params must be an object", field: "params")
        }
        for (key, value) in object {
            guard let param = params.first(where: { $0.name == key }) else {
                let allowed = params.map(\.name).joined(separator: ", ")
                throw .invalidParams("unknown param \"\(key)\" for \(name) (allowed: \(allowed.isEmpty ? "none" : allowed))", field: key)
            }
            try param.schema.validate(value, field: key)
        }
        for param in params where param.required && object[param.name] == nil {
            throw .invalidParams("\(param.name) is required", field: param.name)
        }
        return Params(object)
    }
}

/// Validated params, with typed accessors.
public struct Params: Sendable {
    public let object: JSONObject
    init(_ object: JSONObject) { self.object = object }

    public subscript(name: String) -> JSON? { object[name] }
    public func string(_ name: String) -> String? { object[name]?.stringValue }
    public func bool(_ name: String) -> Bool? { object[name]?.boolValue }
    public var dryRun: Bool { bool("dry_run") == true }

    /// `project_id`, or the configured default; -32602 when neither exists.
    public func projectID(_ context: MethodContext) throws(RPCError) -> String {
        if let id = string("project_id") { return id }
        if let id = context.defaultProjectID { return id }
        throw .invalidParams("project_id is required: pass it, or configure a default with --project-id or TILEDESK_PROJECT_ID",
                             field: "project_id")
    }

    /// Copies the named params that are present into `body`, under the same names.
    public func copy(_ names: [String], into body: inout JSONObject) {
        for name in names { if let value = object[name] { body[name] = value } }
    }
}

extension Param {
    static let projectID = Param("project_id", .string(format: .objectID),
                                 "The project (24-hex id). Optional when a default project is configured.")
    static let projectUserID = Param("project_user_id", .string(format: .objectID), required: true,
                                     "The teammate's id in the project (a project_user `_id`, 24-hex).")
}
