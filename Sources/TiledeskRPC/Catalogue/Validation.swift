import Foundation
import HTTPCore

/// Small syntactic checks shared by configuration and method params.
public enum Validation {
    /// A 24-hex MongoDB ObjectId.
    public static func isObjectID(_ s: String) -> Bool {
        s.utf8.count == 24 && s.utf8.allSatisfy(isHexDigit)
    }

    static func isHexDigit(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 97 && b <= 102) || (b >= 65 && b <= 70)
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 97 && b <= 122) || (b >= 65 && b <= 90)
    }

    /// A practical address check, published as the email params' `pattern` and `maxLength`: one
    /// `@`; no spaces, control characters, `,`, `;`, `<` or `>`; a local part of 1 to 64
    /// characters; a dotted domain whose labels are non-empty and neither start nor end with `-`;
    /// at most 254 characters in all. Written for both ECMA-262 (JSON Schema) and ICU (here).
    public static let emailPattern: String = {
        let local = #"[^\s@,;<>\x00-\x1f]"#
        let edge = #"[^\s@,;<>.\x00-\x1f-]"#
        let inner = #"[^\s@,;<>.\x00-\x1f]"#
        let label = "\(edge)(?:\(inner)*\(edge))?"
        return "^\(local){1,64}@\(label)(?:\\.\(label))+$"
    }()
    public static let emailMaxLength = 254

    public static func isEmail(_ s: String) -> Bool {
        guard s.unicodeScalars.count <= emailMaxLength,
            let regex = try? NSRegularExpression(pattern: emailPattern)
        else { return false }
        let whole = NSRange(s.startIndex..., in: s)
        return regex.firstMatch(in: s, options: [.anchored], range: whole)?.range == whole
    }
}

/// A day of the proleptic Gregorian calendar, read from `YYYY-MM-DD`.
struct CalendarDate: Sendable, Comparable {
    let year: Int, month: Int, day: Int

    /// `nil` unless `text` is exactly `YYYY-MM-DD` and names a day that exists.
    init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: Int64(year))
        else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
    }

    /// The server's `DD/MM/YYYY`.
    var dayMonthYear: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(day))/\(two(month))/\(year)"
    }

    static func < (a: CalendarDate, b: CalendarDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}
