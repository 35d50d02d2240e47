import Foundation
import HTTPCore
import Synchronization

/// One rate limit for the whole process, shared by every request to the API.
///
/// Requests wait here for their turn: callers' later requests first (`followUp`), then their
/// first ones in arrival order, then `background` ones (a watch's polls), which go only when no
/// other request waits and not for a while after a 429. When each may go is decided by a
/// `RateEstimator` (README "Retries, rate limits and timeouts"): unpaced until the upstream first
/// answers 429, then paced just below the limit it measures, whatever the limiter's shape. A 429
/// pauses every request until its `Retry-After`, or, without a usable one, while single probes
/// find out when the upstream takes requests again.
public final class RateLimiter: Sendable {
    typealias Ticket = RateEstimator.Ticket

    /// Time as the limiter sees it: seconds on a monotonic clock, and a way to sleep until one.
    struct Clock: Sendable {
        let now: @Sendable () -> Double
        let sleep: @Sendable (_ until: Double) async throws -> Void

        static let system = Clock(
            now: { ProcessInfo.processInfo.systemUptime },
            sleep: { until in try await pause(seconds: until - ProcessInfo.processInfo.systemUptime) })
    }

    private struct Waiter: QueuedRequest {
        let id: Int
        let priority: RequestPriority
        let deadline: Double
        let continuation: CheckedContinuation<Ticket, any Error>
    }

    private struct State {
        var estimator: RateEstimator
        var waiters: [Waiter] = []
        var nextID = 0
        /// When the dispatch timer will fire next, if one is armed.
        var timer: Double?
        /// Background requests wait until then (after a 429).
        var backgroundHeldUntil = -Double.infinity
        var loggedEstimate: String?
    }

    /// What a dispatch decided, carried out outside the lock.
    private struct Actions {
        var release: [(CheckedContinuation<Ticket, any Error>, Ticket)] = []
        var fail: [(CheckedContinuation<Ticket, any Error>, any Error)] = []
        var wake: Double?
        var log: String?
    }

    private let state: Mutex<State>
    private let clock: Clock
    private let log: DiagnosticLog

    /// - Parameter maxRate: requests a second at most from the start (`--max-rate`); nil: unpaced
    ///   until the upstream answers 429.
    public convenience init(maxRate: Double?, log: DiagnosticLog = .silent) {
        self.init(maxRate: maxRate, clock: .system, log: log)
    }

    init(maxRate: Double?, clock: Clock, log: DiagnosticLog = .silent) {
        self.clock = clock
        self.log = log
        state = Mutex(State(estimator: RateEstimator(maxRate: maxRate)))
    }

    /// The limiter's clock, in seconds.
    public func now() -> Double { clock.now() }

    /// The deadline for a request that starts waiting now and may wait `seconds`.
    public func deadline(after seconds: Double) -> Double { clock.now() + seconds }

    /// Requests waiting for their turn.
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    // MARK: Waiting

