import Foundation
import HTTPCore

/// The rate limiters users meet in front of Tiledesk (its own server has none): each decides, for
/// a request arriving at a time in seconds, whether it goes through, and if not, how long until one
/// would.
public enum LimiterShape: Sendable, Equatable {
    /// `burst` tokens refilled continuously at `rate` a second; a request takes one.
    case tokenBucket(rate: Double, burst: Int)
    /// At most `limit` requests per window of `seconds`, a window starting at the first request
    /// after the last one ended (express-rate-limit's memory store).
    case fixedWindow(limit: Int, seconds: Double)
    /// At most `limit` requests in any span of `seconds` (a sliding log).
    case slidingWindow(limit: Int, seconds: Double)
    /// nginx `limit_req`: requests drain at `rate` a second with millisecond accounting; up to
    /// `burst` may be in excess, which nginx delays (`delay`) or lets through at once (`nodelay`).
    case leakyBucket(rate: Double, burst: Int, delay: Bool)

    /// The names used on the command line and in the faults JSON.
    public static let names = ["token-bucket", "fixed-window", "sliding-window", "leaky-bucket"]

    /// A token bucket's burst when none is given: one second of its rate, rounded up.
    public static func defaultBurst(rate: Double) -> Int { max(1, Int(rate.rounded(.up))) }

    /// Requests a second it allows over a long run.
    public var sustainedRate: Double {
        switch self {
        case .tokenBucket(let rate, _), .leakyBucket(let rate, _, _): rate
        case .fixedWindow(let limit, let seconds), .slidingWindow(let limit, let seconds): Double(limit) / seconds
        }
    }
}

/// How a limited answer says when to come back.
public enum RetryAfterStyle: String, Sendable, Equatable, CaseIterable {
    /// `Retry-After: 2`, whole seconds rounded up (at least 1).
    case seconds
    /// `Retry-After: Sun, 06 Nov 1994 08:49:37 GMT`: the moment in whole seconds, cut as a server
    /// formatting a date cuts it (so it may come up to a second early).
    case date
    /// No `Retry-After` at all (Tiledesk's cloud may send none).
    case none
}

/// What a limiter decided for one request.
public enum LimiterDecision: Sendable, Equatable {
    /// Goes through, after the server holds it `delay` seconds (nginx without `nodelay`).
    case admitted(delay: Double)
    /// Refused; one would go through in `wait` seconds.
    case refused(wait: Double)
}

/// A limiter's state: what it has let through so far.
public struct LimiterState: Sendable {
    public let shape: LimiterShape
    private var tokens: Double
    private var updated: Double?
    private var windowEnd = -Double.infinity
    private var inWindow = 0
    private var admittedLog: [Double] = []
    private var logStart = 0
    private var excess = 0.0
    private var lastMillis: Int?

    public init(_ shape: LimiterShape) {
        self.shape = shape
        if case .tokenBucket(_, let burst) = shape { tokens = Double(burst) } else { tokens = 0 }
    }

    /// Decides for a request arriving at `now` (seconds on any monotonic clock).
    public mutating func admit(at now: Double) -> LimiterDecision {
        switch shape {
        case .tokenBucket(let rate, let burst):
            tokens = min(Double(burst), tokens + rate * max(0, now - (updated ?? now)))
            updated = now
            guard tokens >= 1 else { return .refused(wait: (1 - tokens) / rate) }
            tokens -= 1
            return .admitted(delay: 0)
        case .fixedWindow(let limit, let seconds):
            if now >= windowEnd {
                windowEnd = now + seconds
                inWindow = 0
            }
            guard inWindow < limit else { return .refused(wait: windowEnd - now) }
            inWindow += 1
            return .admitted(delay: 0)
        case .slidingWindow(let limit, let seconds):
            while logStart < admittedLog.count, admittedLog[logStart] <= now - seconds { logStart += 1 }
            if logStart > 4096 {
                admittedLog.removeFirst(logStart)
                logStart = 0
            }
            guard admittedLog.count - logStart < limit else { return .refused(wait: admittedLog[logStart] + seconds - now) }
            admittedLog.append(now)
            return .admitted(delay: 0)
        case .leakyBucket(let rate, let burst, let delay):
            // nginx ngx_http_limit_req_module: excess in requests, drained per whole millisecond.
            let millis = Int((now * 1000).rounded(.down))
            guard let last = lastMillis else {
                lastMillis = millis
                return .admitted(delay: 0)
            }
            let drained = max(0, excess - rate * Double(max(0, millis - last)) / 1000 + 1)
            guard drained <= Double(burst) else { return .refused(wait: (drained - Double(burst)) / rate) }
            excess = drained
            lastMillis = millis
            return .admitted(delay: delay ? drained / rate : 0)
        }
    }
}

extension RetryAfterStyle {
    /// The header value for a refusal with `wait` seconds to go, at wall-clock `now`.
    public func header(wait: Double, now: Date = Date()) -> String? {
        switch self {
        case .seconds: return String(max(1, Int(wait.rounded(.up))))
        case .date: return HTTPDate.format(now.addingTimeInterval(wait))
        case .none: return nil
        }
    }
}
