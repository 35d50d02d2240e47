/// Protocol methods the engine of every client offers itself: `ping`. (`rpc.discover` and the MCP
/// methods are faces of the whole catalogue, registered by `MethodRegistry`.)
enum ProtocolMethods: MethodGroup {
    static let name = "protocol"
    static let summary = "Liveness check, answered at once."

    static let ping = MethodSpec(
        "ping",
        summary: "Liveness check.",
        description: "Answers {} at once; touches nothing upstream. Takes no params.",
        params: [], result: .one(.empty), routes: [], errors: [-32602], isTool: false,
        examples: [Example("ping", params: [:], result: [:])], run: .inline { _ in [:] })

    static let methods = [ping]
}
