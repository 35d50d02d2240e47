import JSONCore

enum AuthResult {
    case success(UserRecord)
    case failure(Reply)
}

/// Standard roles, lowest to highest. A member satisfies a required role when its own role
/// ranks at least as high (`middleware/has-role.js`'s role map is exactly this ladder).
enum Role: Int, Comparable {
    case guest, user, teammate, agent, supervisor, admin, owner

    init?(_ name: String) {
        switch name {
        case "guest": self = .guest
        case "user": self = .user
        case "teammate": self = .teammate
        case "agent": self = .agent
        case "supervisor": self = .supervisor
        case "admin": self = .admin
        case "owner": self = .owner
        default: return nil
        }
    }

    static func < (a: Role, b: Role) -> Bool { a.rawValue < b.rawValue }
}

extension SandboxState {
    /// `passport.authenticate(['basic','jwt'])` followed by `validtoken`.
    func authenticate(_ request: RequestContext) -> AuthResult {
        switch passport(request) {
        case .failure(let reply): return .failure(reply)
        case .success(let user):
            // validtoken: the header must split on single spaces into exactly two parts.
            guard let header = request.authorization, header.utf8.split(separator: 0x20, omittingEmptySubsequences: false).count == 2
            else { return .failure(.invalidToken) }
            return .success(user)
        }
    }

    /// passport 0.4 trying BasicStrategy then JwtStrategy; when both fail, `allFailed()`
    /// answers with the first failure status (Basic's 400) or 401 with Basic's challenge.
    private func passport(_ request: RequestContext) -> AuthResult {
        var basicBadRequest = false
        if let header = request.authorization, !header.isEmpty {
            // passport-http BasicStrategy.
            let parts = header.split(separator: " ", omittingEmptySubsequences: false)
            if parts.count < 2 {
                basicBadRequest = true
            } else if parts[0].lowercased().contains("basic") {  // `/Basic/i.test(scheme)`
                let decoded = String(decoding: Base64.decodeLenient(parts[1]), as: UTF8.self)
                let credentials = decoded.split(separator: ":", omittingEmptySubsequences: false)
                if credentials.count < 2 {
                    basicBadRequest = true
                } else if !credentials[0].isEmpty, !credentials[1].isEmpty,
                    let id = userIDByEmail[Text.lowercased(String(credentials[0]))], let user = users[id],
                    user.status == 100, user.password == credentials[1]
                {
                    return .success(user)
                }
            }
        }
        // JwtStrategy: `JWT <token>` (scheme case-insensitive), else `?secret_token=`.
        if let token = jwtToken(request), let id = tokens[token], let user = users[id], user.status == 100 {
            return .success(user)
        }
        return .failure(basicBadRequest ? .badRequest : .unauthorized)
    }

    /// passport-jwt's extractors: the header regex `(\S+)\s+(\S+)` (first two words) with
    /// scheme `jwt`, then the `secret_token` query parameter.
    private func jwtToken(_ request: RequestContext) -> String? {
        if let header = request.authorization {
            var words: [Substring] = []
            var start: String.UnicodeScalarView.Index?
            let scalars = header.unicodeScalars
            var index = scalars.startIndex
            while index != scalars.endIndex, words.count < 2 {
                if Text.isJSWhitespace(scalars[index]) {
                    if let s = start {
                        words.append(Substring(scalars[s..<index]))
                        start = nil
                    }
                } else if start == nil {
                    start = index
                }
                index = scalars.index(after: index)
            }
            if let s = start, words.count < 2 { words.append(Substring(scalars[s..<scalars.endIndex])) }
            if words.count == 2, Text.equalsIgnoringCase(words[0], "jwt") { return String(words[1]) }
        }
        return request.query.single("secret_token")
    }

    /// `roleChecker.hasRole(required)` for the project: the caller's **active** membership
    /// (disabled and trashed members are non-members), then the role ladder. A custom, unknown
    /// or missing role passes every gate (no route asks for a permission).
    func requireRole(_ required: Role, caller: UserRecord, project: String) -> Result<ProjectUserRecord, ReplyError> {
        guard let membership = activeMembership(user: caller.id, project: project) else {
            return .failure(ReplyError(.msg(403, "you dont belong to the project.")))
        }
        if let name = membership.roleString, let role = Role(name), role < required {
            return .failure(ReplyError(.msg(403, "you dont have the required role.")))
        }
        return .success(membership)
    }

    /// Authentication, validtoken and the role gate, in the server's order.
    func authorize(_ request: RequestContext, project: String, role: Role) -> Result<(UserRecord, ProjectUserRecord), ReplyError> {
        authenticatedCaller(request).flatMap { caller in requireRole(role, caller: caller, project: project).map { (caller, $0) } }
    }

    /// `hasRoleOrTypes(role, types)`: as `authorize`, except that a caller whose email is the
    /// `ADMIN_EMAIL` default (`admin@tiledesk.com`) passes whatever their membership, which
    /// is then not loaded. (Bot and subscription tokens, the types themselves, do not exist in
    /// the sandbox.)
    func authorizeAllowingTypes(
        _ request: RequestContext, project: String, role: Role
    ) -> Result<(UserRecord, ProjectUserRecord?), ReplyError> {
        authenticatedCaller(request).flatMap { caller in
            if caller.email == Self.defaultAdminEmail { return .success((caller, nil)) }
            return requireRole(role, caller: caller, project: project).map { (caller, $0) }
        }
    }

    static let defaultAdminEmail = "admin@tiledesk.com"

    /// The checks of a `/projects/:projectid` route, which skips the project middleware:
    /// authentication, then the role check, where a malformed id fails the membership lookup
    /// (500 `{"err":"error"}`). Gives the caller and the canonical project id.
    func authorizeProjectRoute(_ request: RequestContext, _ rawID: String, role: Role) -> Result<(UserRecord, String), ReplyError> {
        authenticatedCaller(request).flatMap { caller in
            guard let id = ObjectID.canonical(rawID) else { return .failure(ReplyError(.internalError)) }
            return requireRole(role, caller: caller, project: id).map { _ in (caller, id) }
        }
    }

    private func authenticatedCaller(_ request: RequestContext) -> Result<UserRecord, ReplyError> {
        switch authenticate(request) {
        case .failure(let reply): .failure(ReplyError(reply))
        case .success(let user): .success(user)
        }
    }
}

/// A `Reply` carried through `Result`.
struct ReplyError: Error {
    let reply: Reply
    init(_ reply: Reply) { self.reply = reply }
}
