import JSONCore
import TiledeskAPI

/// The OpenRPC 1.3 document, generated from the method specs: `rpc.discover` returns it and
/// `protocol/openrpc.json` is this output, committed (a test keeps the two equal).
public enum OpenRPCDocument {
    public static let json: JSON = build()

    static let errorMessages: [Int: String] = [
        -32700: "Parse error", -32600: "Invalid Request", -32601: "Method not found",
        -32602: "Invalid params (data.field names the offending param)", -32603: "Internal error",
        -32800: "Request cancelled",
        401: "Not authenticated: no credentials configured, or HTTP 401",
        403: "Forbidden: HTTP 403 (not a member, role too low, inviting oneself) or a safety refusal of the bridge",
        404: "Not found: HTTP 404, or a teammate that is not in project_id",
        409: "Conflict: already a member, pending invitation exists, or not trashed",
        429: "Rate limited after waiting; data.retry_after in seconds when known",
        502: "Bad upstream answer: a failing status, an HTML or malformed body, or success: false",
        503: "Upstream unreachable, or 502/503/504 after retries",
        504: "Upstream timeout",
    ]

    static func build() -> JSON {
        let methods: [JSON] = MethodRegistry.specs.map(method)
        return [
            "openrpc": "1.3.2",
            "info": [
                "title": "tiledesk-rpc",
                "version": .string(ProductInfo.version),
                "description": "Tiledesk user and team management over line-delimited JSON-RPC 2.0 on stdio. Errors -32768..-32000 keep their JSON-RPC meaning; Tiledesk failures use codes that mirror HTTP, with data.retryable always present and, for upstream failures, data.http_status, data.upstream, data.tiledesk_code and data.request. See protocol/README.md.",
                "license": ["name": "MIT"],
            ],
            "methods": .array(methods),
        ]
    }

    static func method(_ spec: MethodSpec) -> JSON {
        let params: [JSON] = spec.params.map { param in
            var schema = param.schema.json.objectValue ?? [:]
            schema["description"] = .string(param.description)
            return ["name": .string(param.name), "description": .string(param.description),
                    "required": .bool(param.required), "schema": .object(schema)]
        }
        let errors: [JSON] = spec.errors.map { code in
            ["code": .number(JSONNumber(code)), "message": .string(errorMessages[code] ?? "Error")]
        }
        let examples: [JSON] = spec.examples.map { example in
            [
                "name": .string(example.name),
                "params": .array(example.params.map { ["name": .string($0.key), "value": $0.value] }),
                "result": ["name": .string(spec.resultName), "value": example.result],
            ]
        }
        var object: JSONObject = [
            "name": .string(spec.name),
            "summary": .string(spec.summary),
            "description": .string(spec.description),
            "paramStructure": "by-name",
            "params": .array(params),
            "result": ["name": .string(spec.resultName), "schema": spec.resultSchema],
        ]
        if !errors.isEmpty { object["errors"] = .array(errors) }
        object["examples"] = .array(examples)
        return .object(object)
    }
}
