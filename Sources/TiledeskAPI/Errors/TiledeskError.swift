import JSONCore

/// A failed Tiledesk call, with the context a user needs to act on it: what was attempted,
/// what the server said, and whether trying again later can help.
public struct TiledeskError: Error, Sendable, Equatable {
    /// What went wrong; each kind has its wire code (protocol/README.md, "Errors").
    public enum Kind: Sendable, Equatable {
        case notAuthenticated  // 401
        case forbidden  // 403
        case notFound  // 404
        case conflict  // 409
        case rateLimited  // 429
        case badUpstream  // 502
        case unreachable  // 503
        case timeout  // 504
        /// A bad parameter found only by looking at Tiledesk's data (the caller's input, not the server).
        case invalidParams(field: String)
    }

    public var kind: Kind
    public var message: String
    /// The operation, e.g. `DELETE /{pid}/project_users/{id}`.
    public var operation: String?
    public var httpStatus: Int?
    /// The server's body: parsed JSON, or its text.
    public var upstream: JSON?
    /// Tiledesk's own code where it gave one (4000, 4001, 405).
    public var tiledeskCode: Int?
    /// Seconds to wait, from `Retry-After`.
    public var retryAfter: Double?
    /// The API root the request went to (so a wrong base URL shows in every error).
    public var apiURL: String?
    /// What the user can do about it, when the bridge can tell (a wrong API URL).
    public var hint: String?

    public init(_ kind: Kind, _ message: String, operation: String? = nil, httpStatus: Int? = nil,
                upstream: JSON? = nil, tiledeskCode: Int? = nil, retryAfter: Double? = nil) {
        self.kind = kind
        self.message = message
        self.operation = operation
        self.httpStatus = httpStatus
        self.upstream = upstream
        self.tiledeskCode = tiledeskCode
        self.retryAfter = retryAfter
    }

    /// The same error with another message (a guard says what it looked for).
    public func with(message: String) -> TiledeskError {
        var copy = self
        copy.message = message
        return copy
    }

    /// Whether the same call may succeed later unchanged.
    public var retryable: Bool {
        switch kind {
        case .rateLimited, .unreachable, .timeout: true
        default: false
        }
    }

    public static let alreadyMemberMessage = "already a member of the project (Tiledesk code 4001)"
    public static let inviteOneselfMessage = "Tiledesk does not allow inviting oneself (code 4000)"
    public static let pendingInvitationMessage = "a pending invitation for this email already exists in the project"
}
