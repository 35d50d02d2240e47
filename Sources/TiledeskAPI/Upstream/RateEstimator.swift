import Foundation

/// Finds the pace an upstream's rate limit allows, whatever its shape, from what it let through
/// and refused, and decides when each request may go.
///
/// Time is divided into cycles: sending, a 429, a pause (the server's `Retry-After`, or probes one
/// at a time when it sent none or an absurd one), then sending again. Each cycle's requests are
/// replayed through two models of the limiter:
///
/// - a token bucket (also nginx's leaky bucket), whose capacity is what the first cycle let
///   through and whose rate is bracketed by `BucketFit`;
/// - a window of that many requests per the first cycle's length (fixed or sliding; a whole
///   number of seconds when a whole-second `Retry-After` leaves exactly one possible), kept only
///   while nothing contradicts it: no more than twice that many let through in any span of the
///   window, and no refusal with fewer than that many let through in the span before.
///
/// After the first 429 the pace ramps up from the first cycle's average, doubling every 0.1 s,
/// until the next 429 measures the limit; from then on it paces just below what the models allow
/// (the window's rate where it holds, else the bucket's) and creeps toward the top of what they
/// allow until a 429 at a steady pace says it is there. A limiter that held the first cycle's
/// excess back rather than refusing it (nginx without `nodelay`) showed its rate in when it
/// answered (`DrainRate`), and is paced from that at once, with no ramp. `--max-rate` caps every
/// pace.
///
/// A value type driven by explicit times (seconds on any monotonic clock), so it can be replayed
/// against simulated limiters; `RateLimiter` runs it on the real clock.
struct RateEstimator {
    /// A request's place in the record, returned when it is released and passed back with its outcome.
    struct Ticket: Hashable, Sendable {
        let cycle: Int
        let index: Int
        /// When the request was released to go upstream.
        let sentAt: Double
    }

    enum Phase: Equatable {
        /// No 429 yet: no pacing unless `--max-rate`.
        case unknown
        /// After the first 429: doubling until the next one measures the limit.
        case ramp
        /// Pacing just below the measured limit.
        case steady
    }

    /// A window of `limit` requests per `seconds` (between `seconds` and `longest`, as measured).
    struct Window: Equatable {
        var limit: Int
        var seconds: Double
        var longest: Double
        /// Whether `seconds` was taken as a whole number of seconds rather than as measured.
        var isSnapped = false
        var rate: Double { Double(limit) / seconds }

        /// The window measured from a first cycle that began at `start`, met its first 429 at
        /// `end` and reopened at `reopened`. A `Retry-After` in whole seconds is the time to the
        /// reset rounded up, so the reset lies within the second before `reopened`, and the window
        /// is at least as long as the cycle it let through: when exactly one whole number of
        /// seconds fits between those bounds, windows are that long (limiters count in whole
        /// seconds and minutes), and the rounding no longer slows the pace.
        init(limit: Int, start: Double, end: Double, reopened: Double, probedEnd: Double?, wholeSecondRetryAfter: Bool) {
            self.limit = limit
            longest = reopened - start
            seconds = (probedEnd ?? reopened) - start
            guard wholeSecondRetryAfter, probedEnd == nil else { return }
            let whole = longest.rounded(.down)
            if whole >= 1, whole >= end - start, whole > longest - 1 { (seconds, isSnapped) = (whole, true) }
        }
    }

    private struct Cycle {
        let serial: Int
        var start: Double
        /// Seconds the previous cycle's pause lasted (nil: unknown, the record was cut).
        var pauseBefore: Double?
        /// When its first 429 arrived.
        var end: Double?
        /// Middle of the last refused probe and the one that went through, when probes ended its pause.
        var probedEnd: Double?
        var requests: [BucketFit.Request] = []
        /// Requests dropped from the front of `requests` to bound memory.
        var dropped = 0

        var admittedBeforeEnd: Int {
            requests.reduce(0) { $0 + ($1.admitted == true && $1.sentAt <= (end ?? .infinity) ? 1 : 0) }
        }
    }

