import Foundation
import Synchronization

/// One rate limit for the whole process (CONTRACT section 5).
///
/// Requests reserve start times in arrival order. A 429 pauses every request until its
/// `Retry-After` (or a backoff when the header is missing), then the limiter paces at the
/// rate the server was seen to accept, and probes upward slowly. `--max-rate` caps it
/// from the start.
public final class RateLimiter: Sendable {
    /// How well the server's limit is known.
    enum Phase: Sendable {
        /// No 429 yet: no pacing (unless `--max-rate`).
        case unknown
        /// After the first 429: doubling every quarter second to find the limit.
        case ramping
        /// Overshot while ramping: back to the last rate that passed, growing 10% a second.
        case approaching
        /// Measured over a saturated second: growing 1% a second, probing slowly.
        case steady
    }

    private struct State {
        /// Pacing in requests per second; nil while no limit is known.
        var rate: Double?
        var phase = Phase.unknown
        var nextSlot: Double = 0
        var pausedUntil: Double = 0
        var consecutive429 = 0
        var lastChange: Double = 0
        /// Start times of recent successful requests (the last second or so).
        var recentSuccesses: [Double] = []
        var lastPauseEnd: Double
        /// When the rate was last cut for a 429.
        var lastCut: Double = -1
        /// Requests the server let through at once before its first 429 (its bucket size).
        var burst: Double = 0
    }

    private let state: Mutex<State>
    private let maxRate: Double?
    private let clock: @Sendable () -> Double

    public init(maxRate: Double?, clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.maxRate = maxRate
        self.clock = clock
        state = Mutex(State(rate: maxRate, lastPauseEnd: clock()))
    }

    /// The current pacing, for logs and tests.
    public var currentRate: Double? { state.withLock { $0.rate } }

    /// The limiter's clock, in seconds.
    public func now() -> Double { clock() }

    /// Waits for this request's turn. Throws `TiledeskError(.rateLimited)` when the turn would
    /// come after `deadline` (seconds on the limiter's clock).
    public func acquire(deadline: Double) async throws {
        while true {
            let wait: Double = try state.withLock { s in
                let now = clock()
                grow(&s, now: now)
                var slot = max(now, s.pausedUntil)
                if s.rate != nil { slot = max(slot, s.nextSlot) }
                guard slot <= deadline else {
                    throw TiledeskError(.rateLimited, "rate limited: no turn within --rate-limit-wait", retryAfter: (slot - now).rounded(.up))
                }
                if let rate = s.rate { s.nextSlot = slot + 1 / rate }
                return slot - now
            }
            if wait <= 0 { return }
            try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
            // A 429 met while this request slept pauses it too: take a new turn.
            if state.withLock({ $0.pausedUntil <= clock() }) { return }
        }
    }

    /// The deadline for a request that starts waiting now and may wait `seconds`.
    public func deadline(after seconds: Double) -> Double { clock() + seconds }

    /// A request got through.
    public func recordSuccess() {
        state.withLock { s in
            let now = clock()
            s.consecutive429 = 0
            s.recentSuccesses.append(now)
            if s.recentSuccesses.count > 65536 || (s.recentSuccesses.first.map { now - $0 > 120 } ?? false) {
                s.recentSuccesses.removeAll { now - $0 > 60 }
            }
        }
    }

    /// A 429 for a request sent at `sentAt`: pause everyone until `retryAfter` (or a backoff),
    /// then pace below the rate the server was seen to accept. The requests that were already
    /// in flight when the limit was met change nothing more. Returns the pause in seconds.
    @discardableResult
    public func record429(retryAfter: Double?, sentAt: Double) -> Double {
        state.withLock { s in
            let now = clock()
            if sentAt < s.lastCut {
                // Sent before the current pause was decided: wait like everyone, change nothing.
                return max(0, s.pausedUntil - now)
            }
            s.lastCut = now
            s.consecutive429 += 1
            let pause = retryAfter ?? min(0.5 * pow(2, Double(s.consecutive429 - 1)), 8)
            let accepted = Double(s.recentSuccesses.filter { now - $0 <= 1 }.count)
            let sending = now - s.lastPauseEnd  // seconds of sending since the last pause
            let sentSincePause = Double(s.recentSuccesses.filter { $0 >= s.lastPauseEnd }.count)
            var rate: Double
            switch s.phase {
            case .unknown:
                // What got through before the first 429 is about the server's burst allowance.
                s.burst = accepted
                rate = max(accepted, 1)
                s.phase = .ramping
            case .ramping:
                rate = max(accepted, (s.rate ?? 2) / 4, 1)
                s.phase = .approaching
            case .approaching, .steady:
                // Sending above the limit since the pause ended, with a full bucket then:
                // sent = burst + limit × time.
                let measured = (sentSincePause - s.burst) / max(sending, 0.001)
                rate = sending >= 1 && measured > 0 ? measured : (s.rate ?? 1) * 0.9
                rate = max(rate, 1)
                s.phase = .steady
            }
            if let maxRate { rate = min(rate, maxRate) }
            s.rate = rate
            s.pausedUntil = max(s.pausedUntil, now + pause)
            s.lastPauseEnd = s.pausedUntil
            s.lastChange = s.pausedUntil
            s.nextSlot = max(s.nextSlot, s.pausedUntil)
            return pause
        }
    }

    /// Probes upward while no 429 comes: fast while ramping, slowly once the limit is known.
    private func grow(_ s: inout State, now: Double) {
        guard let rate = s.rate, now >= s.pausedUntil, s.consecutive429 == 0 else { return }
        let (interval, factor): (Double, Double) = switch s.phase {
        case .unknown: (1, 1)
        case .ramping: (0.25, 2)
        case .approaching: (1, 1.1)
        case .steady: (1, 1.01)
        }
        guard factor > 1, now - s.lastChange >= interval else { return }
        if let maxRate, rate >= maxRate { return }
        s.lastChange = now
        s.rate = min(rate * factor, maxRate ?? .infinity)
    }
}
