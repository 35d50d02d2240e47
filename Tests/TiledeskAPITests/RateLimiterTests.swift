import EmulatorServer
import Foundation
import HTTPCore
import Testing
@testable import TiledeskAPI

/// The rate estimator against every limiter shape, in simulated time (`LimiterSimulation`): a bulk
/// job finishes with no request failing, close to the time the limit allows, whatever the shape
/// and whatever the upstream says in `Retry-After`.
@Suite struct RateLimitConvergenceTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var shape: LimiterShape
        var style: RetryAfterStyle
        var requests: Int
        /// The most the job may take, as a multiple of the ideal.
        var bound: Double
        var testDescription: String { "\(shape) \(style) \(requests) requests" }
    }

    static let shapes: [(LimiterShape, Int)] = [
        (.tokenBucket(rate: 100, burst: 10), 4_000), (.tokenBucket(rate: 10, burst: 10), 400), (.tokenBucket(rate: 3.3, burst: 10), 132),
        (.slidingWindow(limit: 10, seconds: 1), 400), (.slidingWindow(limit: 100, seconds: 1), 4_000),
        (.fixedWindow(limit: 10, seconds: 1), 400), (.fixedWindow(limit: 100, seconds: 1), 4_000),
        (.fixedWindow(limit: 200, seconds: 60), 400),
        (.leakyBucket(rate: 10, burst: 5, delay: true), 400), (.leakyBucket(rate: 100, burst: 10, delay: true), 4_000),
        (.leakyBucket(rate: 100, burst: 10, delay: false), 4_000),
    ]

    static let cases: [Case] = shapes.flatMap { shape, requests in
        RetryAfterStyle.allCases.map { Case(shape: shape, style: $0, requests: requests, bound: 1.10) }
    }

    @Test("a 40-second bulk job finishes within 1.10 of the ideal with no failure", arguments: cases)
    func converges(_ c: Case) {
        let simulation = LimiterSimulation(shape: c.shape, retryAfter: c.style, requests: c.requests)
        let result = simulation.run(limit: simulation.ideal * 4)
        #expect(result.done == c.requests)
        #expect(result.seconds / simulation.ideal <= c.bound, "took \(result.seconds) s for an ideal of \(simulation.ideal) s, \(result.refused) 429s")
    }

    /// At the bridge's real round trip (a few milliseconds, 8 at a time) the first 100 requests
    /// take 0.09 s, and `Retry-After: 1` (the time to the reset, rounded up) reopens at 1.09 s: a
    /// window measured as 1.09 s paced the job at 1.13 of the ideal. One whole second fits the
    /// bounds, so the window is taken as one second.
    @Test(arguments: [LimiterShape.fixedWindow(limit: 100, seconds: 1), .slidingWindow(limit: 100, seconds: 1)])
    func wholeSecondRetryAfterDoesNotStretchAWindow(_ shape: LimiterShape) {
        var simulation = LimiterSimulation(shape: shape, retryAfter: .seconds, requests: 4_000)
        simulation.latency = 0.007
        let result = simulation.run(limit: simulation.ideal * 4)
        #expect(result.done == 4_000)
        #expect(result.seconds / simulation.ideal <= 1.06, "took \(result.seconds) s for an ideal of \(simulation.ideal) s")
    }

    /// An HTTP date counts whole seconds of the wall clock, which fall anywhere in a real job's
    /// windows: rounded down, it reopened up to a second before the reset, measured the window
    /// short and met a 429 in most windows after (1.05-1.085 of the ideal, 23-60 429s). The first
    /// pause now lasts to the whole second the window implies, wherever the job starts.
    @Test(arguments: [0.2, 0.45, 0.7, 0.9])
    func aDateRetryAfterAnywhereWithinASecond(_ offset: Double) {
        for shape in [LimiterShape.fixedWindow(limit: 100, seconds: 1), .slidingWindow(limit: 100, seconds: 1)] {
            var simulation = LimiterSimulation(shape: shape, retryAfter: .date, requests: 4_000)
            simulation.latency = 0.007
            simulation.clockOffset = offset
            let result = simulation.run(limit: simulation.ideal * 4)
            #expect(result.done == 4_000)
            #expect(result.seconds / simulation.ideal <= 1.04, "\(shape): took \(result.seconds) s for an ideal of \(simulation.ideal) s")
            #expect(result.refused <= 15, "\(shape): \(result.refused) 429s")
        }
    }

    /// The same rule must not shorten a window that is not a whole number of seconds for good:
    /// the first 429 at the paced rate gives the length back as measured.
    @Test func aWindowOfOneAndAHalfSecondsIsNotTakenForOne() {
        // One at a time: the first 100 take 0.7 s, `Retry-After: 1` reopens at 1.7 s, and one
        // whole second fits the bounds although the window is 1.5 s.
        var simulation = LimiterSimulation(shape: .fixedWindow(limit: 100, seconds: 1.5), retryAfter: .seconds, requests: 1_000)
        simulation.latency = 0.007
        simulation.concurrency = 1
        let result = simulation.run(limit: simulation.ideal * 4)
        #expect(result.done == 1_000)
        #expect(result.refused <= 5, "\(result.refused) 429s")
        #expect(result.seconds / simulation.ideal <= 1.22, "took \(result.seconds) s for an ideal of \(simulation.ideal) s")
    }

    /// The reported collapse: 10 in any second, `Retry-After: 1`, 100 requests took 112 s and
    /// the pace fell to 0.1/s.
    @Test func aSlidingWindowDoesNotCollapseThePace() {
        let simulation = LimiterSimulation(shape: .slidingWindow(limit: 10, seconds: 1), retryAfter: .seconds, requests: 100)
        let result = simulation.run(limit: 200)
        #expect(result.done == 100)
        #expect(result.seconds <= 11.5, "took \(result.seconds) s (ideal 10 s)")
        #expect(result.lowestPace >= 9, "paced as low as \(result.lowestPace)/s")
        #expect(result.refused <= 20)
    }

    /// nginx without a burst refuses any request closer than 1/rate to the last: slower to find,
    /// but found, never collapsing.
    @Test(arguments: [RetryAfterStyle.seconds, .none])
    func strictSpacingIsFound(_ style: RetryAfterStyle) {
        let simulation = LimiterSimulation(shape: .leakyBucket(rate: 30, burst: 0, delay: false), retryAfter: style, requests: 1_200)
        let result = simulation.run(limit: simulation.ideal * 4)
        #expect(result.done == 1_200)
        #expect(result.seconds / simulation.ideal <= 1.3, "took \(result.seconds) s")
    }

    /// nginx at 10/s holding back a burst of 5, `Retry-After: 1`, a 20-second job: the pause
    /// after the first 429 and then a ramp and two more 429s, each pausing everything for a whole
    /// second, made it 1.12 of the ideal. The held answers come back one every 0.1 s: that
    /// staircase is the rate, so the pace is set from it without a ramp.
    @Test(arguments: [(10.0, 200), (3.3, 66)])
    func aLimiterThatHoldsRequestsBackIsPacedFromItsStaircase(_ rate: Double, _ requests: Int) {
        var simulation = LimiterSimulation(shape: .leakyBucket(rate: rate, burst: 5, delay: true), retryAfter: .seconds, requests: requests)
        simulation.latency = 0.007
        let result = simulation.run(limit: simulation.ideal * 4)
        #expect(result.done == requests)
        #expect(result.refused <= 2, "\(result.refused) 429s")
        #expect(result.seconds / simulation.ideal <= 1.06, "took \(result.seconds) s for an ideal of \(simulation.ideal) s")
    }

    /// Hosted Tiledesk's rate, 3.3/s, as a token bucket telling its reset as a date: a date is
    /// the reset rounded down, so a pause can end before a token is back, and a ramp refused
    /// before anything went through was read as a rate near zero (1.44 of the ideal when the job
    /// started 0.6 s into a wall-clock second). Such a cycle now leaves the pace as it was.
    @Test(arguments: [0.0, 0.3, 0.6, 0.9])
    func aRampRefusedBeforeAnythingWentThroughKeepsItsPace(_ offset: Double) {
        var simulation = LimiterSimulation(shape: .tokenBucket(rate: 3.3, burst: 10), retryAfter: .date, requests: 132)
        simulation.latency = 0.007
        simulation.clockOffset = offset
        let result = simulation.run(limit: simulation.ideal * 4)
        #expect(result.done == 132)
        #expect(result.seconds / simulation.ideal <= 1.05, "took \(result.seconds) s for an ideal of \(simulation.ideal) s")
    }

    @Test func maxRatePacesFromTheStart() {
        var simulation = LimiterSimulation(shape: .tokenBucket(rate: 100, burst: 10), retryAfter: .seconds, requests: 500)
        simulation.maxRate = 50
        let result = simulation.run()
        #expect(result.refused == 0)
        #expect(abs(result.seconds - 10) < 0.2, "took \(result.seconds) s at 50/s")
    }
}

