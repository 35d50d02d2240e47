import Foundation
import HTTPCore
import JSONRPC
import TiledeskAPI
import TiledeskRPC

/// Flags over environment, checked at start: a bad one is a `UsageError` (one line, exit 2).
extension Configuration {
    /// Reads flags (`--flag value` or `--flag=value`) over the environment.
    static func parse(arguments: [String], environment: [String: String]) throws(UsageError) -> Action {
        var config = Configuration()
        try config.applyEnvironment(environment)
        var args = arguments[...]
        while let arg = args.popFirst() {
            var name = arg
            var inlineValue: String? = nil
            if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                name = String(arg[..<eq])
                inlineValue = String(arg[arg.index(after: eq)...])
            }
            func value() throws(UsageError) -> String {
                if let inlineValue { return inlineValue }
                guard let next = args.popFirst() else { throw UsageError(message: "\(name) needs a value") }
                return next
            }
            func noValue() throws(UsageError) {
                if inlineValue != nil { throw UsageError(message: "\(name) takes no value") }
            }
            switch name {
            case "--help", "-h": try noValue(); return .printHelp
            case "--version": try noValue(); return .printVersion
            case "--api-url": config.apiURL = try value()
            case "--token": config.token = try value()
            case "--project-id": config.projectID = try value()
            case "--sandbox": try noValue(); config.sandbox = true
            case "--sandbox-latency": config.sandboxLatency = try number(name, try value(), Bounds.sandboxLatency)
            case "--timeout": config.timeout = try number(name, try value(), Bounds.timeout)
            case "--retries": config.retries = try integer(name, try value(), Bounds.retries)
            case "--max-concurrency": config.maxConcurrency = try integer(name, try value(), Bounds.maxConcurrency)
            case "--max-rate": config.maxRate = try number(name, try value(), Bounds.maxRate)
            case "--rate-limit-wait": config.rateLimitWait = try number(name, try value(), Bounds.rateLimitWait)
            case "--max-line-bytes": config.maxLineBytes = try integer(name, try value(), Bounds.maxLineBytes)
            case "--watch-interval": config.watchInterval = try number(name, try value(), Bounds.watchInterval)
            case "--framing":
                let text = try value()
                guard let framing = FramingMode(rawValue: text) else { throw UsageError(message: "--framing must be auto, line or lsp, not \(text)") }
                config.framing = framing
            case "--log-level": config.logLevel = try logLevel(name, try value())
            case "--allow-insecure-http": try noValue(); config.allowInsecureHTTP = true
            default:
                if let command = ShellCommand(rawValue: arg) {  // the flags end where the command starts
                    try config.validate()
                    return .shell(command, config, arguments: Array(args))
                }
                throw UsageError(message: arg.hasPrefix("-") ? "unknown flag \(name) (see --help)" : "unexpected argument \(arg) (see --help)")
            }
        }
        try config.validate()
        return .serve(config)
    }

    private mutating func applyEnvironment(_ env: [String: String]) throws(UsageError) {
        func nonEmpty(_ key: String) -> String? { env[key].flatMap { $0.isEmpty ? nil : $0 } }
        if let v = nonEmpty("TILEDESK_API_URL") { apiURL = v }
        token = nonEmpty("TILEDESK_TOKEN")
        email = nonEmpty("TILEDESK_EMAIL")
        password = nonEmpty("TILEDESK_PASSWORD")
        projectID = nonEmpty("TILEDESK_PROJECT_ID")
        if let v = nonEmpty("TILEDESK_SANDBOX") {
            switch v.lowercased() {
            case "1", "true", "yes", "on": sandbox = true
            case "0", "false", "no", "off": sandbox = false
            default: throw UsageError(message: "TILEDESK_SANDBOX must be 1 or 0, not \(v)")
            }
        }
        if let v = nonEmpty("TILEDESK_TIMEOUT") { timeout = try Self.number("TILEDESK_TIMEOUT", v, Bounds.timeout) }
        if let v = nonEmpty("TILEDESK_RETRIES") { retries = try Self.integer("TILEDESK_RETRIES", v, Bounds.retries) }
        if let v = nonEmpty("TILEDESK_MAX_RATE") { maxRate = try Self.number("TILEDESK_MAX_RATE", v, Bounds.maxRate) }
        if let v = nonEmpty("TILEDESK_LOG_LEVEL") { logLevel = try Self.logLevel("TILEDESK_LOG_LEVEL", v) }
    }

    private func validate() throws(UsageError) {
        if let projectID, !Validation.isObjectID(projectID) {
            throw UsageError(message: "project id must be 24 hexadecimal characters, not \(projectID)")
        }
        if let token, token.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw UsageError(message: "the token (--token or TILEDESK_TOKEN) contains a line break or another control character; it is not shown")
        }
        switch (email, password) {
        case (_?, nil): throw UsageError(message: "TILEDESK_EMAIL is set but TILEDESK_PASSWORD is not: set both to sign in, or neither")
        case (nil, _?): throw UsageError(message: "TILEDESK_PASSWORD is set but TILEDESK_EMAIL is not: set both to sign in, or neither")
        default: break
        }
        guard !sandbox else { return }
        try Self.checkAPIURL(apiURL, allowInsecureHTTP: allowInsecureHTTP)
    }

    /// An http or https URL with a host and nothing that could carry a secret or change the
    /// route: no user name or password, query or fragment. Messages never repeat the URL whole.
    static func checkAPIURL(_ apiURL: String, allowInsecureHTTP: Bool) throws(UsageError) {
        guard let url = URLComponents(string: apiURL), let scheme = url.scheme?.lowercased(),
            let host = url.host, !host.isEmpty, scheme == "http" || scheme == "https"
        else {
            let shown = apiURL.contains("@") ? "(not shown: it contains @)" : apiURL
            throw UsageError(message: "api url must be an http or https URL with a host, not \(shown)")
        }
        if url.user != nil || url.password != nil {
            throw UsageError(message: "api url must not contain a user name or password (use --token, or TILEDESK_EMAIL and TILEDESK_PASSWORD); it is not shown")
        }
        if url.query != nil || url.fragment != nil {
            throw UsageError(message: "api url must not contain a query (?) or a fragment (#): give the API root, like \(defaultAPIURL)")
        }
        if scheme == "http", !allowInsecureHTTP, !Loopback.isLoopback(host) {
            throw UsageError(message: "refusing plain http to \(host), which is not loopback: use https, or pass --allow-insecure-http")
        }
    }

    /// What each numeric setting may be: wide enough for any real use, narrow enough that no
    /// value overflows when it becomes nanoseconds or a buffer size.
    enum Bounds {
        static let timeout = 0.001...86_400.0
        static let sandboxLatency = 0.0...3_600.0
        static let rateLimitWait = 0.0...86_400.0
        static let maxRate = 0.001...1_000_000.0
        static let retries = 0...100
        static let maxConcurrency = 1...10_000
        static let maxLineBytes = 64...(1 << 30)
        static let watchInterval = 5.0...86_400.0
    }

    private static func number(_ name: String, _ text: String, _ range: ClosedRange<Double>) throws(UsageError) -> Double {
        guard let v = Double(text), v.isFinite, range.contains(v) else {
            throw UsageError(message: "\(name) must be a number from \(range.lowerBound.formatted()) to \(range.upperBound.formatted()), not \(text)")
        }
        return v
    }
    private static func integer(_ name: String, _ text: String, _ range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let v = Int(text), range.contains(v) else {
            throw UsageError(message: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), not \(text)")
        }
        return v
    }
    private static func logLevel(_ name: String, _ text: String) throws(UsageError) -> DiagnosticLog.Level {
        guard let v = DiagnosticLog.Level(name: text.lowercased()) else {
            throw UsageError(message: "\(name) must be error, warn, info or debug, not \(text)")
        }
        return v
    }

    static let help = """
        tiledesk-rpc \(ProductInfo.version): Tiledesk user and team management over line-delimited JSON-RPC 2.0 on stdin/stdout.

        Usage: tiledesk-rpc [flags]                serve: one JSON-RPC message per line on stdin, answers on stdout
               tiledesk-rpc [flags] call METHOD [NAME=VALUE ...] [--params JSON|@FILE|@-]
                                                  one call, its result as JSON on stdout (VALUE: JSON, else a string)
               tiledesk-rpc [flags] doctor        check the API, the credentials, the default project and your role

          --api-url URL          API root (TILEDESK_API_URL; default \(defaultAPIURL))
          --token T              Tiledesk JWT, with or without "JWT " (TILEDESK_TOKEN)
                                 or TILEDESK_EMAIL + TILEDESK_PASSWORD: sign in once, reuse the JWT
          --project-id ID        default project for team.* calls (TILEDESK_PROJECT_ID)
          --sandbox              serve everything from the embedded emulator, no network (TILEDESK_SANDBOX=1)
          --sandbox-latency S    delay every sandbox answer by S seconds (try timeouts offline)
          --timeout S            per upstream HTTP attempt, seconds (TILEDESK_TIMEOUT; default 30)
          --retries N            extra attempts for retryable failures (TILEDESK_RETRIES; default 2)
          --max-concurrency N    upstream requests in flight at once (default 8)
          --max-rate R           upstream requests per second at most (TILEDESK_MAX_RATE; default unlimited)
          --rate-limit-wait S    how long a rate-limited request may wait for its turn (default 120)
          --max-line-bytes N     longest input line (or LSP frame body) accepted (default 4194304)
          --watch-interval S     seconds between polls of an MCP resource subscription (default 30, at least 5)
          --framing F            auto (default: as the input starts), line, or lsp (Content-Length headers)
          --log-level L          error, warn, info or debug; stderr only (TILEDESK_LOG_LEVEL; default warn)
          --allow-insecure-http  permit http:// to a host that is not loopback
          --version, --help      print and exit

        Try it: printf '{"jsonrpc":"2.0","id":1,"method":"team.list"}\\n' | tiledesk-rpc --sandbox
                tiledesk-rpc --sandbox call team.list role=agent
        """
}