    static let margin = 0.97
    static let rampDoubling = 0.1
    /// A bracket this tight is a measurement; looser, the pace may probe toward its top.
    static let narrow = 1.15
    /// A bracket this loose after the ramp says nothing: ramp again.
    static let vague = 2.0
    static let probeGrowth = 1.2
    static let steadyGrowthPerSecond = 0.02
    static let maxRequestsPerCycle = 20_000

    let maxRate: Double?
    private(set) var phase = Phase.unknown
    /// The pace: a ramp's base, or the steady rate; nil while unknown (unless `maxRate`).
    private var baseRate: Double?
    private var rampStart = 0.0
    /// Where a steady pace may grow to.
    private var upper: Double?
    private var lastRelease = -Double.infinity
    private(set) var pausedUntil = -Double.infinity
    /// A 429 ended the cycle: estimate when sending resumes.
    private var estimateDue = false
    /// Pausing without the server's word: one probe at a time until one goes through.
    private var probing = false
    private var probe: Ticket?
    private var probesRefused = 0
    private var lastRefusedProbe = 0.0
    private var backoff = 0.0
    /// The last pause came from a `Retry-After` in whole seconds.
    private var wholeSecondRetryAfter = false
    /// A second ramp was tried after a vague first measurement.
    private var rampedAgain = false
    /// What the first cycle let through: the bucket's capacity or the window's limit.
    private var burst = 0
    private(set) var window: Window?
    private var cycles: [Cycle] = []
    private var nextSerial = 0
    /// Send times of admitted requests, for the window checks.
    private var admittedTimes = RingBuffer(capacity: 65_536)
    /// Recent round trips, for the time slack.
    private var roundTrips = RingBuffer(capacity: 64)
    /// The first cycle's last answers that went through, for a limiter that holds requests back.
    private var firstAnswers: [DrainRate.Answer] = []
    /// What the last estimate decided, for the log.
    private(set) var lastEstimate: String?

    init(maxRate: Double?) {
        self.maxRate = maxRate
        baseRate = maxRate
    }

    /// The pace at `time` (nil: unpaced).
    func rate(at time: Double) -> Double? {
        guard var rate = baseRate else { return nil }
        switch phase {
        case .ramp: rate *= exp2(max(0, time - rampStart) / Self.rampDoubling)
        case .steady: if let upper, rate < upper { rate = min(upper, rate * (1 + Self.steadyGrowthPerSecond * max(0, time - rampStart))) }
        case .unknown: break
        }
        return maxRate.map { min($0, rate) } ?? rate
    }

    // MARK: Releasing

    /// When the next request may go, or nil while a probe is out.
    func nextRelease(after now: Double) -> Double? {
        if probing, probe != nil { return nil }
        var time = max(now, pausedUntil)
        if pacingFromLastRelease { time = max(time, following(lastRelease)) }
        return time
    }

    /// Whether the pace spaces the next release from the last: paced, not probing, and the last
    /// release belongs to the current pace (not to one before a pause).
    private var pacingFromLastRelease: Bool { baseRate != nil && !probing && lastRelease >= rampStart - 1e-12 }

    /// When a release at `now` counts as made, for the pace: when it was due, if it is late by less
    /// than one interval. A timer wakes a little late, and counting from the late moment slowed
    /// the pace by that much on every request (a few percent at 100/s); a release long after its
    /// time, from idleness, counts from now, so no burst makes up for it.
    private func paced(releaseAt now: Double) -> Double {
        guard pacingFromLastRelease, now >= pausedUntil else { return now }
        let due = following(lastRelease)
        return now > due && now - due < due - lastRelease ? due : now
    }

    /// When the release after one at `last` is due: one request's worth of the pace.
    private func following(_ last: Double) -> Double {
        guard phase == .ramp, let base = baseRate else { return last + 1 / (rate(at: last) ?? .infinity) }
        // The integral of base * 2^((t - rampStart) / doubling) from last to t is one request.
        let doubling = Self.rampDoubling
        let grown = exp2((last - rampStart) / doubling) + log(2) / (base * doubling)
        let time = rampStart + doubling * log2(grown)
        return maxRate.map { max(time, last + 1 / $0) } ?? time
    }

