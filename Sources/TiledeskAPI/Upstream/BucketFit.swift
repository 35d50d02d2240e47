/// The token-bucket rates that explain what an upstream let through and refused.
///
/// A token bucket (and nginx's leaky bucket, which behaves as one with a capacity of its `burst`
/// plus one) holds at most `capacity` tokens, refills at its rate, and lets a request through when
/// it holds a whole token. Replaying the requests of one stretch of time through such a bucket
/// gives the lowest rate under which every admitted request found its token and the highest
/// under which every refused one did not.
struct BucketFit: Equatable {
    /// One request of the stretch: when it was sent, and whether it went through (nil: unknown).
    struct Request: Equatable {
        var sentAt: Double
        var admitted: Bool?
    }

    /// The lowest consistent rate (requests a second).
    var low: Double
    /// The highest consistent rate; below `low` when no token bucket explains the stretch.
    var high: Double

    /// Whether some token bucket explains every request.
    var isConsistent: Bool { low <= high }

    /// Fits `requests` (sorted by `sentAt`), sent from `start` on.
    /// - Parameters:
    ///   - startTokens: what the bucket held at `start` for a given rate: at least `lowerBound`,
    ///     at most `upperBound` (the bucket's state is known only within a token or so).
    ///   - timeSlack: how far the moment the upstream saw a request may be from `sentAt`.
    ///   - ceiling: rates above this are not considered.
    init(_ requests: [Request], start: Double, capacity: Double, startTokens: @escaping (Double) -> ClosedRange<Double>,
         timeSlack: Double, ceiling: Double) {
        func explains(_ rate: Double, admittedSide: Bool) -> Bool {
            let initial = startTokens(rate)
            var tokens = min(capacity, admittedSide ? initial.upperBound : initial.lowerBound)
            var last = start
            for request in requests {
                let t = request.sentAt
                switch request.admitted {
                case true? where admittedSide:
                    if min(capacity, tokens + rate * max(0, t + timeSlack - last)) < 1 - 1e-9 { return false }
                case false? where !admittedSide:
                    if min(capacity, tokens + rate * max(0, t - timeSlack - last)) >= 1 - 1e-9 { return false }
                default:
                    break
                }
                tokens = min(capacity, tokens + rate * max(0, t - last))
                last = max(last, t)
                // An unknown outcome took a token for the refused side (it makes refusals easier
                // to explain) and none for the admitted side: both bounds stay safe.
                if request.admitted == true || (request.admitted == nil && !admittedSide) { tokens = max(tokens - 1, -capacity) }
            }
            return true
        }
        /// The boundary of a predicate that is false below it and true above it.
        func boundary(_ trueAbove: (Double) -> Bool) -> Double {
            var (below, above) = (0.0, ceiling)
            for _ in 0..<40 {
                let middle = (below + above) / 2
                if trueAbove(middle) { above = middle } else { below = middle }
            }
            return above
        }
        low = explains(0, admittedSide: true) ? 0 : boundary { explains($0, admittedSide: true) }
        high = explains(ceiling, admittedSide: false) ? ceiling : boundary { !explains($0, admittedSide: false) }
    }
}
