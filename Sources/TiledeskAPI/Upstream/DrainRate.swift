/// The rate of a limiter that holds requests back rather than refusing them, read from when it
/// answered them.
///
/// nginx's `limit_req` without `nodelay` lets the first request through and holds each of the
/// next `burst` until the bucket has drained enough: they come back one every 1/rate seconds,
/// whatever the round trip. So when the first cycle's answers include such a staircase, its step
/// is the rate itself, measured directly, where a pause and a ramp would cost seconds each (a
/// whole-second `Retry-After` pauses everything). Latency that merely varies leaves no regular
/// staircase and reads as nothing.
struct DrainRate {
    /// One answered request: when it was sent, and its round trip.
    struct Answer: Equatable {
        var sentAt: Double
        var roundTrip: Double
    }

    /// Held requests needed to read a staircase (it has one step fewer).
    static let fewestHeld = 3
    /// Consecutive steps may differ by this factor at most.
    static let stepSpread = 1.5

    /// The rate the answers' staircase shows, or nil when there is none.
    static func read(_ answers: [Answer]) -> Double? {
        guard let quickest = answers.map(\.roundTrip).min() else { return nil }
        // Held: answered much later than the quickest round trip allows.
        let threshold = quickest + max(0.01, 2 * quickest)
        let held = answers.filter { $0.roundTrip > threshold }.map { $0.sentAt + $0.roundTrip - quickest }.sorted()
        guard held.count >= fewestHeld else { return nil }
        let steps = zip(held.dropFirst(), held).map { $0 - $1 }
        guard let shortest = steps.min(), let longest = steps.max(), shortest > 0.005,
              longest <= stepSpread * shortest else { return nil }
        return Double(steps.count) / (held[held.count - 1] - held[0])
    }
}
