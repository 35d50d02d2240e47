import Foundation
import Synchronization

/// One rate limit for the whole process, shared by every request to the API.
///
/// Requests reserve start times in arrival order. A 429 pauses every request until its
/// `Retry-After` (or a backoff when the header is missing). The server is modelled as a token
/// bucket: what got through before the first 429 is its burst; after that the limiter doubles
/// its pace each step until the next 429, then paces at the lowest rate that explains every
/// request that got through since the pause (replaying them through a bucket that started
/// full), and probes upward slowly. Each later 429 measures again over a longer window.
/// `--max-rate` caps it from the start.
public final class RateLimiter: Sendable {
    enum Phase: Sendable {
        /// No 429 yet: no pacing (unless `--max-rate`).
        case unknown
        /// After the first 429: doubling each step until the next 429 measures the limit.
        case probing
        /// Pacing just below the measured limit, probing upward 0.1% a second.
        case steady
    }

    private struct State {
        var phase = Phase.unknown
        /// Pacing in requests per second; nil while no limit is known.
        var rate: Double?
        var nextSlot: Double = 0
        var pausedUntil: Double = 0
        /// When the current rate took effect.
        var stepStart: Double
        /// When sending last resumed after a pause.
        var windowStart: Double
        var consecutive429 = 0
        /// Requests sent before the first 429 that got through: the server's burst.
        var burst: Double = 0
        /// When the request that met the first 429 was sent, and when the first request was.
        var firstLimitSentAt: Double?
        var firstSentAt: Double?
        /// Send times of the requests that got through since `windowStart`.
        var passed: [Double] = []
    }

    private let state: Mutex<State>
    private let maxRate: Double?
    private let clock: @Sendable () -> Double

    public init(maxRate: Double?, clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.maxRate = maxRate
        self.clock = clock
        let now = clock()
        state = Mutex(State(rate: maxRate, stepStart: now, windowStart: now))
    }

    /// The current pacing, for logs and tests.
    public var currentRate: Double? { state.withLock { $0.rate } }

    /// The limiter's clock, in seconds.
    public func now() -> Double { clock() }

    /// The deadline for a request that starts waiting now and may wait `seconds`.
    public func deadline(after seconds: Double) -> Double { clock() + seconds }

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
                    throw TiledeskError(.rateLimited, "rate limited: no turn within the rate-limit wait", retryAfter: (slot - now).rounded(.up))
                }
                if let rate = s.rate { s.nextSlot = slot + 1 / rate }
                if s.firstSentAt == nil { s.firstSentAt = slot }
                return slot - now
            }
            if wait <= 0 { return }
            try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
            // A 429 met while this request slept pauses it too: take a new turn.
            if state.withLock({ $0.pausedUntil <= clock() }) { return }
        }
    }

    /// A request sent at `sentAt` got through.
    public func recordSuccess(sentAt: Double) {
        state.withLock { s in
            s.consecutive429 = 0
            if let first = s.firstLimitSentAt, sentAt < first { s.burst += 1 }
            if sentAt >= s.windowStart, s.passed.count < 200_000 { s.passed.append(sentAt) }
        }
    }

    /// A 429 for a request sent at `sentAt`: pause everyone until `retryAfter` (or a backoff),
    /// then pace at the rate measured. Requests already in flight when the limit was met change
    /// nothing more. Returns the pause in seconds.
    @discardableResult
    public func record429(retryAfter: Double?, sentAt: Double) -> (pause: Double, newPace: Bool) {
        state.withLock { s in
            let now = clock()
            if sentAt < s.windowStart {
                // Sent before the current pause was decided: wait like everyone, change nothing.
                return (max(0, s.pausedUntil - now), false)
            }
            s.consecutive429 += 1
            let pause = retryAfter ?? min(0.5 * pow(2, Double(s.consecutive429 - 1)), 8)
            let current = s.rate ?? 1
            let sends = s.passed.filter { $0 < sentAt }.sorted()
            var rate: Double
            switch s.phase {
            case .unknown:
                // Requests sent before this one that are still in flight count later.
                s.firstLimitSentAt = sentAt
                s.burst = Double(sends.count)
                rate = 2 * max(s.burst, 1)
                s.phase = .probing
            case .probing, .steady:
                // Before the first 429 the server let through its burst plus its rate over that
                // first window: take the rate out of the count, refining both together.
                let firstWindow = max(0, (s.firstLimitSentAt ?? 0) - (s.firstSentAt ?? 0))
                var burst = max(s.burst, 1)
                var measured = 0.0
                for _ in 0..<3 {
                    measured = Self.lowestRate(explaining: sends, from: s.windowStart, burst: burst, upTo: max(current, 1) * 2)
                    burst = max(1, s.burst - measured * firstWindow)
                }
                // Pace a little below it (a short window measures less precisely), so the job
                // meets no further 429 unless the limit drops.
                let margin = sentAt - s.windowStart >= 2 ? 0.98 : 0.97
                rate = measured > 0 ? min(measured, current) * margin : current / 2
                s.phase = .steady
            }
            rate = max(rate, 0.1)
            if let maxRate { rate = min(rate, maxRate) }
            s.rate = rate
            s.pausedUntil = max(s.pausedUntil, now + pause)
            s.stepStart = s.pausedUntil
            s.windowStart = s.pausedUntil
            s.passed.removeAll()
            s.nextSlot = max(s.nextSlot, s.pausedUntil)
            return (pause, true)
        }
    }

    /// The lowest refill rate at which a token bucket of `burst`, full at `start`, admits every
    /// request sent at `sends` (half a token of slack for timing noise); 0 when there are none.
    static func lowestRate(explaining sends: [Double], from start: Double, burst: Double, upTo ceiling: Double) -> Double {
        guard !sends.isEmpty else { return 0 }
        func admits(_ rate: Double) -> Bool {
            var tokens = burst
            var last = start
            for sent in sends {
                tokens = min(burst, tokens + rate * max(0, sent - last))
                last = max(last, sent)
                tokens -= 1
                if tokens < -0.5 { return false }
            }
            return true
        }
        var low = 0.0
        var high = ceiling
        if !admits(high) { return high }
        for _ in 0..<30 {
            let mid = (low + high) / 2
            if admits(mid) { high = mid } else { low = mid }
        }
        return high
    }

    /// Probes upward while no 429 comes: doubling each step while probing (a step long enough
    /// for two bursts), then 0.1% a second.
    private func grow(_ s: inout State, now: Double) {
        guard let rate = s.rate, now >= s.pausedUntil, s.consecutive429 == 0 else { return }
        if let maxRate, rate >= maxRate { return }
        let (interval, factor): (Double, Double) = switch s.phase {
        case .unknown: (.infinity, 1)
        case .probing: (max(0.1, 2 * s.burst / rate), 2)
        case .steady: (1, 1.001)
        }
        guard now - s.stepStart >= interval else { return }
        s.stepStart = now
        s.rate = min(rate * factor, maxRate ?? .infinity)
    }
}
