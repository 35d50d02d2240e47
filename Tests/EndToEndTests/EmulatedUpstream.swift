import EmulatorServer
import JSONCore
import TiledeskSandbox

/// A suite that runs the built bridge against the emulator served over loopback HTTP: the
/// helpers every such suite needs.
protocol EmulatedUpstream {
    /// The emulated Tiledesk, under `/v3`.
    var server: LoopbackHTTPServer { get }
}

extension EmulatedUpstream {
    static var project: String { SandboxSeed.projectID }
    static var alice: String { SandboxSeed.aliceTeammateID }

    /// `emulator` served over loopback HTTP under `/v3`, started.
    static func serve(_ emulator: Sandbox) throws -> LoopbackHTTPServer {
        let server = LoopbackHTTPServer(pathPrefix: "/v3", handler: emulator.handle)
        try server.start()
        return server
    }

    /// The bridge pointed at the emulator (or at `apiURL`), with the demo project and `token`.
    func bridge(_ extra: [String] = [], token: String? = SandboxSeed.ownerToken, apiURL: String? = nil,
                environment: [String: String] = [:]) throws -> BridgeProcess {
        var args = ["--api-url", apiURL ?? server.baseURL, "--project-id", Self.project]
        if let token { args += ["--token", token] }
        return try BridgeProcess(args + extra, environment: environment)
    }

    /// Sends one request and reads its answer.
    func call(_ bridge: BridgeProcess, _ id: Int, _ method: String, _ params: JSON = [:], timeout: Double = 30) -> JSON {
        bridge.send(["jsonrpc": "2.0", "id": .number(JSONNumber(id)), "method": .string(method), "params": params])
        return bridge.read(1, timeout: timeout).first ?? .null
    }

    /// The requests the emulator received with `method` under `pathPrefix`.
    func logged(_ method: String, _ pathPrefix: String) -> [LoggedRequest] {
        server.stats().log.filter { $0.method == method && $0.path.hasPrefix(pathPrefix) }
    }

    func rule(_ method: String, _ path: String, times: Int? = nil, _ action: FaultAction) -> FaultRule {
        FaultRule(match: FaultMatch(method: method, pathPrefix: path), times: times, action: action)
    }
}
