import Foundation
import JSONRPC
import TiledeskAPI
import TiledeskRPC

/// Everything the bridge is told at start, from flags over environment (README "Configuration").
struct Configuration: Sendable, Equatable {
    static let defaultAPIURL = "https://api.tiledesk.com/v3"

    var apiURL = Configuration.defaultAPIURL
    var token: String?
    var email: String?
    var password: String?
    var projectID: String?
    var sandbox = false
    /// Seconds every sandbox answer is delayed (to try timeouts and cancellation offline).
    var sandboxLatency: Double = 0
    var timeout: Double = 30
    var retries = 2
    var maxConcurrency = 8
    var maxRate: Double?
    var rateLimitWait: Double = 120
    var maxLineBytes = 4_194_304
    var framing = FramingMode.auto
    /// Seconds between polls of an MCP resource subscription.
    var watchInterval: Double = 30
    var logLevel = DiagnosticLog.Level.warn
    var allowInsecureHTTP = false

    init() {}

    /// What the command line asked for.
    enum Action: Equatable, Sendable {
        case serve(Configuration)
        /// `call …` or `doctor`, configured by the flags before it; `arguments` are the words after it.
        case shell(ShellCommand, Configuration, arguments: [String])
        case printHelp
        case printVersion
    }

    /// A bad flag or value: the bridge prints `message` on one line and exits 2.
    struct UsageError: Error, Equatable, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
