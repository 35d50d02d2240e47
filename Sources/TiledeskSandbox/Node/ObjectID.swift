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
