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

    /// A practical address check: one `@`, no spaces or control characters, a dotted domain
    /// with non-empty labels, at most 254 bytes.
    public static func isEmail(_ s: String) -> Bool {
        guard s.utf8.count <= 254, !s.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" }) else { return false }
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64 else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }
    }
}
