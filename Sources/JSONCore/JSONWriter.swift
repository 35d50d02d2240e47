/// Writes compact JSON as UTF-8 bytes.
///
/// `/` is left unescaped; U+2028 and U+2029 are escaped so no line splitter (JavaScript's
/// included) can cut a message in two; numbers are written with their original spelling.
public enum JSONWriter {
    /// The compact encoding of `value`.
    public static func bytes(_ value: JSON) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    /// The compact encoding of `value` as a String.
    public static func string(_ value: JSON) -> String { String(decoding: bytes(value), as: UTF8.self) }

    /// Appends the compact encoding of `value` to `out`.
    public static func write(_ value: JSON, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.text.utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, member) in object {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `s` as a quoted JSON string.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var i = 0
            let n = utf8.count
            var runStart = 0
            while i < n {
                let byte = utf8[i]
                var escape: [UInt8]? = nil
                var width = 1
                if byte == 0x22 {
                    escape = [0x5C, 0x22]
                } else if byte == 0x5C {
                    escape = [0x5C, 0x5C]
                } else if byte < 0x20 {
                    switch byte {
                    case 0x0A: escape = [0x5C, UInt8(ascii: "n")]
                    case 0x0D: escape = [0x5C, UInt8(ascii: "r")]
                    case 0x09: escape = [0x5C, UInt8(ascii: "t")]
                    case 0x08: escape = [0x5C, UInt8(ascii: "b")]
                    case 0x0C: escape = [0x5C, UInt8(ascii: "f")]
                    default: escape = Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
                    }
                } else if byte == 0xE2, i + 2 < n, utf8[i + 1] == 0x80, utf8[i + 2] == 0xA8 || utf8[i + 2] == 0xA9 {
                    escape = Array((utf8[i + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                    width = 3
                }
                if let escape {
                    if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                    out.append(contentsOf: escape)
                    i += width
                    runStart = i
                } else {
                    i += 1
                }
            }
            if runStart < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<n])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSON: CustomStringConvertible {
    /// The compact JSON text.
    public var description: String { JSONWriter.string(self) }
}
