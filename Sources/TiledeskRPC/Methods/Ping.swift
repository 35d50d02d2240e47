import JSONCore
import JSONRPC

/// `ping` and `rpc.discover`.
enum ProtocolMethods {
    static let ping = MethodSpec(
        "ping",
        summary: "Liveness check.",
        description: "Answers {} at once; touches nothing upstream.",
        params: [],
        result: ("pong", ["type": "object", "additionalProperties": false]),
        errors: [],
        isTool: false,
        examples: [Example(name: "ping", params: [:], result: [:])]
    ) { _, _ in [:] }
}
