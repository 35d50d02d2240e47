import Foundation
import Synchronization

/// One rate limit for the whole process (CONTRACT section 5).
///
/// Requests reserve start times in arrival order. A 429 pauses every request until its
/// `Retry-After` (or a backoff when the header is missing), then the limiter paces at the
/// rate the server was seen to accept, and probes upward slowly. `--max-rate` caps it
/// from the start.
public final class RateLimiter: Sendable {
    private struct State {
        /// Pacing in requests per second; nil while no limit is known.
        var rate: Double?
        /// Whether `rate` was measured over a saturated second (else it ramps up fast).
        var measured = false
        var nextSlot: Double = 0
        var pausedUntil: Double = 0
        var consecutive429 = 0
        var lastIncrease: Double = 0
        /// Start times of recent successful requests (the last second or so).
        var recentSuccesses: [Double] = []
        var lastPauseEnd: Double = 0
    }

    private let state: Mutex<State>
    private let maxRate: Double?
    private let clock: @Sendable () -> Double

    public init(maxRate: Double?, clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.maxRate = maxRate
        self.clock = clock
        state = Mutex(State(rate: maxRate))
    }

    /// The current pacing, for logs and tests.
    public var currentRate: Double? { state.withLock { $0.rate } }

    /// Waits for this request's turn. Throws `TiledeskError(.rateLimited)` when the turn would
    /// come after `deadline` (seconds on the limiter's clock).
    public func acquire(deadline: Double) async throws {
        let wait: Double = try state.withLock { s in
            let now = clock()
            growRate(&s, now: now)
            var slot = max(now, s.pausedUntil)
            if let rate = s.rate {
                slot = max(slot, s.nextSlot)
                guard slot <= deadline else {
                    throw TiledeskError(.rateLimited, "rate limited: no turn within --rate-limit-wait", retryAfter: (slot - now).rounded(.up))
                }
                s.nextSlot = slot + 1 / rate
            } else if slot > deadline {
                throw TiledeskError(.rateLimited, "rate limited: no turn within --rate-limit-wait", retryAfter: (slot - now).rounded(.up))
            }
            return slot - now
        }
        if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
    }

    /// The deadline for a request that starts waiting now and may wait `seconds`.
    public func deadline(after seconds: Double) -> Double { clock() + seconds }

    /// A request got through.
    public func recordSuccess() {
        state.withLock { s in
            let now = clock()
            s.consecutive429 = 0
            s.recentSuccesses.append(now)
            if s.recentSuccesses.count > 4096 || (s.recentSuccesses.first.map { now - $0 > 2 } ?? false) {
                s.recentSuccesses.removeAll { now - $0 > 1 }
            }
        }
    }

    /// A 429: pause everyone until `retryAfter` (or a backoff), then pace at the rate the
    /// server accepted over the last second. Returns the pause in seconds.
    @discardableResult
    public func record429(retryAfter: Double?) -> Double {
        state.withLock { s in
            let now = clock()
            s.consecutive429 += 1
            let pause = retryAfter ?? min(0.5 * pow(2, Double(s.consecutive429 - 1)), 8)
            let saturated = now - s.lastPauseEnd >= 1  // a whole second of sending since the last pause
            if now + pause > s.pausedUntil {
                s.pausedUntil = now + pause
                s.lastPauseEnd = s.pausedUntil
            }
            let accepted = Double(s.recentSuccesses.filter { now - $0 <= 1 }.count)
            var newRate = max(accepted, 1)
            if let current = s.rate, !saturated { newRate = max(1, min(current, newRate * 2) * 0.75) }
            if let maxRate { newRate = min(newRate, maxRate) }
            s.rate = newRate
            s.measured = saturated
            s.lastIncrease = s.pausedUntil
            s.nextSlot = max(s.nextSlot, s.pausedUntil)
            return pause
        }
    }

    /// Probes upward once a second without a 429: doubling until the rate has been measured
    /// at saturation, then 2% at a time.
    private func growRate(_ s: inout State, now: Double) {
        guard let rate = s.rate, now - s.lastIncrease >= (s.measured ? 1 : 0.5), now >= s.pausedUntil else { return }
        if let maxRate, rate >= maxRate { return }
        if s.consecutive429 > 0 { return }
        s.lastIncrease = now
        var next = s.measured ? rate * 1.02 : rate * 2
        if let maxRate { next = min(next, maxRate) }
        s.rate = next
    }
}
