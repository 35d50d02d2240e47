/// One HTTP request to the Tiledesk API, relative to the API root.
public struct HTTPRequest: Sendable, Equatable {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    public var method: String
    /// Path below the API root, starting with `/`, every segment already percent-encoded,
    /// with the query string if any (e.g. `/65f0…/project_users?role=agent`).
    public var path: String
    /// Header names as sent (e.g. `Authorization`, `Content-Type`).
    public var headers: [String: String]
    /// The JSON body, if any.
    public var body: [UInt8]?

    public init(method: String, path: String, headers: [String: String] = [:], body: [UInt8]? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// The path without its query string.
    public var pathOnly: String { path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? path }

    /// The query items, percent-decoded, in order (`?a=1&b=2` → [("a","1"),("b","2")]).
    public var queryItems: [(name: String, value: String)] {
        guard let q = path.firstIndex(of: "?") else { return [] }
        return path[path.index(after: q)...].split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.decode(String(parts[0]))
            let value = parts.count > 1 ? PercentEncoding.decode(String(parts[1])) : ""
            return (name, value)
        }
    }

    /// A header's value, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) }?.value
    }

    public static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
        a.method == b.method && a.path == b.path && a.headers == b.headers && a.body == b.body
    }
}

/// One HTTP response: status, headers (names lowercased) and the whole body.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    /// Header names lowercased (`retry-after`, `content-type`, `www-authenticate`).
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, b in b })
        self.body = body
    }
}

/// Why an HTTP exchange produced no response.
public enum TransportError: Error, Sendable, Equatable {
    /// The connection was refused before anything was sent: always safe to retry.
    case connectionRefused(String)
    /// The connection failed or dropped after the request may have been sent.
    case connectionLost(String)
    /// DNS or TLS failure.
    case unreachable(String)
    /// No answer within the per-attempt timeout.
    case timedOut
    /// The response body was larger than the bridge accepts.
    case responseTooLarge(limit: Int)
    /// The call was cancelled by its caller.
    case cancelled
}

/// Moves one HTTP request to a Tiledesk server and back. The seam between the REST client
/// and the wire: URLSession in production, the in-memory emulator in the sandbox and tests.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

extension String {
    fileprivate func caseInsensitiveCompare(_ other: String) -> Bool { lowercased() == other.lowercased() }
}

/// RFC 3986 percent-encoding for path segments and query values.
public enum PercentEncoding {
    /// Encodes everything but the unreserved characters `A-Z a-z 0-9 - . _ ~`, so a value
    /// can never add a path segment (`/`), a query (`?`) or a fragment (`#`).
    public static func encode(_ value: String) -> String {
        if value.utf8.allSatisfy(isUnreserved) { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            if isUnreserved(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// Decodes `%XX` sequences (and `+` as space, as in form and query encoding).
    public static func decode(_ value: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(value.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let hi = hexValue(utf8[utf8.startIndex]), let lo = hexValue(utf8[utf8.startIndex + 1])
            {
                bytes.append(hi << 4 | lo)
                utf8 = utf8.dropFirst(2)
            } else if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
