import JSONCore

/// Mongoose 5 casting of request values into schema types. `nil` means a CastError, which the
/// routes turn into their 500 answers. `runValidators` is off on every update here, so casting
/// is the only check the server makes.
enum Cast {
    /// `Boolean`: `true 'true' 1 '1' 'yes'` / `false 'false' 0 '0' 'no'`, nothing else.
    static func boolean(_ value: JSON) -> Bool? {
        switch value {
        case .bool(let b): return b
        case .number(let n):
            guard let d = n.doubleValue else { return nil }
            return d == 1 ? true : d == 0 ? false : nil
        case .string(let s):
            switch s {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// `Number`: numbers, numeric strings (`""` becomes null), booleans as 1/0.
    /// Returns the stored value: `.number` or `.null`.
    static func number(_ value: JSON) -> JSON? {
        switch value {
        case .number(let n):
            guard let d = n.doubleValue else { return nil }
            return .number(JSONNumber(d))
        case .bool(let b): return .number(JSONNumber(b ? 1 : 0))
        case .string(let s):
            if s.isEmpty { return .null }
            let trimmed = s.trimmingJSWhitespace()
            if trimmed.isEmpty { return .number(JSONNumber(0)) }
            guard let d = Double(trimmed), d.isFinite || trimmed.hasSuffix("Infinity") else { return nil }
            return .number(JSONNumber(d))
        case .null: return .null
        default: return nil
        }
    }

    /// `String`: strings, numbers and booleans (via `toString`); objects and arrays fail.
    static func string(_ value: JSON) -> String? {
        switch value {
        case .string(let s): return s
        case .number(let n): return jsNumberString(n)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// What `String(number)` prints in JavaScript, for the usual cases.
    static func jsNumberString(_ n: JSONNumber) -> String {
        guard let d = n.doubleValue else { return n.text }
        return JSONNumber(d).text
    }

    /// One element of a `tags` array (the Tag sub-schema `{tag, color, attributes}` with an
    /// auto `_id`); keys outside the schema are dropped (strict mode).
    static func tag(_ value: JSON, newID: () -> String) -> JSON? {
        guard case .object(let input) = value, let id = subdocumentID(input, newID: newID) else { return nil }
        var out = JSONObject()
        out.appendUnique("_id", .string(id))
        if let tag = input["tag"] {
            if tag.isNull { out.appendUnique("tag", .null) } else {
                guard let s = string(tag) else { return nil }
                out.appendUnique("tag", .string(s))
            }
        }
        if let color = input["color"] {
            if color.isNull { out.appendUnique("color", .null) } else {
                guard let s = string(color) else { return nil }
                out.appendUnique("color", .string(s))
            }
        }
        if let attributes = input["attributes"] { out.appendUnique("attributes", attributes) }
        return .object(out)
    }

    /// A sub-document's `_id`: the one given (which must be an ObjectId), or a new one; `nil`
    /// for a CastError.
    static func subdocumentID(_ fields: JSONObject, newID: () -> String) -> String? {
        guard let given = fields["_id"], !given.isNull else { return newID() }
        return given.stringValue.flatMap(ObjectID.canonical)
    }

    /// A `tags` value: an array of tags, or a single value Mongoose wraps into one.
    static func tags(_ value: JSON, newID: () -> String) -> [JSON]? {
        let items = value.arrayValue ?? [value]
        var out: [JSON] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let tag = tag(item, newID: newID) else { return nil }
            out.append(tag)
        }
        return out
    }

    /// The JSON a Mongoose `CastError` serializes to (as sent raw by a few error paths).
    static func castErrorJSON(path: String, kind: String, value: JSON) -> JSON {
        let shown = JSONWriter.string(value)
        var o = JSONObject()
        o.appendUnique("stringValue", .string("\"\(shown)\""))
        o.appendUnique("kind", .string(kind))
        o.appendUnique("value", value)
        o.appendUnique("path", .string(path))
        o.appendUnique("reason", .null)
        o.appendUnique("name", "CastError")
        o.appendUnique("message", .string("Cast to \(kind) failed for value \"\(shown)\" at path \"\(path)\""))
        return .object(o)
    }

    /// The JSON of the `ValidationError` a failed `save()` reports.
    static func validationErrorJSON(model: String, path: String, kind: String, value: JSON) -> JSON {
        let cast = castErrorJSON(path: path, kind: kind, value: value)
        let message = cast["message"]?.stringValue ?? ""
        var o = JSONObject()
        o.appendUnique("errors", .object(JSONObject([(key: path, value: cast)])))
        o.appendUnique("_message", .string("\(model) validation failed"))
        o.appendUnique("message", .string("\(model) validation failed: \(path): \(message)"))
        o.appendUnique("name", "ValidationError")
        return .object(o)
    }
}

extension JSON {
    /// The member `key` when JavaScript's `body[key] != undefined` holds: present and not `null`.
    func defined(_ key: String) -> JSON? {
        guard let value = self[key], !value.isNull else { return nil }
        return value
    }

    /// The defined member `key` (see `defined`) through a Mongoose cast: `nil` when it is not
    /// defined; throws `CastFailure` when the cast fails.
    func cast<T>(_ key: String, _ cast: (JSON) -> T?) throws(CastFailure) -> T? {
        guard let value = defined(key) else { return nil }
        guard let result = cast(value) else { throw CastFailure() }
        return result
    }
}

/// A value Mongoose could not cast to its path's type (the routes answer their 500).
struct CastFailure: Error {}

/// JavaScript's view of JSON values, for handlers that test or print what they were sent.
enum JS {
    /// `if (value)`: false for missing, `null`, `false`, `0` and `""`; every object and array is truthy.
    static func truthy(_ value: JSON?) -> Bool {
        switch value {
        case nil, .null?: false
        case .bool(let b)?: b
        case .number(let n)?: (n.doubleValue ?? 0) != 0
        case .string(let s)?: !s.isEmpty
        case .array?, .object?: true
        }
    }

    /// `parseInt(text)`: after leading blanks, an optional sign and the decimal digits that
    /// follow; NaN when there are none.
    static func parseInt(_ text: String) -> Double {
        var rest = Substring(text.trimmingJSWhitespace())
        var sign = 1.0
        if let first = rest.first, first == "-" || first == "+" {
            if first == "-" { sign = -1 }
            rest = rest.dropFirst()
        }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard let value = Double(digits), !digits.isEmpty else { return .nan }
        return sign * value
    }

    /// `Number(text)`: blank is 0, a decimal literal its value, `Infinity` infinite, anything
    /// else NaN.
    static func number(_ text: String) -> Double {
        let trimmed = text.trimmingJSWhitespace()
        if trimmed.isEmpty { return 0 }
        switch trimmed {
        case "Infinity", "+Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard trimmed.allSatisfy({ "0123456789.eE+-".contains($0) }) else { return .nan }
            return Double(trimmed) ?? .nan
        }
    }

    /// `String(value)`.
    static func string(_ value: JSON) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let n): Cast.jsNumberString(n)
        case .string(let s): s
        case .array(let items): items.map { $0.isNull ? "" : string($0) }.joined(separator: ",")
        case .object: "[object Object]"
        }
    }
}

extension String {
    func trimmingJSWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !Text.isJSWhitespace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !Text.isJSWhitespace($0) })!
        return String(scalars[first...last])
    }
}

/// Sets `object[path[0]][path[1]]…` creating intermediate objects, like a dotted `$set` on a
/// Mixed path. `false` when an intermediate exists and is not an object (Mongo refuses).
func setDotted(_ object: inout JSONObject, _ path: ArraySlice<String>, _ value: JSON) -> Bool {
    guard let head = path.first else { return true }
    let rest = path.dropFirst()
    if rest.isEmpty {
        object[head] = value
        return true
    }
    var child: JSONObject
    switch object[head] {
    case nil, .null?: child = JSONObject()
    case .object(let existing)?: child = existing
    default: return false
    }
    guard setDotted(&child, rest, value) else { return false }
    object[head] = .object(child)
    return true
}
