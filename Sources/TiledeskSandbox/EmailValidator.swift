/// validator.js `isEmail` with express-validator's default options (no display name, TLD
/// required, UTF-8 local part allowed, no IP domains), hand-written without regexes.
enum EmailValidator {
    static func isEmail(_ text: String) -> Bool {
        guard text.utf8.count <= 254, let at = text.lastIndex(of: "@") else { return false }
        let user = text[..<at]
        let domain = text[text.index(after: at)...]
        guard user.utf8.count <= 64, domain.utf8.count <= 254 else { return false }
        return isFQDN(domain) && isLocalPart(user)
    }

    private static func isLocalPart(_ user: Substring) -> Bool {
        if user.first == "\"" {
            // Quoted local part (`"john doe"@x.com`): accepted as long as it is closed.
            return user.count >= 2 && user.last == "\""
        }
        let parts = user.split(separator: ".", omittingEmptySubsequences: false)
        for part in parts {
            guard !part.isEmpty else { return false }
            for scalar in part.unicodeScalars where !isLocalScalar(scalar) { return false }
        }
        return true
    }

    private static let localSpecials = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)

    private static func isLocalScalar(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0xA1...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFEF: return true
        default: return localSpecials.contains(s)
        }
    }

    private static func isFQDN(_ domain: Substring) -> Bool {
        let parts = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let tld = parts.last else { return false }
        // TLD: 2+ letters (Unicode letters allowed), or an `xn--` punycode label; not all digits.
        let tldScalars = Array(tld.unicodeScalars)
        let lettersOnly = tldScalars.count >= 2 && tldScalars.allSatisfy { s in
            switch s.value {
            case 0x41...0x5A, 0x61...0x7A, 0xA1...0xA8, 0xAA...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFEF: true
            default: false
            }
        }
        let punycode = tld.count >= 4 && tld.lowercased().hasPrefix("xn") && tld.dropFirst(2).allSatisfy {
            $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")
        }
        guard lettersOnly || punycode else { return false }
        for part in parts {
            guard !part.isEmpty, part.utf8.count <= 63, part.first != "-", part.last != "-" else { return false }
            for s in part.unicodeScalars {
                switch s.value {
                case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D: continue
                case 0xFF01...0xFF5E: return false  // full-width characters
                case 0xA1...0xFFFF: continue
                default: return false  // includes `_` (underscores not allowed)
                }
            }
        }
        return true
    }
}
