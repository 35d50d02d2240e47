/// Node's and Express's text rules the routes rely on: percent-decoding, HTML escaping, case-insensitive compares.
enum Text {
    /// `decodeURIComponent`: `%XX` sequences must be well formed and decode to valid UTF-8
    /// (else `nil`, which Express turns into an error); `+` stays a plus.
    static func decodeURIComponent(_ text: Substring) -> String? {
        let utf8 = text.utf8
        guard utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let h1 = utf8.index(after: index)
                guard h1 != utf8.endIndex else { return nil }
                let h2 = utf8.index(after: h1)
                guard h2 != utf8.endIndex, let hi = hexValue(utf8[h1]), let lo = hexValue(utf8[h2]) else { return nil }
                out.append(hi << 4 | lo)
                index = utf8.index(after: h2)
            } else {
                out.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// Query-string decoding as `qs` does it: `+` is a space, a malformed `%` sequence is kept as is.
    static func decodeQueryComponent(_ text: Substring) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return String(text) }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count)
        let bytes = Array(utf8)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "+") {
                out.append(0x20)
                i += 1
            } else if byte == UInt8(ascii: "%"), i + 2 < bytes.count,
                let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2])
            {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(byte)
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self) ?? String(text)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `escape-html`, as finalhandler applies it to its 404 page.
    static func escapeHTML(_ text: Substring) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// ASCII case-insensitive equality against a lowercase literal, without allocating.
    static func equalsIgnoringCase(_ text: Substring, _ lowercaseLiteral: StaticString) -> Bool {
        let count = lowercaseLiteral.utf8CodeUnitCount
        guard text.utf8.count == count else { return false }
        let start = lowercaseLiteral.utf8Start
        var i = 0
        for byte in text.utf8 {
            let lowered = (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte + 32 : byte
            if lowered != start[i] { return false }
            i += 1
        }
        return true
    }

    /// MongoDB's sort order of strings (by bytes), a missing value first.
    static func bytewiseLess(_ a: String?, _ b: String?) -> Bool {
        guard let b else { return false }
        guard let a else { return true }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// JavaScript's `\s` (what passport-jwt's header regex splits on).
    static func isJSWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF: true
        default: false
        }
    }

    /// `String.prototype.toLowerCase` for what matters here (emails).
    static func lowercased(_ text: String) -> String {
        if !text.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") || $0 >= 0x80 }) { return text }
        return text.lowercased()
    }
}
