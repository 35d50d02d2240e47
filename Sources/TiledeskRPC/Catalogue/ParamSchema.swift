import JSONCore
import JSONRPC

/// The shape of one parameter: validated by the bridge and published as JSON Schema in the
/// OpenRPC document and the MCP tool list, from this one definition.
public indirect enum ParamSchema: Sendable {
    /// A string; `format` adds a syntax check and a `pattern`; `values` makes it an enum.
    case string(format: StringFormat? = nil, values: [String]? = nil, minLength: Int? = nil, maxLength: Int? = nil)
    case boolean
    case integer(minimum: Int? = nil, maximum: Int? = nil)
    /// Any finite number within the bounds (seconds, say).
    case number(minimum: Double, maximum: Double)
    /// An array of items of one shape, with at least `minItems`.
    case array(of: ParamSchema, minItems: Int? = nil)
    /// Any JSON object, passed through untouched.
    case freeObject
    /// An object with these members and nothing else; `required` ones must be there.
    case object(properties: [(String, ParamSchema)], required: [String] = [])

    /// The JSON Schema of this shape.
    public var json: JSON {
        switch self {
        case .string(let format, let values, let minLength, let maxLength):
            var o: JSONObject = ["type": "string"]
            if let minLength { o["minLength"] = .number(JSONNumber(minLength)) }
            if let values { o["enum"] = .array(values.map(JSON.string)) }
            if let format {
                o["pattern"] = .string(format.pattern)
                if let name = format.jsonSchemaFormat { o["format"] = .string(name) }
            }
            if let maxLength = maxLength ?? format?.maxLength { o["maxLength"] = .number(JSONNumber(maxLength)) }
            return .object(o)
        case .boolean: return ["type": "boolean"]
        case .integer(let minimum, let maximum):
            var o: JSONObject = ["type": "integer"]
            if let minimum { o["minimum"] = .number(JSONNumber(minimum)) }
            o["maximum"] = .number(JSONNumber(maximum ?? Self.largestInteger))
            return .object(o)
        case .number(let minimum, let maximum):
            return ["type": "number", "minimum": .number(JSONNumber(minimum)), "maximum": .number(JSONNumber(maximum))]
        case .array(let items, let minItems):
            var o: JSONObject = ["type": "array", "items": items.json]
            if let minItems { o["minItems"] = .number(JSONNumber(minItems)) }
            return .object(o)
        case .freeObject: return ["type": "object"]
        case .object(let properties, let required):
            var props = JSONObject()
            for (name, schema) in properties { props[name] = schema.json }
            var o: JSONObject = ["type": "object", "properties": .object(props), "additionalProperties": false]
            if !required.isEmpty { o["required"] = .array(required.map(JSON.string)) }
            return .object(o)
        }
    }

    /// `value` (already validated) with every ObjectId in lower case. MongoDB casts either case,
    /// but the server stores and compares ids as lower-case strings (a group's members, a
    /// department's `id_group`, the `id_project` lists filter on), so `65F0…` would slip past
    /// those checks and filters: the bridge sends one spelling.
    func canonical(_ value: JSON) -> JSON {
        switch (self, value) {
        case (.string(format: .objectID?, _, _, _), .string(let s)): return .string(s.lowercased())
        case (.array(let items, _), .array(let elements)): return .array(elements.map(items.canonical))
        case (.object(let properties, _), .object(var object)):
            for (name, schema) in properties { if let member = object[name] { object[name] = schema.canonical(member) } }
            return .object(object)
        default: return value
        }
    }

    /// Checks `value`; the error names the offending field by its dotted path.
    public func validate(_ value: JSON, field: String) throws(RPCError) {
        switch self {
        case .string(let format, let values, let minLength, let maxLength):
            guard case .string(let s) = value else { throw Self.typeError(field, "a string", value) }
            if let minLength, s.unicodeScalars.count < minLength {
                throw .invalidParams(minLength == 1 ? "\(field) must not be empty" : "\(field) is shorter than \(minLength) characters", field: field)
            }
            if let values, !values.contains(s) {
                throw .invalidParams("\(field) must be one of \(values.joined(separator: ", ")), not \"\(s)\"", field: field)
            }
            if let maxLength = maxLength ?? format?.maxLength, s.unicodeScalars.count > maxLength {
                throw .invalidParams("\(field) is longer than \(maxLength) characters", field: field)
            }
            if let format, !format.matches(s) {
                throw .invalidParams("\(field) must be \(format.explanation), not \"\(s)\"", field: field)
            }
        case .boolean:
            guard case .bool = value else { throw Self.typeError(field, "true or false", value) }
        case .integer(let minimum, let maximum):
            // Any integral spelling counts (`3`, `3.0`, `3e0`), as in JSON Schema.
            guard case .number(let n) = value, let d = n.doubleValue, d.isFinite, d == d.rounded() else {
                throw Self.typeError(field, "an integer", value)
            }
            if let minimum, d < Double(minimum) { throw .invalidParams("\(field) must be at least \(minimum)", field: field) }
            let most = maximum ?? Self.largestInteger
            guard d <= Double(most) else { throw .invalidParams("\(field) must be at most \(most)", field: field) }
        case .number(let minimum, let maximum):
            guard case .number(let n) = value, let d = n.doubleValue, d.isFinite else { throw Self.typeError(field, "a number", value) }
            guard d >= minimum else { throw .invalidParams("\(field) must be at least \(JSONNumber(minimum))", field: field) }
            guard d <= maximum else { throw .invalidParams("\(field) must be at most \(JSONNumber(maximum))", field: field) }
        case .array(let items, let minItems):
            guard case .array(let elements) = value else { throw Self.typeError(field, "an array", value) }
            if let minItems, elements.count < minItems {
                throw .invalidParams(minItems == 1 ? "\(field) must not be empty" : "\(field) needs at least \(minItems) items", field: field)
            }
            for (index, element) in elements.enumerated() { try items.validate(element, field: "\(field)[\(index)]") }
        case .freeObject:
            guard case .object = value else { throw Self.typeError(field, "an object", value) }
        case .object(let properties, let required):
            guard case .object(let object) = value else { throw Self.typeError(field, "an object", value) }
            for (key, member) in object {
                guard let schema = properties.first(where: { $0.0 == key })?.1 else {
                    throw .invalidParams("\(field).\(key) is not accepted (allowed: \(properties.map(\.0).joined(separator: ", ")))",
                                         field: "\(field).\(key)")
                }
                try schema.validate(member, field: "\(field).\(key)")
            }
            for name in required where object[name] == nil {
                throw .invalidParams("\(field).\(name) is required", field: "\(field).\(name)")
            }
        }
    }

    /// The largest integer a param takes: exact in every client's number type (a Double).
    static let largestInteger = 999_999_999_999_999

    static func typeError(_ field: String, _ expected: String, _ value: JSON) -> RPCError {
        .invalidParams("\(field) must be \(expected), not \(value.typeName)", field: field)
    }
}

