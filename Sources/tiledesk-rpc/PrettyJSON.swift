import JSONCore

/// JSON for people: two-space indents, one member or element per line, as `jq` and `gh` print
/// it. Strings and numbers are spelled exactly as the compact writer spells them.
enum PrettyJSON {
    static func string(_ value: JSON) -> String {
        var out: [UInt8] = []
        write(value, depth: 0, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func write(_ value: JSON, depth: Int, into out: inout [UInt8]) {
        switch value {
        case .array(let items) where !items.isEmpty:
            writeMembers(items.map { (nil, $0) }, open: "[", close: "]", depth: depth, into: &out)
        case .object(let object) where !object.isEmpty:
            writeMembers(object.map { ($0.key, $0.value) }, open: "{", close: "}", depth: depth, into: &out)
        default:
            JSONWriter.write(value, into: &out)
        }
    }

    /// Writes an array's elements (no keys) or an object's members, each on its own line.
    private static func writeMembers(_ members: [(String?, JSON)], open: Character, close: Character, depth: Int, into out: inout [UInt8]) {
        out.append(contentsOf: open.utf8)
        for (index, (key, value)) in members.enumerated() {
            out.append(contentsOf: (index == 0 ? "\n" : ",\n").utf8)
            indent(depth + 1, into: &out)
            if let key {
                JSONWriter.writeString(key, into: &out)
                out.append(contentsOf: ": ".utf8)
            }
            write(value, depth: depth + 1, into: &out)
        }
        out.append(UInt8(ascii: "\n"))
        indent(depth, into: &out)
        out.append(contentsOf: close.utf8)
    }

    private static func indent(_ depth: Int, into out: inout [UInt8]) {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }
}
