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
    /// Where the request queues when the upstream is busy; not part of what is sent.
    public var priority: RequestPriority
    /// Whether sending it twice does no more than sending it once (a retry after a lost
    /// connection is then safe): false for a POST, and for a GET with a side effect.
    public var idempotent: Bool
    /// Checked before the first attempt goes out: a closed gate keeps the request unsent. Not
    /// part of what is sent.
    public var startGate: StartGate?

    public init(method: String, path: String, headers: [String: String] = [:], body: [UInt8]? = nil, priority: RequestPriority = .first) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.priority = priority
        self.idempotent = method != "POST"
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

/// Which of the requests waiting for the upstream goes first.
public enum RequestPriority: Sendable, Equatable, Comparable {
    /// Work nobody waits for (a watch's poll): served only when no other request waits, and held
    /// back for a while after the upstream rate-limited the bridge.
    case background
    /// A call's first request: served in arrival order.
    case first
    /// A later request of a call already under way (a write after its guard read): it goes before
    /// every `.first`, so in a bulk job answers stream out at the rate limit instead of all at the end.
    case followUp
}

extension String {
    fileprivate func caseInsensitiveCompare(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