    /// Releases a request now (`nextRelease` said it may go).
    mutating func release(now: Double) -> Ticket {
        if estimateDue, !probing { resume(at: now) }
        lastRelease = paced(releaseAt: now)
        if cycles.isEmpty { startCycle(at: now, pauseBefore: 0) }
        let index = cycles[cycles.count - 1].requests.count + cycles[cycles.count - 1].dropped
        cycles[cycles.count - 1].requests.append(.init(sentAt: now, admitted: nil))
        trimCurrentCycle()
        let ticket = Ticket(cycle: cycles[cycles.count - 1].serial, index: index, sentAt: now)
        if probing { probe = ticket }
        return ticket
    }

    // MARK: Outcomes

    /// The request went through (any answer but 429).
    mutating func admitted(_ ticket: Ticket, now: Double) {
        note(ticket, admitted: true, now: now)
        if probing, ticket == probe {
            probing = false
            probe = nil
            if probesRefused > 0 { cycles[cycles.count - 1].probedEnd = (lastRefusedProbe + ticket.sentAt) / 2 }
            resume(at: now, reopenedAt: ticket.sentAt, serverPaced: probesRefused > 0)
            lastRelease = now  // the probe was the new cycle's first request
            cycles[cycles.count - 1].requests.append(.init(sentAt: ticket.sentAt, admitted: true))
        }
        admittedTimes.append(ticket.sentAt)
    }

    /// The request met a 429 with `retryAfter` seconds (nil: none, or absurd), which came as an
    /// HTTP date when `fromDate`. Returns true when it starts a pause; false when a pause already
    /// covers it (it was sent before the pause).
    @discardableResult
    mutating func refused(_ ticket: Ticket, retryAfter: Double?, fromDate: Bool = false, now: Double) -> Bool {
        note(ticket, admitted: false, now: now)
        if probing, ticket == probe {
            probe = nil
            probesRefused += 1
            lastRefusedProbe = ticket.sentAt
            if let retryAfter {
                pausedUntil = now + retryAfter
            } else {
                let sincePause = now - (cycles.last?.end ?? now)
                backoff = min(backoff * Self.probeGrowth, 2, max(0.05, 0.1 * sincePause))
                pausedUntil = now + backoff
            }
            return false
        }
        guard let current = cycles.last, current.serial == ticket.cycle, current.end == nil else { return false }
        cycles[cycles.count - 1].end = now
        estimateDue = true
        refuteWindow(refusedAt: ticket.sentAt)
        wholeSecondRetryAfter = retryAfter.map { $0 >= 1 && $0 == $0.rounded() } ?? false
        if var retryAfter {
            // The first pause, told as a date: the date is the reset rounded down to its second,
            // so a window's reset lies in the second after it. When one whole number of seconds
            // from the first request fits there, the pause lasts to it, so the window is measured
            // whole rather than cut short by the rounding.
            if fromDate, phase == .unknown, let start = cycles.last?.start {
                // The server counted from the first request's arrival, half a round trip later.
                let arrival = (roundTrips.values.min() ?? 0) / 2 + 0.001
                let whole = (now + retryAfter - start - arrival).rounded(.up)
                if whole >= 1, whole >= now - start, start + whole < now + retryAfter + 1 { retryAfter = start + whole - now }
            }
            pausedUntil = max(pausedUntil, now + retryAfter)
        } else {
            backoff = rate(at: now).map { min(0.5, max(0.01, 1 / $0)) } ?? 0.05
            pausedUntil = now + backoff
            probing = true
            probesRefused = 0
        }
        return true
    }

    /// The request got no answer at all (a transport failure or cancellation).
    mutating func abandoned(_ ticket: Ticket) {
        if let c = cycles.firstIndex(where: { $0.serial == ticket.cycle }) {
            let i = ticket.index - cycles[c].dropped
            if cycles[c].requests.indices.contains(i), cycles[c].requests[i].admitted == nil { cycles[c].requests.remove(at: i) }
        }
        if ticket == probe { probe = nil }
    }