/// Syntaxes the bridge checks itself before any request is made.
public enum StringFormat: Sendable {
    case objectID
    case userID
    case email
    /// A calendar date, `YYYY-MM-DD` (JSON Schema's `date`): `2026-02-30` is refused.
    case isoDate

    /// The published pattern: the bridge checks exactly this (plus `maxLength`), so a client that
    /// validates with the published schema accepts what the bridge accepts.
    public var pattern: String {
        switch self {
        case .objectID: "^[0-9a-fA-F]{24}$"
        case .userID: "^[A-Za-z0-9_-]{1,128}$"
        case .email: Validation.emailPattern
        case .isoDate: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
        }
    }

    var maxLength: Int? { self == .email ? Validation.emailMaxLength : nil }

    var jsonSchemaFormat: String? {
        switch self {
        case .email: "email"
        case .isoDate: "date"
        default: nil
        }
    }

    var explanation: String {
        switch self {
        case .objectID: "a 24-character hexadecimal ObjectId"
        case .userID: "a user ObjectId or a guest uuid (letters, digits, - and _)"
        case .email: "an email address like name@example.com"
        case .isoDate: "a real calendar date written YYYY-MM-DD"
        }
    }

    public func matches(_ s: String) -> Bool {
        switch self {
        case .objectID:
            return Validation.isObjectID(s)
        case .userID:
            return (1...128).contains(s.utf8.count)
                && s.utf8.allSatisfy { Validation.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
        case .email:
            return Validation.isEmail(s)
        case .isoDate:
            return CalendarDate(iso: s) != nil
        }
    }
}
