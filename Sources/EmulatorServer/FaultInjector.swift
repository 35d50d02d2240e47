import Foundation
import HTTPCore
import JSONCore
import Synchronization

/// Which requests a fault rule applies to. Every member given must match; none given matches all.
public struct FaultMatch: Sendable, Equatable {
    /// The HTTP method, compared case-insensitively.
    public var method: String?
    /// A plain string prefix of the path the handler sees (server prefix removed, query included):
    /// `/users` matches `/users`, `/users/1` and `/users?x=1`.
    public var pathPrefix: String?
    /// The exact path the handler sees, without its query.
    public var path: String?

    public init(method: String? = nil, pathPrefix: String? = nil, path: String? = nil) {
        self.method = method
        self.pathPrefix = pathPrefix
        self.path = path
    }

    func matches(method requestMethod: String, path requestPath: String) -> Bool {
        if let method, !asciiCaseInsensitiveEqual(method, requestMethod) { return false }
        if let pathPrefix, !requestPath.hasPrefix(pathPrefix) { return false }
        if let path {
            let pathOnly = requestPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            if pathOnly != path { return false }
        }
        return true
    }
}

private func asciiCaseInsensitiveEqual(_ a: String, _ b: String) -> Bool {
    a.utf8.elementsEqual(b.utf8) { x, y in
        (x >= 0x41 && x <= 0x5A ? x | 0x20 : x) == (y >= 0x41 && y <= 0x5A ? y | 0x20 : y)
    }
}

/// What a matching rule does. `delay` alone (or with only `headers`) lets the request go on to
/// the next rule and then the handler; anything else answers the request itself.
public struct FaultAction: Sendable, Equatable {
    /// The response status (default 200; 502 for `html`, 302 for `redirect`).
    public var status: Int?
    /// The response body: a string is sent as its text, anything else as compact JSON.
    /// Without one, an error status gets `{"error":"<reason>"}` and a success `{}`.
    public var body: JSON?
    /// Extra response headers. With no answering member they are added to the handler's response.
    public var headers: [String: String]
    /// An HTML error page, as a proxy in front of the API would send.
    public var html: Bool
    /// A response declared `application/json` whose body is not valid JSON.
    public var malformed: Bool
    /// Seconds to wait before going on.
    public var delay: Double?
    /// Read the request, then close the connection without a response.
    public var drop: Bool
    /// A `Location` to redirect to.
    public var redirect: String?
    /// A response of this many body bytes, streamed (a JSON object padded with `x`).
    public var bodyBytes: Int?
    /// An answer no client should accept whole: an endless body, a gzip bomb, broken framing.
    public var hostile: HostileBody?

    public init(
        status: Int? = nil, body: JSON? = nil, headers: [String: String] = [:], html: Bool = false, malformed: Bool = false,
        delay: Double? = nil, drop: Bool = false, redirect: String? = nil, bodyBytes: Int? = nil, hostile: HostileBody? = nil
    ) {
        self.status = status
        self.body = body
        self.headers = headers
        self.html = html
        self.malformed = malformed
        self.delay = delay
        self.drop = drop
        self.redirect = redirect
        self.bodyBytes = bodyBytes
        self.hostile = hostile
    }

    public static func status(_ status: Int, body: JSON? = nil, headers: [String: String] = [:]) -> FaultAction {
        FaultAction(status: status, body: body, headers: headers)
    }
    /// A status (503 by default) with `Retry-After: seconds`.
    public static func retryAfter(_ seconds: Int, status: Int = 503) -> FaultAction {
        FaultAction(status: status, headers: ["Retry-After": String(seconds)])
    }
    public static func delay(_ seconds: Double) -> FaultAction { FaultAction(delay: seconds) }
    public static func html(status: Int = 502) -> FaultAction { FaultAction(status: status, html: true) }
    public static let malformed = FaultAction(malformed: true)
    public static let drop = FaultAction(drop: true)
    public static func redirect(to location: String, status: Int = 302) -> FaultAction {
        FaultAction(status: status, redirect: location)
    }
    public static func hugeBody(bytes: Int) -> FaultAction { FaultAction(bodyBytes: bytes) }
    public static func hostile(_ kind: HostileBody, status: Int = 200) -> FaultAction { FaultAction(status: status, hostile: kind) }

