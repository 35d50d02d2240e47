/// Small, allocation-light helpers the emulator needs on every request: Mongo ObjectIds,
/// ISO-8601 timestamps, base64, percent-decoding, HTML escaping, uuid v4.

// MARK: - ObjectId

/// Mongo ObjectIds as the server's Mongoose 5 / bson 1.x sees them.
enum ObjectID {
    /// The canonical (lowercase hex) form of `text` when bson's `ObjectId.isValid` accepts it,
    /// else `nil`. bson 1.x accepts 24 hex digits in any case **and any 12-character string**
    /// (read as 12 raw bytes), so `abcdefghijkl` is a well-formed id that simply matches nothing.
    static func canonical(_ text: String) -> String? {
        let utf8 = text.utf8
        if utf8.count == 24 {
            var out = [UInt8]()
            out.reserveCapacity(24)
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): out.append(byte)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): out.append(byte + 32)
                default: return nil
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        // JavaScript's `length` counts UTF-16 code units.
        if text.utf16.count == 12 {
            var out = [UInt8]()
            out.reserveCapacity(24)
            for unit in text.utf16 {
                let byte = UInt8(truncatingIfNeeded: unit)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            }
            return String(decoding: out, as: UTF8.self)
        }
        return nil
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

/// Makes fresh ObjectIds: 4-byte seconds, 5 random bytes fixed per emulator, 3-byte counter.
struct ObjectIDGenerator {
    private let processBytes: [UInt8]
    private var counter: UInt32

    init() {
        var rng = SystemRandomNumberGenerator()
        processBytes = (0..<5).map { _ in UInt8.random(in: 0...255, using: &rng) }
        counter = UInt32.random(in: 0...0xFF_FFFF, using: &rng)
    }

    mutating func next(nowMillis: Int64) -> String {
        counter = (counter &+ 1) & 0xFF_FFFF
        let seconds = UInt32(truncatingIfNeeded: nowMillis / 1000)
        var bytes = [UInt8](repeating: 0, count: 12)
        bytes[0] = UInt8(truncatingIfNeeded: seconds >> 24)
        bytes[1] = UInt8(truncatingIfNeeded: seconds >> 16)
        bytes[2] = UInt8(truncatingIfNeeded: seconds >> 8)
        bytes[3] = UInt8(truncatingIfNeeded: seconds)
        for i in 0..<5 { bytes[4 + i] = processBytes[i] }
        bytes[9] = UInt8(truncatingIfNeeded: counter >> 16)
        bytes[10] = UInt8(truncatingIfNeeded: counter >> 8)
        bytes[11] = UInt8(truncatingIfNeeded: counter)
        return Hex.string(bytes)
    }
}

enum Hex {
    static func string(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(ObjectID.hexDigits[Int(byte >> 4)])
            out.append(ObjectID.hexDigits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A random RFC 4122 version-4 uuid, lowercase (what the `uuid` npm package produces).
func makeUUIDv4() -> String {
    var rng = SystemRandomNumberGenerator()
    var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
    bytes[6] = (bytes[6] & 0x0F) | 0x40
    bytes[8] = (bytes[8] & 0x3F) | 0x80
    let hex = Array(Hex.string(bytes).utf8)
    var out = [UInt8]()
    out.reserveCapacity(36)
    for (i, c) in hex.enumerated() {
        if i == 8 || i == 12 || i == 16 || i == 20 { out.append(UInt8(ascii: "-")) }
        out.append(c)
    }
    return String(decoding: out, as: UTF8.self)
}

// MARK: - Timestamps

/// ISO-8601 UTC timestamps with milliseconds (`2026-01-15T09:00:00.000Z`), the way
/// `Date.prototype.toJSON` writes them. Hand-written: this runs on every mutation.
enum ISODate {
    static func format(millis: Int64) -> String {
        let ms = Int(((millis % 1000) + 1000) % 1000)
        let totalSeconds = (millis - Int64(ms)) / 1000
        var days = totalSeconds / 86_400
        var secondsOfDay = totalSeconds % 86_400
        if secondsOfDay < 0 { secondsOfDay += 86_400; days -= 1 }
        let (year, month, day) = civil(fromDays: days)
        let hour = Int(secondsOfDay / 3600), minute = Int(secondsOfDay % 3600 / 60), second = Int(secondsOfDay % 60)

        var out = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, at index: Int, width: Int) {
            var v = value
            for i in stride(from: index + width - 1, through: index, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(Int(year), at: 0, width: 4)
        out[4] = UInt8(ascii: "-")
        put(month, at: 5, width: 2)
        out[7] = UInt8(ascii: "-")
        put(day, at: 8, width: 2)
        out[10] = UInt8(ascii: "T")
        put(hour, at: 11, width: 2)
        out[13] = UInt8(ascii: ":")
        put(minute, at: 14, width: 2)
        out[16] = UInt8(ascii: ":")
        put(second, at: 17, width: 2)
        out[19] = UInt8(ascii: ".")
        put(ms, at: 20, width: 3)
        out[23] = UInt8(ascii: "Z")
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses exactly the format `format` writes; `nil` for anything else.
    static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 24, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "."), b[23] == UInt8(ascii: "Z")
        else { return nil }
        func num(_ from: Int, _ width: Int) -> Int? {
            var v = 0
            for i in from..<(from + width) {
                guard b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { return nil }
                v = v * 10 + Int(b[i] - UInt8(ascii: "0"))
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
            let s = num(17, 2), let ms = num(20, 3)
        else { return nil }
        let days = daysFromCivil(year: Int64(y), month: mo, day: d)
        return ((days * 86_400 + Int64(h * 3600 + mi * 60 + s)) * 1000) + Int64(ms)
    }

    /// Howard Hinnant's `civil_from_days`.
    private static func civil(fromDays days: Int64) -> (Int64, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// Howard Hinnant's `days_from_civil`.
    private static func daysFromCivil(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

// MARK: - Base64

enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Node's lenient `Buffer.from(s, "base64")`: accepts both alphabets, skips anything else,
    /// stops at the first `=`.
    static func decodeLenient(_ text: Substring) -> [UInt8] {
        var out = [UInt8]()
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in text.utf8 {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            case UInt8(ascii: "="): return out
            default: continue
            }
            accumulator = (accumulator << 6) | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }

    /// Standard base64 with padding.
    static func encode(_ bytes: [UInt8]) -> String { encode(bytes, alphabet: alphabet, pad: true) }
    /// base64url without padding (JWT segments).
    static func encodeURL(_ bytes: [UInt8]) -> String { encode(bytes, alphabet: urlAlphabet, pad: false) }

    private static func encode(_ bytes: [UInt8], alphabet: [UInt8], pad: Bool) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            if pad { out.append(contentsOf: [UInt8(ascii: "="), UInt8(ascii: "=")]) }
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            if pad { out.append(UInt8(ascii: "=")) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

// MARK: - Text

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