    /// Waits for this request's turn and returns its ticket. Throws `TiledeskError(.rateLimited)`
    /// when the turn cannot come before `deadline` (seconds on the limiter's clock), and
    /// `CancellationError` when the task is cancelled while waiting.
    func acquire(priority: RequestPriority, deadline: Double) async throws -> Ticket {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Ticket, any Error>) in
                let cancelled = state.withLock { s -> Bool in
                    if Task.isCancelled { return true }
                    s.waiters.append(Waiter(id: id, priority: priority, deadline: deadline, continuation: continuation))
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) } else { pump() }
            }
        } onCancel: {
            let waiter = state.withLock { s -> Waiter? in
                guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    // MARK: Outcomes

    /// The request got an answer other than 429.
    func admitted(_ ticket: Ticket) {
        let now = clock.now()
        state.withLock { $0.estimator.admitted(ticket, now: now) }
        pump()
    }

    /// The request got a 429 with `retryAfter` seconds (nil: none or absurd). Returns when every
    /// request may go again, and whether this 429 started the pause.
    func refused(_ ticket: Ticket, retryAfter: Double?, fromDate: Bool = false) -> (pausedUntil: Double, newPause: Bool) {
        let now = clock.now()
        let result = state.withLock { s -> (Double, Bool) in
            let started = s.estimator.refused(ticket, retryAfter: retryAfter, fromDate: fromDate, now: now)
            let until = s.estimator.pausedUntil
            if started { s.backgroundHeldUntil = max(s.backgroundHeldUntil, until + max(1, until - now)) }
            return (until, started)
        }
        pump()
        return result
    }

    /// The request got no answer (a transport failure or cancellation).
    func abandoned(_ ticket: Ticket) {
        state.withLock { $0.estimator.abandoned(ticket) }
        pump()
    }

    // MARK: Dispatching

    /// Releases every waiter whose turn has come, fails those whose turn cannot come in time, and
    /// arms the timer for the next turn.
    private func pump() {
        let now = clock.now()
        let actions = state.withLock { s in Self.dispatch(&s, now: now) }
        for (continuation, ticket) in actions.release { continuation.resume(returning: ticket) }
        for (continuation, error) in actions.fail { continuation.resume(throwing: error) }
        if let message = actions.log { log.info(message) }
        guard let wake = actions.wake else { return }
        let arm = state.withLock { s -> Bool in
            guard s.timer.map({ wake < $0 }) ?? true else { return false }
            s.timer = wake
            return true
        }
        guard arm else { return }
        Task { [self, clock] in
            try? await clock.sleep(wake)
            state.withLock { s in if s.timer == wake { s.timer = nil } }
            pump()
        }
    }

    private static func dispatch(_ s: inout State, now: Double) -> Actions {
        var actions = Actions()
        let paused = s.estimator.pausedUntil
        s.waiters.removeAll { waiter in
            guard waiter.deadline < now || paused > waiter.deadline else { return false }
            actions.fail.append((waiter.continuation, Self.noTurn(until: paused, now: now)))
            return true
        }
        while let index = head(of: s.waiters, now: now, backgroundHeldUntil: s.backgroundHeldUntil) {
            guard let due = s.estimator.nextRelease(after: now) else { break }  // a probe is out
            if due > now {
                if due > s.waiters[index].deadline {
                    actions.fail.append((s.waiters.remove(at: index).continuation, Self.noTurn(until: due, now: now)))
                    continue
                }
                actions.wake = due
                break
            }
            let ticket = s.estimator.release(now: now)
            actions.release.append((s.waiters.remove(at: index).continuation, ticket))
        }
        if actions.wake == nil, s.waiters.contains(where: { $0.priority == .background }), s.backgroundHeldUntil > now {
            actions.wake = s.backgroundHeldUntil
        }
        if s.estimator.lastEstimate != s.loggedEstimate, let estimate = s.estimator.lastEstimate {
            s.loggedEstimate = estimate
            let pace = s.estimator.rate(at: now).map { "pacing at \(RateEstimator.format($0))/s" } ?? "unpaced"
            actions.log = "rate limit: \(estimate); \(pace)"
        }
        return actions
    }

    /// The waiter to serve next: the highest priority, first come first served within it;
    /// background ones only when no other waits and no 429 holds them back.
    private static func head(of waiters: [Waiter], now: Double, backgroundHeldUntil: Double) -> Int? {
        guard let best = waiters.nextServed else { return nil }
        if waiters[best].priority == .background, now < backgroundHeldUntil { return nil }
        return best
    }

    private static func noTurn(until: Double, now: Double) -> TiledeskError {
        let wait = until - now
        return TiledeskError(.rateLimited, "rate limited: no turn within the rate-limit wait",
                             retryAfter: wait.isFinite && wait > 0 ? wait.rounded(.up) : nil)
    }
}
