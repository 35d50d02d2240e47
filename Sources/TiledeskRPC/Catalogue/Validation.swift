import Foundation

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
