/// Why a text is not JSON; `offset` is the byte where reading stopped.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Unlike Foundation it rejects invalid UTF-8 instead of repairing it, keeps number
/// spellings, keeps `true` apart from `1`, and bounds nesting so hostile input cannot
/// exhaust the stack.
public struct JSONParser {
    /// Deepest array/object nesting accepted.
    public static let maxDepth = 512

    public static func parse(_ text: String) throws(JSONParseError) -> JSON {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSON {
        try parseDocument(bytes).value
    }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSON {
        var cursor = Cursor(bytes: buffer, path: nil)
        return try cursor.parseDocument()
    }

    /// Parses `bytes` and says where it had to alter a string: a string holding a lone
    /// surrogate (`"\ud800"`) cannot be a Swift `String`, so its value has U+FFFD in that place,
    /// and `inexactStrings` gives its path and exact spelling. Such strings are rare, so the
    /// paths are found by a second reading only when the first met one.
    public static func parseDocument(_ bytes: [UInt8]) throws(JSONParseError) -> JSONDocument {
        let result: Result<JSONDocument, JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) -> JSONDocument in
                var cursor = Cursor(bytes: buffer, path: nil)
                let value = try cursor.parseDocument()
                guard cursor.loneSurrogatesReplaced > 0 else { return JSONDocument(value: value, inexactStrings: []) }
                var tracing = Cursor(bytes: buffer, path: [])
                _ = try tracing.parseDocument()
                return JSONDocument(value: value, inexactStrings: tracing.inexactStrings)
            }
        }
        return try result.get()
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        /// Where the value being read sits; `nil` when nobody asked (the fast path).
        var path: [JSONPathComponent]?
        var loneSurrogatesReplaced = 0
        var inexactStrings: [JSONInexactString] = []

        init(bytes: UnsafeBufferPointer<UInt8>, path: [JSONPathComponent]?) {
            self.bytes = bytes
            self.path = path
        }

        mutating func parseDocument() throws(JSONParseError) -> JSON {
            skipWhitespace()
            let value = try parseValue(depth: 0)
            skipWhitespace()
            guard index == bytes.count else { throw error("unexpected data after the JSON value") }
            return value
        }

        func error(_ message: String) -> JSONParseError { JSONParseError(message: message, offset: index) }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func parseValue(depth: Int) throws(JSONParseError) -> JSON {
            guard index < bytes.count else { throw error("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try parseStringValue())
            case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            default: throw error("unexpected character")
            }
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw error("unexpected end of input") }
            let start = literal.utf8Start
            for i in 0..<count where bytes[index + i] != start[i] { throw error("invalid literal") }
            index += count
        }

        mutating func parseObject(depth: Int) throws(JSONParseError) -> JSON {
            guard depth <= JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth)") }
            index += 1
            var members: [(key: String, value: JSON)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(JSONObject()) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name") }
                let key = try parseString()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                skipWhitespace()
                path?.append(.key(key))
                members.append((key, try parseValue(depth: depth)))
                path?.removeLast()
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                // Duplicate keys are merged once, at the end, so a big object is read in linear time.
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(JSONObject(members)) }
                throw error("expected ',' or '}'")
            }
        }

        mutating func parseArray(depth: Int) throws(JSONParseError) -> JSON {
            guard depth <= JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth)") }
            index += 1
            var array: [JSON] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
            while true {
                skipWhitespace()
                path?.append(.index(array.count))
                array.append(try parseValue(depth: depth))
                path?.removeLast()
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
                throw error("expected ',' or ']'")
            }
        }

        mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
            return JSONNumber(uncheckedText: String(decoding: slice, as: UTF8.self))
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        /// A string in value position: noted when it could not be kept exactly and a path is traced.
        mutating func parseStringValue() throws(JSONParseError) -> String {
            let start = index
            let replacedBefore = loneSurrogatesReplaced
            let string = try parseString()
            if loneSurrogatesReplaced > replacedBefore, let path {
                let spelling = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                inexactStrings.append(JSONInexactString(path: path, spelling: spelling))
            }
            return string
        }

        mutating func parseString() throws(JSONParseError) -> String {
            index += 1  // opening quote
            let start = index
            // Fast path: no escapes; plain ASCII needs no UTF-8 validation.
            var ascii = true
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    if ascii { return String(decoding: slice, as: UTF8.self) }
                    guard let string = String(validating: slice, as: UTF8.self) else {
                        throw JSONParseError(message: "invalid UTF-8 in string", offset: start)
                    }
                    return string
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw error("control character in string") }
                if byte >= 0x80 { ascii = false }
                index += 1
            }
            guard index < bytes.count else { throw error("unterminated string") }
            var scalars: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    guard let string = String(validating: scalars, as: UTF8.self) else {
                        throw JSONParseError(message: "invalid UTF-8 in string", offset: start)
                    }
                    return string
                case UInt8(ascii: "\\"):
                    index += 1
                    guard index < bytes.count else { throw error("unterminated string") }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): scalars.append(0x22)
                    case UInt8(ascii: "\\"): scalars.append(0x5C)
                    case UInt8(ascii: "/"): scalars.append(0x2F)
                    case UInt8(ascii: "b"): scalars.append(0x08)
                    case UInt8(ascii: "f"): scalars.append(0x0C)
                    case UInt8(ascii: "n"): scalars.append(0x0A)
                    case UInt8(ascii: "r"): scalars.append(0x0D)
                    case UInt8(ascii: "t"): scalars.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try parseHex4()
                        if (0xD800...0xDBFF).contains(code), index + 6 <= bytes.count,
                            bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                        {
                            let save = index
                            index += 2
                            let low = try parseHex4()
                            if (0xDC00...0xDFFF).contains(low) {
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                index = save
                            }
                        }
                        // A lone surrogate cannot live in a Swift String: it becomes U+FFFD.
                        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                        if (0xD800...0xDFFF).contains(code) { loneSurrogatesReplaced += 1 }
                        scalars.append(contentsOf: String(Character(scalar)).utf8)
                    default:
                        throw error("invalid escape")
                    }
                default:
                    if byte < 0x20 { throw error("control character in string") }
                    scalars.append(byte)
                    index += 1
                }
            }
            throw error("unterminated string")
        }

        mutating func parseHex4() throws(JSONParseError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw error("invalid \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw error("invalid \\u escape")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }
    }
}

/// A parsed document, with the strings the parser could not keep exactly.
public struct JSONDocument: Sendable {
    public let value: JSON
    /// Strings in value position that held a lone surrogate; empty for nearly every document.
    public let inexactStrings: [JSONInexactString]
}

/// One step from a document's root: an object member's name or an array index.
public enum JSONPathComponent: Hashable, Sendable {
    case key(String)
    case index(Int)
}

/// A string whose value is not exactly what was sent (it held a lone surrogate, now U+FFFD).
public struct JSONInexactString: Sendable, Equatable {
    /// Where the string sits in the document.
    public let path: [JSONPathComponent]
    /// Its exact source text, quotes and escapes included (`"\ud800"`): valid JSON that says
    /// what was sent.
    public let spelling: String
}

extension [JSONInexactString] {
    /// The exact spelling of the string at `path`, when that string could not be kept exactly.
    public func spelling(at path: [JSONPathComponent]) -> String? {
        first { $0.path == path }?.spelling
    }

    /// Those inside `component` (an array element, an object member), with paths from there.
    public func inside(_ component: JSONPathComponent) -> [JSONInexactString] {
        compactMap { $0.path.first == component ? JSONInexactString(path: [JSONPathComponent]($0.path.dropFirst()), spelling: $0.spelling) : nil }
    }
}