    /// Whether the action answers the request itself rather than passing it on.
    var answers: Bool {
        status != nil || body != nil || html || malformed || drop || redirect != nil || bodyBytes != nil || hostile != nil
    }
}

/// One fault rule: requests that `match` get `action`, `times` times (forever when `nil`).
public struct FaultRule: Sendable, Equatable {
    public var match: FaultMatch
    /// Matches left; a rule at 0 is used up. `nil`: forever.
    public var times: Int?
    public var action: FaultAction

    public init(match: FaultMatch = FaultMatch(), times: Int? = nil, action: FaultAction) {
        self.match = match
        self.times = times
        self.action = action
    }
}

/// The upstream's rate limit: a limiter shape shared by every request, and how its 429s say when
/// to come back.
public struct RateLimit: Sendable, Equatable {
    public var shape: LimiterShape
    public var retryAfter: RetryAfterStyle

    public init(_ shape: LimiterShape, retryAfter: RetryAfterStyle = .seconds) {
        self.shape = shape
        self.retryAfter = retryAfter
    }

    /// A token bucket of `rps` a second; `burst` defaults to `rps` rounded up (at least 1).
    public init(rps: Double, burst: Int? = nil, retryAfter: Bool = true) {
        self.init(.tokenBucket(rate: rps, burst: burst ?? LimiterShape.defaultBurst(rate: rps)), retryAfter: retryAfter ? .seconds : .none)
    }
}

/// Everything the fault injector does: rules tried in order and an optional rate limit.
public struct FaultConfig: Sendable, Equatable {
    public var rules: [FaultRule]
    public var rateLimit: RateLimit?

    public init(rules: [FaultRule] = [], rateLimit: RateLimit? = nil) {
        self.rules = rules
        self.rateLimit = rateLimit
    }
}

/// The faults a `LoopbackHTTPServer` injects. Thread-safe; settable from Swift or over HTTP
/// (`POST /__emulator/faults`).
public final class FaultInjector: Sendable {
    private struct Limit {
        var limit: RateLimit
        var state: LimiterState
        init(_ limit: RateLimit) {
            self.limit = limit
            state = LimiterState(limit.shape)
        }
    }

    private struct State {
        var rules: [FaultRule] = []
        var limit: Limit?
    }

    private let state = Mutex(State())

    public init(_ config: FaultConfig = FaultConfig()) {
        set(config)
    }

    /// The current rules (with the matches they have left) and rate limit.
    public var config: FaultConfig {
        state.withLock { FaultConfig(rules: $0.rules, rateLimit: $0.limit?.limit) }
    }

    /// Replaces every fault; a new rate limit starts afresh (a full bucket, no window under way).
    public func set(_ config: FaultConfig) {
        state.withLock {
            $0.rules = config.rules
            $0.limit = config.rateLimit.map(Limit.init)
        }
    }

    /// Replaces every fault (a `nil` rate limit removes it).
    public func set(rules: [FaultRule], rateLimit: RateLimit? = nil) {
        set(FaultConfig(rules: rules, rateLimit: rateLimit))
    }

    /// Replaces every fault from the JSON of `POST /__emulator/faults`.
    public func set(json: JSON) throws(FaultConfigError) {
        set(try FaultConfig(json: json))
    }

    /// Adds a rule after the existing ones.
    public func append(_ rule: FaultRule) {
        state.withLock { $0.rules.append(rule) }
    }

    /// Replaces the rate limit only, keeping the rules.
    public func setRateLimit(_ limit: RateLimit?) {
        state.withLock { $0.limit = limit.map(Limit.init) }
    }

    /// Removes every rule and the rate limit.
    public func clear() { set(FaultConfig()) }