/// The rate read from a limiter that holds requests back (`DrainRate`), and the pace kept when
/// timers wake late.
@Suite struct PacingDetailTests {
    private static func answers(_ trips: [Double], sentAt: Double = 5) -> [DrainRate.Answer] {
        trips.map { DrainRate.Answer(sentAt: sentAt, roundTrip: $0) }
    }

    @Test func aStaircaseOfHeldAnswersIsTheRate() {
        // nginx at 10/s, burst 5: one through at once, five held 0.1 s apart.
        let rate = DrainRate.read(Self.answers([0.002, 0.102, 0.202, 0.302, 0.402, 0.502]))
        #expect(rate.map { abs($0 - 10) < 0.01 } == true, "\(String(describing: rate))")
    }

    @Test func latencyThatMerelyVariesIsNoStaircase() {
        #expect(DrainRate.read(Self.answers([0.150, 0.420, 0.180, 0.610, 0.470, 0.200])) == nil)
        #expect(DrainRate.read(Self.answers([0.002, 0.002, 0.003, 0.002])) == nil)  // nothing held
        #expect(DrainRate.read(Self.answers([0.002, 0.102, 0.202])) == nil)  // two held: one step
        #expect(DrainRate.read([]) == nil)
    }

    /// A timer wakes a little late, and each release used to count from when it was made: at
    /// 100/s, 0.5 ms late each time paced at 95/s. Late by less than an interval, a release now
    /// counts from when it was due.
    @Test func lateReleasesDoNotSlowThePace() {
        var estimator = RateEstimator(maxRate: 100)
        var now = 0.0
        for _ in 0..<1_000 {
            guard let due = estimator.nextRelease(after: now) else { Issue.record("no release"); return }
            now = due + 0.0005
            estimator.admitted(estimator.release(now: now), now: now + 0.001)
        }
        #expect(abs(now - 10) < 0.05, "1,000 releases took \(now) s at 100/s")
    }