    private mutating func note(_ ticket: Ticket, admitted: Bool, now: Double) {
        roundTrips.append(now - ticket.sentAt)
        if ticket.cycle == 0, admitted, phase == .unknown {
            firstAnswers.append(.init(sentAt: ticket.sentAt, roundTrip: now - ticket.sentAt))
            if firstAnswers.count > 64 { firstAnswers.removeFirst() }
        }
        guard let c = cycles.firstIndex(where: { $0.serial == ticket.cycle }) else { return }
        let i = ticket.index - cycles[c].dropped
        if cycles[c].requests.indices.contains(i) { cycles[c].requests[i].admitted = admitted }
        if cycles[c].serial == 0, admitted, let end = cycles[c].end, ticket.sentAt <= end { burst = max(burst, cycles[c].admittedBeforeEnd) }
    }

    // MARK: Estimating

    private mutating func startCycle(at time: Double, pauseBefore: Double?) {
        cycles.append(Cycle(serial: nextSerial, start: time, pauseBefore: pauseBefore))
        nextSerial += 1
        if cycles.count > 16 { cycles.removeFirst(cycles.count - 16) }
    }

    /// Sending resumes after a pause: decide the pace from everything seen so far. `reopenedAt`:
    /// when the upstream was first seen taking requests again (a probe's release), if not now.
    private mutating func resume(at now: Double, reopenedAt: Double? = nil, serverPaced: Bool = true) {
        estimateDue = false
        guard let cycle = cycles.last, let end = cycle.end else { return }
        let reopened = reopenedAt ?? now
        let pacedAt = baseRate == nil ? nil : rate(at: end)
        var rate: Double
        switch phase {
        case .unknown:
            burst = max(1, cycle.admittedBeforeEnd)
            let drain = DrainRate.read(firstAnswers.filter { $0.sentAt <= end })
            firstAnswers = []
            if let drain {
                // It held requests back at its rate: that is the pace, with no ramp to find it.
                rate = Self.margin * drain
                upper = rate
                phase = .steady
                lastEstimate = "first 429 after \(burst) requests, the rest held back at \(Self.format(drain))/s"
            } else {
                if serverPaced {
                    window = Window(limit: burst, start: cycle.start, end: end, reopened: reopened, probedEnd: cycle.probedEnd,
                                    wholeSecondRetryAfter: wholeSecondRetryAfter)
                }
                rate = serverPaced ? Double(burst) / max(reopened - cycle.start, 1e-3) : Double(burst)
                phase = .ramp
                lastEstimate = "first 429 after \(burst) requests" + (window.map { ", \($0.limit) per \(Self.format($0.seconds)) s" } ?? "")
            }
        case .ramp where window == nil && cycle.admittedBeforeEnd == 0:
            // Refused before anything went through: the pause was too short for the limiter to
            // refill (an HTTP date is its reset rounded down), which says nothing of its rate.
            rate = baseRate ?? Double(burst)
        case .ramp, .steady:
            refuteWindow(admittedUpTo: end)
            let fit = bucketFit(of: cycle, ceiling: max(4 * (pacedAt ?? 1), 1))
            let narrow = fit.low > 0 && fit.high <= Self.narrow * fit.low
            let vague = fit.low <= 0 || fit.high > Self.vague * fit.low
            var estimate = narrow ? max(fit.low / Self.margin, (fit.low + fit.high) / 2) : (fit.low + fit.high) / 2
            var top = max(estimate, fit.high)
            if !fit.isConsistent { (estimate, top) = (0, 0) }
            // A 429 at a steady pace below a window taken as whole seconds: it is longer, as measured.
            if phase == .steady, var w = window, w.isSnapped {
                (w.seconds, w.isSnapped) = (w.longest, false)
                window = w
            }
            if let window { (estimate, top) = (max(estimate, window.rate), max(top, window.rate)) }
            rate = Self.margin * estimate
            upper = Self.margin * top
            if phase == .steady, let pacedAt {
                // A 429 at this pace: never higher again.
                if window == nil { rate = vague ? 0.9 * pacedAt : min(rate, (narrow ? 0.98 : 0.9) * pacedAt) }
                upper = rate
            }
            if phase == .ramp, window == nil, vague, !rampedAgain {
                rampedAgain = true
                rate = max(fit.low, estimate / 4)  // the measurement said little: ramp once more, lower
            } else {
                phase = .steady
            }
            lastEstimate = window.map { "a window of \($0.limit) per \(Self.format($0.seconds)) s" }
                ?? "a token bucket of \(burst) refilling at \(Self.format(fit.low))–\(Self.format(fit.high))/s"
        }
        rate = max(rate, 0.05)
        if let maxRate { rate = min(rate, maxRate) }
        baseRate = rate
        rampStart = now
        lastRelease = -.infinity
        startCycle(at: reopened, pauseBefore: reopened - end)
    }