    // MARK: - Applying

    enum Admission: Equatable {
        /// Goes on to the rules and the handler, after `delay` seconds.
        case admitted(delay: Double)
        /// Answered 429 with this `Retry-After` (nil: none).
        case limited(retryAfter: String?)
    }

    /// Asks the rate limit, if there is one, about a request arriving now.
    func admit(now: ContinuousClock.Instant = .now, wallClock: Date = Date()) -> Admission {
        let elapsed = Self.epoch.duration(to: now).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        return state.withLock { state in
            guard state.limit != nil else { return .admitted(delay: 0) }
            switch state.limit!.state.admit(at: seconds) {
            case .admitted(let delay): return .admitted(delay: delay)
            case .refused(let wait): return .limited(retryAfter: state.limit!.limit.retryAfter.header(wait: wait, now: wallClock))
            }
        }
    }

    /// The origin of the seconds the limiters count in.
    private static let epoch = ContinuousClock.now

    /// What the rules do to a request: consumes each matching rule up to the first one that answers.
    func plan(method: String, path: String) -> FaultPlan {
        let actions: [FaultAction] = state.withLock { state in
            guard !state.rules.isEmpty else { return [] }
            var actions: [FaultAction] = []
            for index in state.rules.indices {
                let rule = state.rules[index]
                if let times = rule.times, times <= 0 { continue }
                guard rule.match.matches(method: method, path: path) else { continue }
                if let times = rule.times { state.rules[index].times = times - 1 }
                actions.append(rule.action)
                if rule.action.answers { break }
            }
            return actions
        }
        var plan = FaultPlan()
        for action in actions {
            plan.delay += action.delay ?? 0
            if action.answers {
                plan.outcome = action.outcome
            } else {
                plan.extraHeaders.merge(action.headers) { _, new in new }
            }
        }
        return plan
    }
}

/// What the faults do to one request.
struct FaultPlan {
    enum Outcome {
        case respond(HTTPResponse)
        case drop
        /// A response whose `bytes`-long body is written piece by piece.
        case stream(status: Int, headers: [String: String], bytes: Int)
        /// An answer written raw, after which the connection closes.
        case hostile(HostileBody, status: Int)
    }

    /// Seconds to wait first.
    var delay: Double = 0
    /// Headers added to the handler's response.
    var extraHeaders: [String: String] = [:]
    /// The answer, or `nil` to call the handler.
    var outcome: Outcome?
}

extension FaultAction {
    var outcome: FaultPlan.Outcome {
        if drop { return .drop }
        if let hostile { return .hostile(hostile, status: status ?? 200) }
        var response: HTTPResponse
        if let bodyBytes {
            return .stream(
                status: status ?? 200,
                headers: HTTPResponse(status: 200, headers: ["content-type": "application/json"].merging(headers) { _, b in b })
                    .headers,
                bytes: bodyBytes)
        } else if let redirect {
            response = HTTPResponse(status: status ?? 302, headers: ["location": redirect])
        } else if html {
            let status = status ?? 502
            response = HTTPResponse(
                status: status, headers: ["content-type": "text/html; charset=utf-8"], body: CannedBodies.html(status: status))
        } else if malformed {
            response = HTTPResponse(
                status: status ?? 200, headers: ["content-type": "application/json"], body: CannedBodies.malformed)
        } else {
            let status = status ?? 200
            switch body {
            case .string(let text)?:
                let bytes = Array(text.utf8)
                let isJSON = (try? JSONParser.parse(bytes)) != nil
                response = HTTPResponse(
                    status: status, headers: ["content-type": isJSON ? "application/json" : "text/plain; charset=utf-8"],
                    body: bytes)
            case let json?:
                response = HTTPResponse(
                    status: status, headers: ["content-type": "application/json"], body: JSONWriter.bytes(json))
            case nil:
                response = CannedBodies.defaultResponse(status: status)
            }
        }
        for (name, value) in headers { response.headers[name.lowercased()] = value }
        return .respond(response)
    }
}
