import Foundation
import HTTPCore
import JSONRPC
import TiledeskAPI
import TiledeskRPC
import TiledeskSandbox

/// The composition root: wires a configuration to a method table. The transport (URLSession,
/// or the in-memory sandbox) goes under the same resilient client path, with the credentials
/// and the default project.
enum Composition {
    static func methodTable(configuration config: Configuration, log: DiagnosticLog) -> MethodTable {
        MethodRegistry.methodTable(context: context(configuration: config, log: log))
    }

    static func context(configuration config: Configuration, log: DiagnosticLog) -> MethodContext {
        let base: any HTTPTransport
        var token = config.token
        var projectID = config.projectID?.lowercased()  // one spelling of an ObjectId (see ParamSchema.canonical)
        if config.sandbox {
            base = Sandbox(seeded: true)
            if token == nil, config.email == nil { token = SandboxSeed.ownerToken }
            if projectID == nil { projectID = SandboxSeed.projectID }
        } else {
            base = URLSessionTransport(apiRoot: URL(string: config.apiURL)!, timeout: config.timeout, maxConnections: config.maxConcurrency)
        }
        let resilient = ResilientTransport(
            base: base,
            policy: .init(retries: config.retries, rateLimitWait: config.rateLimitWait),
            maxConcurrency: config.maxConcurrency,
            limiter: RateLimiter(maxRate: config.maxRate, log: log),
            log: log)
        // The sandbox's delay stands for the network: it holds no concurrency slot, and the
        // timeout cuts it.
        let transport: any HTTPTransport = config.sandbox && config.sandboxLatency > 0
            ? DelayedTransport(base: resilient, seconds: config.sandboxLatency, timeout: config.timeout) : resilient
        let auth = Authenticator(token: token, email: config.email, password: config.password, log: log)
        let client = TiledeskClient(apiRoot: config.apiURL, transport: transport, auth: auth, log: log, userAgent: ProductInfo.userAgent)
        return MethodContext(client: client, defaultProjectID: projectID, isSandbox: config.sandbox, watchInterval: config.watchInterval)
    }
}