    /// The bucket rates that explain `cycle`, its capacity corrected for what refilled while the
    /// first cycle lasted (a slow upstream's first cycle lets through more than the bucket holds).
    /// What the first cycle let through puts the capacity within one token; the middle of that
    /// is taken, since its low end read a bucket of 10 as 9.3 and paced above the limit.
    private func bucketFit(of cycle: Cycle, ceiling: Double) -> BucketFit {
        let requests = cycle.requests.filter { $0.sentAt <= (cycle.end ?? .infinity) }.sorted { $0.sentAt < $1.sentAt }
        let first = cycles[0].requests.filter { $0.admitted == true && $0.sentAt <= (cycles[0].end ?? .infinity) }.map(\.sentAt)
        let span = cycles[0].serial == 0 ? (first.max() ?? 0) - (first.min() ?? 0) : 0
        let pause = cycle.pauseBefore
        var capacity = Double(burst)
        var fit = BucketFit([], start: 0, capacity: 1, startTokens: { _ in 0...0 }, timeSlack: 0, ceiling: 1)
        for _ in 0..<3 {
            let cap = capacity
            // At the previous 429 the bucket held less than a token; then it refilled.
            fit = BucketFit(requests, start: cycle.start, capacity: cap,
                            startTokens: { rate in pause.map { (rate * $0)...(1 + rate * $0) } ?? 0...cap },
                            timeSlack: timeSlack, ceiling: ceiling)
            capacity = min(Double(burst), max(1, Double(burst) - fit.low * span + 0.5))
        }
        return fit
    }

    /// How far the moment the upstream saw a request may be from its release: a millisecond for
    /// the timers, plus half the spread of recent round trips.
    private var timeSlack: Double {
        let trips = roundTrips.values
        guard let least = trips.min(), let most = trips.max() else { return 0.002 }
        return 0.002 + (most - least) / 2
    }

    /// A refusal with fewer than the window's limit let through in the window before it is no window.
    private mutating func refuteWindow(refusedAt time: Double) {
        guard let window else { return }
        if admittedTimes.count(from: time - window.longest * 1.02, to: time) < window.limit - 1 { self.window = nil }
    }

    /// More than twice the limit let through in a span of the window is no window either.
    private mutating func refuteWindow(admittedUpTo time: Double) {
        guard let window else { return }
        let span = window.seconds * 0.98
        let times = admittedTimes.values.filter { $0 <= time }.sorted()
        var first = 0
        for (i, t) in times.enumerated() {
            while times[first] < t - span { first += 1 }
            if i - first + 1 > 2 * window.limit + 1 {
                self.window = nil
                return
            }
        }
    }

    private mutating func trimCurrentCycle() {
        let last = cycles.count - 1
        guard cycles[last].requests.count > Self.maxRequestsPerCycle else { return }
        let drop = Self.maxRequestsPerCycle / 2
        cycles[last].requests.removeFirst(drop)
        cycles[last].dropped += drop
        cycles[last].start = cycles[last].requests[0].sentAt
        cycles[last].pauseBefore = nil
    }

    static func format(_ value: Double) -> String {
        let hundredths = (value * 100).rounded()
        return hundredths.truncatingRemainder(dividingBy: 100) == 0 ? "\(Int(hundredths / 100))" : "\(hundredths / 100)"
    }
}

/// The most recent values appended, at most `capacity` of them.
struct RingBuffer {
    private var storage: [Double] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    mutating func append(_ value: Double) {
        if storage.count < capacity { storage.append(value) } else { storage[next] = value }
        next = (next + 1) % capacity
    }

    var values: [Double] { storage }

    /// How many values lie in `from...to`.
    func count(from: Double, to: Double) -> Int { storage.reduce(0) { $0 + ($1 >= from && $1 <= to ? 1 : 0) } }
}