    /// After idling, a release counts from when it is made: no burst makes up for the idle time.
    @Test func aReleaseAfterIdlingStartsAfresh() {
        var estimator = RateEstimator(maxRate: 10)
        _ = estimator.release(now: 0)
        _ = estimator.release(now: 5)
        #expect(estimator.nextRelease(after: 5) == 5.1)
    }
}

/// `Retry-After` in every form a server sends, and every absurd one it might.
@Suite struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func aDateIsToldFromDelaySeconds() {
        #expect(RetryAfter.isDate("Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(!RetryAfter.isDate(" 120 "))
        #expect(!RetryAfter.isDate(nil) && !RetryAfter.isDate(""))
    }

    @Test func secondsAndDatesAreHonoured() {
        #expect(RetryAfter.seconds("7", now: now, limit: 120) == 7)
        #expect(RetryAfter.seconds(" 120 ", now: now, limit: 120) == 120)
        let inTenSeconds = HTTPDate.format(now.addingTimeInterval(10))
        #expect(RetryAfter.seconds(inTenSeconds, now: now, limit: 120) == 10)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"))
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == Date(timeIntervalSince1970: 784_111_777))
        #expect(HTTPDate.format(Date(timeIntervalSince1970: 784_111_777)) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test("an absurd value is no value", arguments: ["inf", "1e400", "999999999", "121", "0x10", "-1", "1.5", "0", "NaN", "soon", "", "Sun, 06 Nov 1994 08:49:37 GMT"])
    func absurdIsMissing(_ header: String) {
        #expect(RetryAfter.seconds(header, now: now, limit: 120) == nil)
    }
}

/// The dispatcher: who goes first, who waits for a 429 to pass, who gives up.
@Suite struct RateLimiterDispatchTests {
    /// A clock the test moves by hand; sleepers wake when it passes their time.
    final class ManualClock: @unchecked Sendable {
        private let lock = NSLock()
        private var time = 100.0
        private var sleepers: [(until: Double, continuation: CheckedContinuation<Void, Never>)] = []

        var limiterClock: RateLimiter.Clock {
            RateLimiter.Clock(now: { self.now }, sleep: { until in await self.sleep(until: until) })
        }
        var now: Double { lock.withLock { time } }

        func sleep(until: Double) async {
            await withCheckedContinuation { continuation in
                let wakeNow = lock.withLock { () -> Bool in
                    if until <= time { return true }
                    sleepers.append((until, continuation))
                    return false
                }
                if wakeNow { continuation.resume() }
            }
        }

