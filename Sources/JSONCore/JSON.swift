/// A JSON value that keeps what Foundation loses: number spellings (`1.0`, `1e2`,
/// 20-digit ids), the difference between `true` and `1`, and object member order.
///
/// Every layer of the bridge passes these values through untouched, so what Tiledesk
/// sent is what the caller receives.
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSON])
    case object(JSONObject)
}

/// A JSON number kept as the exact text it was written with.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number's spelling, valid per RFC 8259 (e.g. `-12`, `1.0`, `1e2`).
    public let text: String

    /// Wraps text that is already a valid JSON number (the parser guarantees it).
    public init(uncheckedText text: String) { self.text = text }
    public init(_ value: Int) { self.text = String(value) }
    public init(_ value: Double) {
        if value.isFinite, abs(value) < 1e15, let integer = Int(exactly: value) {
            self.text = String(integer)
        } else {
            self.text = value.isFinite ? "\(value)" : "null"
        }
    }

    /// True when the spelling has no fraction and no exponent.
    public var isIntegerLiteral: Bool { !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) }
    /// The value as an `Int`, when it is an integer that fits (`2.0` is not an integer here).
    public var intValue: Int? { isIntegerLiteral ? Int(text) : nil }
    public var doubleValue: Double? { Double(text) }
    public var description: String { text }

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if lhs.text == rhs.text { return true }
        guard let l = Double(lhs.text), let r = Double(rhs.text) else { return false }
        // Integers longer than a Double's precision compare by spelling only.
        if lhs.isIntegerLiteral, rhs.isIntegerLiteral, max(lhs.text.count, rhs.text.count) > 15 { return false }
        return l == r
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(Double(text) ?? 0) }
}

/// A JSON object that keeps its members in the order they were written.
/// Equality ignores order, as JSON does; a repeated key keeps its last value.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var entries: [(key: String, value: JSON)]

    public init() { entries = [] }
    /// The members in the given order; a key given twice keeps its first place and its last value.
    public init(_ entries: [(key: String, value: JSON)]) {
        self.entries = Self.hasDuplicateKeys(entries) ? Self.mergingDuplicateKeys(entries) : entries
    }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }

    /// The member's value; assigning `nil` removes the member, assigning a new key appends it.
    public subscript(key: String) -> JSON? {
        get {
            for entry in entries where entry.key == key { return entry.value }
            return nil
        }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    /// Appends without looking for an existing key: for builders that know keys are unique.
    public mutating func appendUnique(_ key: String, _ value: JSON) { entries.append((key, value)) }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSON)]> { entries.makeIterator() }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.count <= smallObjectCount {
            for (k, v) in lhs.entries where rhs[k] != v { return false }
            return true
        }
        let rhsValues = Dictionary(rhs.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        for (k, v) in lhs.entries where rhsValues[k] != v { return false }
        return true
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for (key, value) in entries.sorted(by: { $0.key < $1.key }) { hasher.combine(key); hasher.combine(value) }
    }

    /// Up to this many members a linear scan beats building a hash table.
    private static let smallObjectCount = 16

    private static func hasDuplicateKeys(_ entries: [(key: String, value: JSON)]) -> Bool {
        if entries.count <= smallObjectCount {
            for i in entries.indices.dropFirst() where entries[..<i].contains(where: { $0.key == entries[i].key }) { return true }
            return false
        }
        var seen = Set<String>(minimumCapacity: entries.count)
        for entry in entries where !seen.insert(entry.key).inserted { return true }
        return false
    }

    private static func mergingDuplicateKeys(_ entries: [(key: String, value: JSON)]) -> [(key: String, value: JSON)] {
        var merged: [(key: String, value: JSON)] = []
        var position: [String: Int] = [:]
        for (key, value) in entries {
            if let i = position[key] {
                merged[i].value = value
            } else {
                position[key] = merged.count
                merged.append((key, value))
            }
        }
        return merged
    }
}

extension JSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(floatLiteral value: Double) { self = .number(JSONNumber(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
}

extension JSON {
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var numberValue: JSONNumber? { if case .number(let n) = self { n } else { nil } }
    public var intValue: Int? { numberValue?.intValue }
    public var arrayValue: [JSON]? { if case .array(let a) = self { a } else { nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }
    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The member `key` of an object; `nil` for other values.
    public subscript(key: String) -> JSON? { objectValue?[key] }

    /// The JSON type name, for error messages ("expected string, got number").
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number(let n): n.isIntegerLiteral ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
