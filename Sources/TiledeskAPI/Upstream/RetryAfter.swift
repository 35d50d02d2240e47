import Foundation
import HTTPCore

/// Reads a `Retry-After` header (RFC 9110, section 10.2.3): delay-seconds or an HTTP-date.
///
/// Anything absurd is treated as no header at all, so a broken or hostile upstream can never stop
/// the bridge from serving: a negative, fractional, non-numeric, non-finite or hexadecimal value, a
/// date that is not in the future, or a wait longer than `limit`.
public enum RetryAfter {
    /// Longer than any limit a server means: a day.
    public static let sanityLimit: Double = 86_400

    /// Seconds to wait from `now`, or nil when the header is missing or absurd.
    public static func seconds(_ header: String?, now: Date = Date(), limit: Double) -> Double? {
        guard let raw = header?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        let seconds: Double
        if raw.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // delay-seconds is 1*DIGIT: no sign, fraction, exponent or hexadecimal.
            guard raw.utf8.count <= 15, let value = Double(raw) else { return nil }
            seconds = value
        } else if let date = HTTPDate.parse(raw) {
            seconds = date.timeIntervalSince(now)
        } else {
            return nil
        }
        guard seconds.isFinite, seconds > 0, seconds <= limit else { return nil }
        return seconds
    }

    /// Whether the header is an HTTP date (an instant rounded down to its second) rather than
    /// delay-seconds.
    public static func isDate(_ header: String?) -> Bool {
        guard let raw = header?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return false }
        return !raw.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