        func advance(to newTime: Double) {
            let due = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
                time = newTime
                let due = sleepers.filter { $0.until <= newTime }.map(\.continuation)
                sleepers.removeAll { $0.until <= newTime }
                return due
            }
            due.forEach { $0.resume() }
        }
    }

    final class Order: @unchecked Sendable {
        private let lock = NSLock()
        private var names: [String] = []
        func add(_ name: String) { lock.withLock { names.append(name) } }
        var all: [String] { lock.withLock { names } }
    }

    /// Waits (in real time, briefly) until `condition` holds.
    func eventually(_ condition: () -> Bool) async {
        for _ in 0..<2_000 where !condition() { try? await Task.sleep(nanoseconds: 1_000_000) }
    }

    /// Puts the limiter in a pause of `seconds` with one 429.
    func pauseLimiter(_ limiter: RateLimiter, seconds: Double) async throws {
        let ticket = try await limiter.acquire(priority: .first, deadline: .infinity)
        _ = limiter.refused(ticket, retryAfter: seconds)
    }

    @Test func backgroundWaitsForCallersAndForTheBackoff() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(maxRate: nil, clock: clock.limiterClock)
        try await pauseLimiter(limiter, seconds: 1)
        let order = Order()
        var tasks: [Task<Void, Never>] = []
        for (name, priority) in [("background", RequestPriority.background), ("first", .first), ("follow-up", .followUp)] {
            tasks.append(Task {
                guard let ticket = try? await limiter.acquire(priority: priority, deadline: .infinity) else { return }
                order.add(name)
                limiter.admitted(ticket)
            })
            await eventually { limiter.waitingCount == tasks.count }
        }
        #expect(limiter.waitingCount == 3)
        clock.advance(to: 101.5)  // the pause is over: the pace starts low and ramps up
        await eventually { order.all.count == 1 }
        clock.advance(to: 101.9)
        await eventually { order.all.count == 2 }
        #expect(order.all == ["follow-up", "first"])
        #expect(limiter.waitingCount == 1, "background waits out the backoff after a 429")
        clock.advance(to: 110)
        for task in tasks { await task.value }
        #expect(order.all == ["follow-up", "first", "background"])
    }

    @Test func aTurnBeyondTheDeadlineFailsAtOnceWithTheWait() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(maxRate: nil, clock: clock.limiterClock)
        try await pauseLimiter(limiter, seconds: 30)
        do {
            _ = try await limiter.acquire(priority: .first, deadline: clock.now + 10)
            Issue.record("no error")
        } catch let error as TiledeskError {
            #expect(error.kind == .rateLimited)
            #expect(error.retryAfter == 30)
        }
    }

    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(maxRate: nil, clock: clock.limiterClock)
        try await pauseLimiter(limiter, seconds: 5)
        let waiter = Task { try await limiter.acquire(priority: .first, deadline: .infinity) }
        await eventually { limiter.waitingCount == 1 }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(limiter.waitingCount == 0)
    }
}

@Suite struct AsyncSemaphoreTests {
    final class Order: @unchecked Sendable {
        private let lock = NSLock()
        private var names: [String] = []
        func add(_ name: String) { lock.withLock { names.append(name) } }
        var all: [String] { lock.withLock { names } }
    }

    /// Waits until `count` tasks are queued on the semaphore.
    func settle(_ semaphore: AsyncSemaphore, _ count: Int) async {
        for _ in 0..<5000 where semaphore.waitingCount < count { try? await Task.sleep(nanoseconds: 1_000_000) }
    }

    @Test func priorityOrderThenFirstComeFirstServed() async throws {
        let semaphore = AsyncSemaphore(1)
        try await semaphore.acquire()
        let order = Order()
        var tasks: [Task<Void, Never>] = []
        let arrivals: [(String, RequestPriority)] = [("a", .first), ("bg", .background), ("b", .first), ("c", .followUp), ("d", .first), ("e", .followUp)]
        for (index, (name, priority)) in arrivals.enumerated() {
            tasks.append(Task {
                try? await semaphore.acquire(priority: priority)
                order.add(name)
                semaphore.release()
            })
            await settle(semaphore, index + 1)
        }
        #expect(semaphore.waitingCount == 6)
        semaphore.release()
        for task in tasks { await task.value }
        #expect(order.all == ["c", "e", "a", "b", "d", "bg"])
    }

    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        let semaphore = AsyncSemaphore(1)
        try await semaphore.acquire()
        let waiter = Task { try await semaphore.acquire() }
        await settle(semaphore, 1)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        semaphore.release()
        try await semaphore.acquire()  // the permit was not lost to the cancelled waiter
    }
}
