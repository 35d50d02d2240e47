import JSONCore
import JSONRPC
import TiledeskAPI

/// What a handler works with during one call: the Tiledesk client (counting this call's own
/// requests), the configured default project.
public struct MethodContext: Sendable {
    public let client: TiledeskClient
    public let defaultProjectID: String?
    /// Whether the client talks to the embedded sandbox (its control methods are served).
    public let isSandbox: Bool
    /// How often MCP resource subscriptions poll, in seconds (`--watch-interval`).
    public let watchInterval: Double
    /// The session's watches (`team.watch`, MCP resource subscriptions).
    let watches: WatchHub
    /// The JSON-RPC layer's handle on this call (nil outside a call).
    let control: CallControl?
    /// Where this call's progress goes (nil: nobody asked for it).
    let progress: Progress?

    public init(client: TiledeskClient, defaultProjectID: String?, isSandbox: Bool = false, watchInterval: Double = 30) {
        self.init(client: client, defaultProjectID: defaultProjectID, isSandbox: isSandbox, watchInterval: watchInterval,
                  watches: WatchHub(client: client.forBackground()), control: nil, progress: nil)
    }

    private init(client: TiledeskClient, defaultProjectID: String?, isSandbox: Bool, watchInterval: Double, watches: WatchHub,
                 control: CallControl?, progress: Progress?) {
        self.client = client
        self.defaultProjectID = defaultProjectID
        self.isSandbox = isSandbox
        self.watchInterval = watchInterval
        self.watches = watches
        self.control = control
        self.progress = progress
    }

    /// The context of one call: its client counts the call's own upstream requests, and once a
    /// change goes out a cancel can no longer claim nothing happened (`maybe_applied`).
    func forCall(control: CallControl?, progress: Progress?) -> MethodContext {
        var onSend: (@Sendable (Route) -> Void)? = nil
        if let control {
            onSend = { route in if !route.isRead { control.markMaybeApplied() } }
        }
        let client = self.client.forCall(onSend: onSend)
        return MethodContext(client: client, defaultProjectID: defaultProjectID, isSandbox: isSandbox, watchInterval: watchInterval,
                             watches: watches, control: control, progress: progress)
    }

    /// Reports how far a long call has got, if its caller asked (a progress token).
    func progress(done: Int, total: Int, message: String, detail: JSON) {
        guard let progress, let control else { return }
        switch progress {
        case .jsonRPC(let token):
            control.notify(method: "$/progress", params: ["token": token, "value": ["done": .number(JSONNumber(done)), "total": .number(JSONNumber(total)), "action": detail]])
        case .mcp(let token):
            control.notify(method: "notifications/progress", params: [
                "progressToken": token, "progress": .number(JSONNumber(done)), "total": .number(JSONNumber(total)), "message": .string(message),
            ])
        }
    }

    /// Who asked for progress, and how they hear it.
    enum Progress: Sendable {
        /// `$/progress` `{token, value: {done, total, action}}`.
        case jsonRPC(JSON)
        /// MCP's `notifications/progress` `{progressToken, progress, total, message}`.
        case mcp(JSON)

        /// The plain JSON-RPC way: a `_meta.progressToken` in the params.
        static func jsonRPC(_ params: JSON?) -> Progress? { params?["_meta"]?["progressToken"].map(Progress.jsonRPC) }
    }

    /// `project_id`, or the configured default; -32602 when neither exists.
    func projectID(_ params: Params) throws(RPCError) -> String {
        if let id = params[CommonParams.projectID] ?? defaultProjectID { return id }
        throw .invalidParams("project_id is required: pass it, or configure a default with --project-id or TILEDESK_PROJECT_ID",
                             field: "project_id")
    }

    /// Sends `endpoint`, or for a dry run answers what would be sent: `{"dry_run": true, "request"}`.
    /// Both come from the same value, so a dry run cannot describe a request that would not be sent.
    func perform(_ endpoint: Endpoint, dryRun: Bool) async throws -> JSON {
        if dryRun { return ["dry_run": true, "request": client.describe(endpoint)] }
        return try await client.send(endpoint)
    }

    /// The answer of a change that needs no request (it is already so): `result`, or for a dry
    /// run `{"dry_run": true, "request": null, "result": result}`: nothing would be sent.
    func alreadyDone(_ result: JSON, dryRun: Bool) -> JSON {
        dryRun ? ["dry_run": true, "request": .null, "result": result] : result
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

    init(_ name: String, params: JSONObject, result: JSON, setup: [(method: String, params: JSONObject)] = []) {
        self.name = name
        self.params = params
        self.result = result
        self.setup = setup
    }
}

/// Everything about one method, declared once: its params (validation, the OpenRPC params and the
/// MCP input schema all come from them), its result type, the Tiledesk routes it may call, its
/// documentation and examples, the errors it may return, and its handler. The method group that
/// lists it (`MethodGroup`) gives it its place in the registry and its OpenRPC tag.
public struct MethodSpec: Sendable {
    public enum Effect: String, Sendable {
        case read
        /// Changes data; accepts `dry_run`.
        case write
        /// Removes access or data; accepts `dry_run`.
        case destructive
    }

    public typealias Handler = @Sendable (Params, MethodContext) async throws -> JSON

