import Foundation
import HTTPCore

/// Wraps a transport with the bridge's upstream behaviour (README "Retries, rate limits and timeouts"): at most
/// `maxConcurrency` requests in flight (the rest queued by priority), one shared rate limit,
/// and retries with capped exponential backoff and jitter only where they are safe.
public final class ResilientTransport: HTTPTransport, Sendable {
    public struct Policy: Sendable {
        /// Extra attempts for retryable failures (`--retries`).
        public var retries: Int
        /// How long a rate-limited request may wait for its turn (`--rate-limit-wait`); a
        /// `Retry-After` longer than this is treated as missing.
        public var rateLimitWait: Double
        public var baseDelay: Double = 0.2
        public var maxDelay: Double = 10

        public init(retries: Int, rateLimitWait: Double) {
            self.retries = retries
            self.rateLimitWait = rateLimitWait
        }
    }

    private let base: any HTTPTransport
    private let policy: Policy
    private let limiter: RateLimiter
    private let slots: AsyncSemaphore
    private let log: DiagnosticLog

    public init(base: any HTTPTransport, policy: Policy, maxConcurrency: Int, limiter: RateLimiter, log: DiagnosticLog = .silent) {
        self.base = base
        self.policy = policy
        self.limiter = limiter
        self.slots = AsyncSemaphore(maxConcurrency)
        self.log = log
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let deadline = limiter.deadline(after: policy.rateLimitWait)
        var attempt = 0
        while true {
            // A retry goes before new calls, like a call's later requests.
            let priority = attempt > 0 ? .followUp : request.priority
            // Take a connection slot first, then the turn: a request queued behind the slots
            // must still meet the pacing decided while it waited.
            try await slots.acquire(priority: priority)
            let ticket: RateLimiter.Ticket
            do {
                ticket = try await limiter.acquire(priority: priority, deadline: deadline)
            } catch {
                slots.release()
                throw error
            }
            if attempt == 0, request.startGate?.isClosed == true {
                limiter.abandoned(ticket)
                slots.release()
                throw TransportError.cancelled
            }
            let outcome: Result<HTTPResponse, any Error>
            do {
                outcome = .success(try await base.send(request))
            } catch {
                outcome = .failure(error)
            }
            slots.release()

            switch outcome {
            case .failure(let error as TransportError):
                limiter.abandoned(ticket)
                try Task.checkCancellation()
                guard attempt < policy.retries, Self.mayRetry(request, after: error) else { throw error }
                attempt += 1
                let delay = backoff(attempt)
                log.info("\(request.method) \(request.pathOnly): \(error); retry \(attempt) of \(policy.retries) in \(Self.seconds(delay))")
                try await pause(seconds: delay)
            case .failure(let error):
                limiter.abandoned(ticket)
                throw error
            case .success(let response) where response.status == 429:
                let retryAfter = ResponseClassifier.retryAfter(response, limit: policy.rateLimitWait)
                let (until, newPause) = limiter.refused(ticket, retryAfter: retryAfter,
                                                        fromDate: RetryAfter.isDate(response.headers["retry-after"]))
                try Task.checkCancellation()
                let wait = until - limiter.now()
                if until > deadline {
                    log.warn("\(request.method) \(request.pathOnly): rate limited for longer than the rate-limit wait")
                    return Self.withHonouredRetryAfter(response, seconds: retryAfter.map { _ in wait })
                }
                let said = response.headers["retry-after"].map { "Retry-After \($0)" } ?? "no Retry-After"
                if newPause {
                    log.info("\(request.method) \(request.pathOnly): 429 (\(said)); every request pauses \(Self.seconds(max(0, wait))) s")
                } else {
                    log.debug("\(request.method) \(request.pathOnly): 429 for a request already in flight")
                }
            case .success(let response) where [502, 503, 504].contains(response.status):
                limiter.admitted(ticket)
                try Task.checkCancellation()
                guard attempt < policy.retries, request.idempotent else { return response }
                attempt += 1
                let delay = ResponseClassifier.retryAfter(response, limit: policy.maxDelay) ?? backoff(attempt)
                log.info("\(request.method) \(request.pathOnly): HTTP \(response.status); retry \(attempt) of \(policy.retries) in \(Self.seconds(delay))")
                try await pause(seconds: delay)
            case .success(let response):
                limiter.admitted(ticket)
                return response
            }
        }
    }

    /// A 429 handed back to the caller says the wait the bridge honoured (none when the
    /// upstream's was absurd), so an absurd `Retry-After` never reaches the caller.
    static func withHonouredRetryAfter(_ response: HTTPResponse, seconds: Double?) -> HTTPResponse {
        var response = response
        response.headers["retry-after"] = seconds.map { String(Int(max(1, $0.rounded(.up)))) }
        return response
    }

    /// An idempotent request (GET, PUT, DELETE) may be repeated after a connection failure; one
    /// that is not (a POST, a GET that sends an email) only when the connection was refused
    /// before anything was sent: an invite or a resend must never go out twice.
    static func mayRetry(_ request: HTTPRequest, after error: TransportError) -> Bool {
        switch error {
        case .connectionRefused: return true
        case .connectionLost, .unreachable: return request.idempotent
        case .timedOut, .responseTooLarge, .badResponse, .cancelled: return false
        }
    }

    /// Capped exponential backoff with full jitter over its upper half.
    func backoff(_ attempt: Int) -> Double {
        let ceiling = min(policy.maxDelay, policy.baseDelay * pow(2, Double(min(attempt, 30) - 1)))
        return ceiling / 2 + Double.random(in: 0...(ceiling / 2))
    }

    static func seconds(_ value: Double) -> String { String(format: "%.2f", value) }
}
