import HTTPCore
import JSONCore

/// One route of the Tiledesk REST API, named as the docs and this bridge's errors name it
/// (`PUT /{pid}/project_users/{id}`): the `request` of an error and the `x-http` of OpenRPC.
public struct Route: Sendable, Hashable, CustomStringConvertible {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    public let method: String
    /// The path below the API root, each variable segment a `{placeholder}`.
    public let template: String
    /// Whether sending it twice does no more than sending it once, so a retry after a lost
    /// connection is safe. False for every POST, and for a GET that sends an email.
    public let idempotent: Bool

    public init(_ method: String, _ template: String, idempotent: Bool? = nil) {
        self.method = method
        self.template = template
        self.idempotent = idempotent ?? (method != "POST")
    }

    public var description: String { "\(method) \(template)" }

    /// Whether the route changes anything on the server.
    public var isRead: Bool { method == "GET" && idempotent }
}

/// One request to Tiledesk as a value: which route, with which path values, query and body, and
/// how to read the answer. `TiledeskClient.send(_:)` sends it; `TiledeskClient.describe(_:)`
/// renders the same value for a dry run, so a dry run cannot show a request that would not be sent.
public struct Endpoint: Sendable {
    /// How the useful value sits in the server's answer.
    public enum Unwrap: Sendable, Equatable {
        /// The answer as it is.
        case none
        /// The one element of a one-element array (an empty array is 404).
        case single
        /// The member with this key when present (`{success, updatedUser}` → the user).
        case member(String)
        /// Not read: an empty 2xx body is null rather than a bad answer (a forced group delete
        /// of an id already gone answers 200 with nothing).
        case unused
    }

    public let route: Route
    /// The path below the API root: every value percent-encoded, then the query.
    public let path: String
    public let body: JSON?
    public let unwrap: Unwrap
    /// False only for the sign-in itself.
    public let authenticated: Bool

    /// - Parameter values: one per placeholder of the route, in order; each is percent-encoded,
    ///   so no value can reach another route.
    public init(_ route: Route, _ values: [String] = [], query: [(String, String)] = [], body: JSON? = nil,
                unwrap: Unwrap = .none, authenticated: Bool = true) {
        self.route = route
        self.path = Self.render(route.template, values) + Self.queryString(query)
        self.body = body
        self.unwrap = unwrap
        self.authenticated = authenticated
    }

    /// The template with each `{placeholder}` replaced by the next value, percent-encoded.
    static func render(_ template: String, _ values: [String]) -> String {
        var out = ""
        var remaining = values[...]
        var inPlaceholder = false
        for character in template {
            switch character {
            case "{":
                inPlaceholder = true
                out += PercentEncoding.encode(remaining.popFirst() ?? "")
            case "}":
                inPlaceholder = false
            default:
                if !inPlaceholder { out.append(character) }
            }
        }
        precondition(remaining.isEmpty, "\(template): more values than placeholders")
        return out
    }

    static func queryString(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { PercentEncoding.encode($0.0) + "=" + PercentEncoding.encode($0.1) }.joined(separator: "&")
    }
}
