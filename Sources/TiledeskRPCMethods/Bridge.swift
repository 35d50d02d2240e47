import Foundation
import JSONRPC
import TiledeskAPI
import TiledeskSandbox

/// Wires a configuration to a method table: the transport (URLSession, or the embedded
/// emulator in sandbox mode) under the same resilient client path, the credentials and
/// the default project.
public enum Bridge {
    public static func methodTable(configuration config: Configuration, log: Logger) -> MethodTable {
        MethodRegistry.methodTable(context: context(configuration: config, log: log))
    }

    public static func context(configuration config: Configuration, log: Logger) -> MethodContext {
        let base: any HTTPTransport
        var token = config.token
        var projectID = config.projectID
        if config.sandbox {
            base = TiledeskEmulator(seeded: true)
            if token == nil, config.email == nil { token = SandboxSeed.ownerToken }
            if projectID == nil { projectID = SandboxSeed.projectID }
        } else {
            base = URLSessionTransport(apiRoot: URL(string: config.apiURL)!, timeout: config.timeout, maxConnections: config.maxConcurrency)
        }
        let resilient = ResilientTransport(
            base: base,
            policy: .init(retries: config.retries, rateLimitWait: config.rateLimitWait),
            maxConcurrency: config.maxConcurrency,
            limiter: RateLimiter(maxRate: config.maxRate),
            log: log)
        // The sandbox's delay stands for the network, so it holds no concurrency slot.
        let transport: any HTTPTransport = config.sandbox && config.sandboxLatency > 0
            ? DelayedTransport(base: resilient, seconds: config.sandboxLatency) : resilient
        let auth = Authenticator(token: token, email: config.email, password: config.password, log: log)
        let client = TiledeskClient(apiRoot: config.apiURL, transport: transport, auth: auth, log: log)
        return MethodContext(client: client, defaultProjectID: projectID)
    }
}

/// Delays every answer of another transport (`--sandbox-latency`), to try timeouts and
/// cancellation offline.
struct DelayedTransport: HTTPTransport {
    let base: any HTTPTransport
    let seconds: Double

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        } catch {
            throw TransportError.cancelled
        }
        return try await base.send(request)
    }
}
