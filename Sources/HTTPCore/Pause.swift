/// Suspends the current task for a number of seconds given as a `Double`, which may be absurd:
/// negative or NaN is no wait at all, and anything longer than a year is a year, so no value from
/// a flag or a server can overflow the conversion to nanoseconds.
public func pause(seconds: Double) async throws {
    guard seconds > 0 else { return }
    try await Task.sleep(nanoseconds: UInt64(min(seconds, pauseLimit) * 1e9))
}

/// The longest `pause(seconds:)` sleeps: a year, far below `UInt64.max` nanoseconds.
public let pauseLimit: Double = 365 * 86_400