    /// How the method runs.
    enum Run: Sendable {
        /// Answered at once on the reading thread: cheap, touches nothing upstream (`ping`).
        case inline(@Sendable (Params) throws -> JSON)
        /// A task of its own, concurrent and cancellable.
        case async(Handler)
    }

    public let name: String
    public let summary: String
    public let description: String
    public let params: [Param]
    public let result: ResultShape
    /// What a dry run answers (changing methods): the request it would send, unless the method
    /// says otherwise (`team.apply` answers its plan).
    public let dryRunResult: ResultType
    /// The Tiledesk routes the method may call (OpenRPC `x-http`); empty for protocol methods.
    public let routes: [Route]
    public let errors: [Int]
    public let effect: Effect
    public let idempotent: Bool
    public let examples: [Example]
    /// Whether the method is offered as an MCP tool (not `auth.signin`: credentials are configuration).
    public let isTool: Bool
    /// Whether it sends progress notifications for a `_meta.progressToken` (OpenRPC `x-progress`).
    public let reportsProgress: Bool
    let run: Run

    init(_ name: String, summary: String, description: String, params: [any ParamDeclaration], result: ResultShape,
         dryRunResult: ResultType = .dryRun, routes: [Route], errors: [Int], effect: Effect = .read, idempotent: Bool = true,
         isTool: Bool = true, reportsProgress: Bool = false, examples: [Example], run: @escaping Handler)
    {
        self.init(name, summary: summary, description: description, params: params, result: result, dryRunResult: dryRunResult,
                  routes: routes, errors: errors, effect: effect, idempotent: idempotent, isTool: isTool, reportsProgress: reportsProgress,
                  examples: examples, run: .async(run))
    }

    init(_ name: String, summary: String, description: String, params: [any ParamDeclaration], result: ResultShape,
         dryRunResult: ResultType = .dryRun, routes: [Route], errors: [Int], effect: Effect = .read, idempotent: Bool = true,
         isTool: Bool = true, reportsProgress: Bool = false, examples: [Example], run: Run)
    {
        self.name = name
        self.summary = summary
        self.description = description
        self.params = params.map(\.param) + (effect == .read ? [] : [CommonParams.dryRun.param])
        self.result = result
        self.dryRunResult = dryRunResult
        self.routes = routes
        self.errors = errors
        self.effect = effect
        self.idempotent = idempotent
        self.isTool = isTool
        self.reportsProgress = reportsProgress
        self.examples = examples
        self.run = run
    }

    /// The JSON Schema of the params object: the OpenRPC params and the MCP `inputSchema` alike.
    public var paramsSchema: JSON {
        var properties = JSONObject()
        for param in params { properties[param.name] = param.documentedSchema }
        var object: JSONObject = ["type": "object", "properties": .object(properties)]
        let required = params.filter(\.required).map { JSON.string($0.name) }
        if !required.isEmpty { object["required"] = .array(required) }
        object["additionalProperties"] = false
        return .object(object)
    }

    /// Validates raw params and runs the handler in `context` (a call's own, `forCall`).
    /// `caller` is the method's name as the caller knows it (an MCP tool name), for error messages.
    public func invoke(_ raw: JSON?, context: MethodContext, as caller: String? = nil) async throws -> JSON {
        let params = try validate(raw, as: caller)
        switch run {
        case .inline(let handler): return try handler(params)
        case .async(let handler): return try await handler(params, context)
        }
    }

    /// Params by name, checked against the declarations: unknown members, types, formats, required ones.
    public func validate(_ raw: JSON?, as caller: String? = nil) throws(RPCError) -> Params {
        let name = caller ?? self.name
        let object: JSONObject
        switch raw {
        case nil, .null?: object = [:]
        case .array(let items)? where items.isEmpty: object = [:]
        case .array?: throw .invalidParams("\(name) takes params by name, as an object", field: "params")
        case .object(let o)?: object = o
        default: throw .invalidParams("params must be an object", field: "params")
        }
        var checked = object
        for (key, value) in object {
            // MCP's reserved member (a progress token), accepted on every method.
            if key == "_meta", case .object = value { continue }
            guard let param = params.first(where: { $0.name == key }) else {
                let allowed = params.map(\.name).joined(separator: ", ")
                throw .invalidParams("unknown param \"\(key)\" for \(name) (allowed: \(allowed.isEmpty ? "none" : allowed))", field: key)
            }
            try param.schema.validate(value, field: key)
            checked[key] = param.schema.canonical(value)
        }
        for param in params where param.required && object[param.name] == nil {
            throw .invalidParams("\(param.name) is required", field: param.name)
        }
        return Params(checked)
    }
}

extension Param {
    /// The param's JSON Schema with its description, as OpenRPC and MCP publish it.
    var documentedSchema: JSON {
        var schema = self.schema.json.objectValue ?? [:]
        schema["description"] = .string(description)
        return .object(schema)
    }
}

/// Params many methods share.
enum CommonParams {
    static let projectID = OptionalParam<String>("project_id", .string(format: .objectID),
                                                 "The project (24-hex id). Optional when a default project is configured.")
    static let dryRun = OptionalParam<Bool>("dry_run", .boolean,
                                            "Validate and check as the real call would, but send no change; the result describes the request instead.")
}
