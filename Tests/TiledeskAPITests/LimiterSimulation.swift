import EmulatorServer
import Foundation
@testable import TiledeskAPI

/// A bulk job replayed in simulated time: `concurrency` workers send `requests` requests through a
/// `RateEstimator`, each answered by one of the emulator's limiters after a loopback-like latency.
/// Deterministic (a fixed pseudo-random jitter), and a 40-second job takes milliseconds.
struct LimiterSimulation {
    struct Result {
        /// Simulated seconds until the last request went through.
        var seconds: Double
        /// 429s the limiter sent.
        var refused: Int
        /// Requests that went through.
        var done: Int
        /// The lowest pace the estimator chose after its first measurement.
        var lowestPace: Double
    }

    var shape: LimiterShape
    var retryAfter: RetryAfterStyle
    var requests: Int
    var concurrency = 8
    var latency = 0.0005
    var jitter = 0.0002
    var rateLimitWait = 120.0
    /// Where within a wall-clock second the job starts: an HTTP date's whole seconds fall
    /// anywhere in a real job's windows.
    var clockOffset = 0.0
    var maxRate: Double?

    /// Runs the job; gives up after `limit` simulated seconds.
    func run(limit: Double = 2_000) -> Result {
        var estimator = RateEstimator(maxRate: maxRate)
        var server = LimiterState(shape)
        var random = SplitMix(seed: 1)
        var events = EventQueue()
        var waiting: [Int] = Array(0..<concurrency)
        var remaining = requests - concurrency
        var result = Result(seconds: 0, refused: 0, done: 0, lowestPace: .infinity)
        var scheduled: Double?
        var lastArrival = 0.0

        func schedule(_ now: Double) {
            guard !waiting.isEmpty, let due = estimator.nextRelease(after: now), due != scheduled else { return }
            scheduled = due
            events.push(max(due, now), .dispatch(due))
        }

        schedule(0)
        while let (now, event) = events.pop(), now <= limit {
            switch event {
            case .dispatch(let due):
                guard due == scheduled else { continue }
                scheduled = nil
                while !waiting.isEmpty, let next = estimator.nextRelease(after: now), next <= now {
                    let worker = waiting.removeFirst()
                    let ticket = estimator.release(now: now)
                    // Requests reach the limiter in the order they were sent, as on one loopback link.
                    let arrival = max(now + latency / 2 + random.next() * jitter, lastArrival)
                    lastArrival = arrival
                    let decision = server.admit(at: arrival)
                    var answer = arrival + latency / 2 + random.next() * jitter
                    var wait: Double?
                    switch decision {
                    case .admitted(let delay): answer += delay
                    case .refused(let seconds): wait = seconds
                    }
                    let header = wait.flatMap { retryAfter.header(wait: $0, now: Date(timeIntervalSince1970: 1_000_000 + clockOffset + arrival)) }
                    let honoured = wait == nil ? nil
                        : RetryAfter.seconds(header, now: Date(timeIntervalSince1970: 1_000_000 + clockOffset + answer), limit: rateLimitWait)
                    events.push(answer, .answer(worker, ticket, refused: wait != nil, retryAfter: honoured))
                }
            case .answer(let worker, let ticket, let refused, let retryAfter):
                if refused {
                    result.refused += 1
                    estimator.refused(ticket, retryAfter: retryAfter, fromDate: self.retryAfter == .date, now: now)
                    waiting.append(worker)
                } else {
                    estimator.admitted(ticket, now: now)
                    result.done += 1
                    result.seconds = now
                    if remaining > 0 {
                        remaining -= 1
                        waiting.append(worker)
                    }
                }
                if estimator.phase == .steady, let pace = estimator.rate(at: now) { result.lowestPace = min(result.lowestPace, pace) }
            }
            schedule(now)
        }
        return result
    }

    /// The time the limit allows for the job: requests over the sustained rate, or a fixed
    /// window's whole windows.
    var ideal: Double {
        if case .fixedWindow(let limit, let seconds) = shape { return (Double(requests) / Double(limit)).rounded(.up) * seconds }
        return Double(requests) / shape.sustainedRate
    }

    private enum Event {
        case dispatch(Double)
        case answer(Int, RateEstimator.Ticket, refused: Bool, retryAfter: Double?)
    }

    /// Events by time, first in first out at equal times.
    private struct EventQueue {
        private var items: [(time: Double, order: Int, event: Event)] = []
        private var order = 0

        mutating func push(_ time: Double, _ event: Event) {
            order += 1
            let index = items.firstIndex { $0.time > time } ?? items.endIndex
            items.insert((time, order, event), at: index)
        }

        mutating func pop() -> (Double, Event)? {
            guard !items.isEmpty else { return nil }
            let item = items.removeFirst()
            return (item.time, item.event)
        }
    }

    /// A small deterministic generator of numbers in 0..<1.
    private struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }
}
