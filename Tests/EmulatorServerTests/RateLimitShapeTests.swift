import Foundation
import HTTPCore
import Testing
@testable import EmulatorServer

/// Each limiter shape decides as the gateway it stands for, in simulated seconds.
@Suite struct RateLimitShapeTests {
    func decisions(_ shape: LimiterShape, at times: [Double]) -> [LimiterDecision] {
        var state = LimiterState(shape)
        return times.map { state.admit(at: $0) }
    }

    @Test func tokenBucketRefillsSmoothlyUpToItsBurst() {
        let d = decisions(.tokenBucket(rate: 10, burst: 2), at: [0, 0, 0, 0.12, 0.12, 60, 60, 60])
        #expect(d[0] == .admitted(delay: 0) && d[1] == .admitted(delay: 0))
        #expect(d[2] == .refused(wait: 0.1))
        #expect(d[3] == .admitted(delay: 0), "a tenth of a second refills one token")
        guard case .refused = d[4] else { Issue.record("\(d[4])"); return }
        #expect(d[5] == .admitted(delay: 0) && d[6] == .admitted(delay: 0))
        guard case .refused = d[7] else { Issue.record("never more than the burst: \(d[7])"); return }
    }

    @Test func fixedWindowCountsFromItsFirstRequest() {
        let d = decisions(.fixedWindow(limit: 2, seconds: 60), at: [10, 20, 30, 69.9, 70, 71, 72])
        #expect(d[0...1].allSatisfy { $0 == .admitted(delay: 0) })
        #expect(d[2] == .refused(wait: 40))
        guard case .refused = d[3] else { Issue.record("\(d[3])"); return }
        #expect(d[4...5].allSatisfy { $0 == .admitted(delay: 0) }, "a new window from 70")
        guard case .refused(let wait) = d[6] else { Issue.record("\(d[6])"); return }
        #expect(abs(wait - 58) < 1e-9)
    }

    @Test func slidingWindowCountsAnySpan() {
        let d = decisions(.slidingWindow(limit: 2, seconds: 1), at: [0, 0.5, 0.9, 1.0, 1.2, 1.4, 1.5])
        #expect(d[0] == .admitted(delay: 0) && d[1] == .admitted(delay: 0))
        guard case .refused(let wait) = d[2] else { Issue.record("\(d[2])"); return }
        #expect(abs(wait - 0.1) < 1e-9)
        #expect(d[3] == .admitted(delay: 0), "the request at 0 left the span")
        guard case .refused = d[4] else { Issue.record("\(d[4])"); return }
        #expect(d[6] == .admitted(delay: 0), "the request at 0.5 left it")
    }

    @Test func leakyBucketIsNginxLimitReq() {
        // rate=10r/s, no burst: requests closer than 100 ms are refused.
        let strict = decisions(.leakyBucket(rate: 10, burst: 0, delay: true), at: [0, 0.05, 0.1, 0.15, 0.2])
        #expect(strict.map { if case .admitted = $0 { true } else { false } } == [true, false, true, false, true])
        // burst=2 without nodelay: the excess is let through, delayed by excess / rate.
        let delayed = decisions(.leakyBucket(rate: 10, burst: 2, delay: true), at: [0, 0, 0, 0])
        #expect(delayed[0...2] == [.admitted(delay: 0), .admitted(delay: 0.1), .admitted(delay: 0.2)])
        guard case .refused = delayed[3] else { Issue.record("\(delayed[3])"); return }
        let nodelay = decisions(.leakyBucket(rate: 10, burst: 2, delay: false), at: [0, 0, 0])
        #expect(nodelay.allSatisfy { $0 == .admitted(delay: 0) })
    }

    @Test func retryAfterComesInEachStyle() throws {
        let now = Date(timeIntervalSince1970: 1_000_000.25)
        #expect(RetryAfterStyle.seconds.header(wait: 0.01, now: now) == "1")
        #expect(RetryAfterStyle.seconds.header(wait: 59.2, now: now) == "60")
        #expect(RetryAfterStyle.none.header(wait: 3, now: now) == nil)
        let date = try #require(RetryAfterStyle.date.header(wait: 2, now: now))
        #expect(date == HTTPDate.format(Date(timeIntervalSince1970: 1_000_002)), "cut to the second, as servers format dates")
    }

    @Test func injectorAnswersWithTheStyleAsked() {
        let injector = FaultInjector()
        injector.setRateLimit(RateLimit(.slidingWindow(limit: 1, seconds: 30), retryAfter: .seconds))
        #expect(injector.admit() == .admitted(delay: 0))
        #expect(injector.admit() == .limited(retryAfter: "30"))
        injector.setRateLimit(RateLimit(rps: 0.1, burst: 1, retryAfter: false))
        #expect(injector.admit() == .admitted(delay: 0))
        #expect(injector.admit() == .limited(retryAfter: nil))
    }
}
