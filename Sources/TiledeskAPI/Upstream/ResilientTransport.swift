import Foundation
import HTTPCore

/// Wraps a transport with the bridge's upstream behaviour (README "Retries, rate limits and timeouts"): at most
/// `maxConcurrency` requests in flight (the rest queued in order), one shared rate limit,
/// and retries with capped exponential backoff and jitter only where they are safe.
public final class ResilientTransport: HTTPTransport, Sendable {
    public struct Policy: Sendable {
        /// Extra attempts for retryable failures (`--retries`).
        public var retries: Int
        /// How long a rate-limited request may wait for its turn (`--rate-limit-wait`).
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
        let urgent = request.priority == .followUp
        let deadline = limiter.deadline(after: policy.rateLimitWait)
        var attempt = 0
        while true {
            // Take a connection slot first, then the turn: a request queued behind the slots
            // must still meet the pacing decided while it waited.
            try await slots.acquire(urgent: urgent || attempt > 0)
            do {
                try await limiter.acquire(deadline: deadline)
            } catch {
                slots.release()
                throw error
            }
            let sentAt = limiter.now()
            let outcome: Result<HTTPResponse, any Error>
            do {
                outcome = .success(try await base.send(request))
            } catch {
                outcome = .failure(error)
            }
            slots.release()
            try Task.checkCancellation()

            switch outcome {
            case .failure(let error as TransportError):
                guard attempt < policy.retries, Self.mayRetry(request.method, after: error) else { throw error }
                attempt += 1
                let delay = backoff(attempt)
                log.info("\(request.method) \(request.pathOnly): \(error); retry \(attempt) of \(policy.retries) in \(Self.seconds(delay))")
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            case .failure(let error):
                throw error
            case .success(let response) where response.status == 429:
                let retryAfter = ResponseClassifier.retryAfter(response)
                let (pause, newPace) = limiter.record429(retryAfter: retryAfter, sentAt: sentAt)
                if limiter.deadline(after: pause) > deadline {
                    log.warn("\(request.method) \(request.pathOnly): rate limited for longer than the rate-limit wait")
                    return response
                }
                if newPace {
                    log.info("\(request.method) \(request.pathOnly): 429, every request pauses \(Self.seconds(pause)) s; then pacing at \(Self.seconds(limiter.currentRate ?? 0))/s")
                } else {
                    log.debug("\(request.method) \(request.pathOnly): 429 for a request already in flight; waiting \(Self.seconds(pause)) s")
                }
            case .success(let response) where [502, 503, 504].contains(response.status):
                guard attempt < policy.retries, request.method != "POST" else { return response }
                attempt += 1
                let delay = ResponseClassifier.retryAfter(response).map { min($0, policy.maxDelay) } ?? backoff(attempt)
                log.info("\(request.method) \(request.pathOnly): HTTP \(response.status); retry \(attempt) of \(policy.retries) in \(Self.seconds(delay))")
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            case .success(let response):
                limiter.recordSuccess(sentAt: sentAt)
                return response
            }
        }
    }

    /// GET, PUT and DELETE may be repeated after a connection failure; a POST only when the
    /// connection was refused before anything was sent (an invite must never go out twice).
    static func mayRetry(_ method: String, after error: TransportError) -> Bool {
        switch error {
        case .connectionRefused: return true
        case .connectionLost, .unreachable: return method != "POST"
        case .timedOut, .responseTooLarge, .cancelled: return false
        }
    }

    /// Capped exponential backoff with full jitter over its upper half.
    func backoff(_ attempt: Int) -> Double {
        let ceiling = min(policy.maxDelay, policy.baseDelay * pow(2, Double(attempt - 1)))
        return ceiling / 2 + Double.random(in: 0...(ceiling / 2))
    }

    static func seconds(_ value: Double) -> String { String(format: "%.2f", value) }
}
