import JSONCore
import TiledeskAPI

/// The OpenRPC 1.3 document, generated from the registry: `rpc.discover` returns it and
/// `protocol/openrpc.json` is this output, committed (a test keeps the two equal). The clients are
/// generated from it: groups are `tags`, result types `components.schemas`, and each method says
/// which Tiledesk routes it calls (`x-http`), whether it changes anything (`x-effect`), the name
/// of what it answers (`x-result-type`), whether MCP offers it as a tool (`x-mcp-tool`) and whether
/// it reports progress for a progress token (`x-progress`).
public enum OpenRPCDocument {
    public static let json: JSON = build()

    static let errorMessages: [Int: String] = [
        -32700: "Parse error", -32600: "Invalid Request", -32601: "Method not found",
        -32602: "Invalid params (data.field names the offending param)", -32603: "Internal error",
        -32800: "Request cancelled",
        401: "Not authenticated: no credentials configured, or HTTP 401",
        403: "Forbidden: HTTP 403 (not a member, role too low, inviting oneself) or a safety refusal of the bridge",
        404: "Not found: HTTP 404, or an object that is not in project_id",
        409: "Conflict: already a member, pending invitation exists, not trashed, or in use",
        429: "Rate limited after waiting; data.retry_after in seconds when known",
        502: "Bad upstream answer: a failing status, an HTML or malformed body, or success: false",
        503: "Upstream unreachable, or 502/503/504 after retries",
        504: "Upstream timeout",
    ]

    static func build() -> JSON {
        var tags = JSONObject()
        for group in MethodRegistry.groups {
            tags[group.name] = ["name": .string(group.name), "description": .string(group.summary)]
        }
        var schemas = JSONObject()
        for spec in MethodRegistry.specs {
            for type in resultTypes(spec) where schemas[type.name] == nil { schemas[type.name] = type.schema }
        }
        return [
            "openrpc": "1.3.2",
            "info": [
                "title": .string(ProductInfo.name),
                "version": .string(ProductInfo.version),
                "description": "Tiledesk user and team management over JSON-RPC 2.0 on stdio. Errors -32768..-32000 keep their JSON-RPC meaning; Tiledesk failures use codes that mirror HTTP, with data.retryable always present and, for upstream failures, data.http_status, data.upstream, data.tiledesk_code, data.request and data.api_url. See protocol/README.md.",
                "license": ["name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"],
            ],
            "methods": .array(MethodRegistry.specs.map(method)),
            "components": ["tags": .object(tags), "schemas": .object(schemas)],
        ]
    }

    /// Every named type a method's result refers to, its dry-run answer included.
    static func resultTypes(_ spec: MethodSpec) -> [ResultType] {
        spec.result.type.closure + (spec.effect == .read ? [] : spec.dryRunResult.closure)
    }

    /// A method's result schema: its shape, or for a changing method the shape or a dry-run answer.
    static func resultSchema(_ spec: MethodSpec) -> JSON {
        spec.effect == .read ? spec.result.schema : ["oneOf": [spec.result.schema, spec.dryRunResult.ref]]
    }

    static func method(_ spec: MethodSpec) -> JSON {
        let params: [JSON] = spec.params.map { param in
            ["name": .string(param.name), "description": .string(param.description),
             "required": .bool(param.required), "schema": param.documentedSchema]
        }
        let errors: [JSON] = spec.errors.map { code in
            ["code": .number(JSONNumber(code)), "message": .string(errorMessages[code] ?? "Error")]
        }
        let resultName = resultContentName(spec.result)
        let examples: [JSON] = spec.examples.map { example in
            [
                "name": .string(example.name),
                "params": .array(example.params.map { ["name": .string($0.key), "value": $0.value] }),
                "result": ["name": .string(resultName), "value": example.result],
            ]
        }
        var object: JSONObject = [
            "name": .string(spec.name),
            "summary": .string(spec.summary),
            "description": .string(spec.description),
            "tags": [["$ref": .string("#/components/tags/\(MethodRegistry.group(of: spec).name)")]],
            "paramStructure": "by-name",
            "params": .array(params),
            "result": ["name": .string(resultName), "schema": resultSchema(spec)],
        ]
        if !errors.isEmpty { object["errors"] = .array(errors) }
        object["examples"] = .array(examples)
        if !spec.routes.isEmpty { object["x-http"] = .array(spec.routes.map { .string($0.description) }) }
        object["x-effect"] = .string(spec.effect.rawValue)
        object["x-result-type"] = .string(spec.result.typeName)
        object["x-mcp-tool"] = .bool(spec.isTool)
        if spec.reportsProgress { object["x-progress"] = true }
        return .object(object)
    }

    /// The result's name in the document: the type's, lower camel case, plural for a list.
    static func resultContentName(_ shape: ResultShape) -> String {
        let name = shape.type.name
        let lower = name.prefix(1).lowercased() + name.dropFirst()
        if case .list = shape { return lower + "s" }
        return lower
    }
}
