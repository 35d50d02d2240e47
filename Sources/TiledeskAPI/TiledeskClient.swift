import HTTPCore
import JSONCore
import Synchronization

/// A client for the Tiledesk REST API v3 user and team routes. Knows nothing of JSON-RPC.
///
/// Results are Tiledesk's own objects, unwrapped from its envelopes (`{success, updatedUser}`,
/// one-element arrays), every field kept, and `id` added from `_id` where the server left it out.
public final class TiledeskClient: Sendable {
    /// The API root without a trailing slash, its path kept (`https://api.tiledesk.com/v3`).
    public let apiRoot: String
    private let transport: any HTTPTransport
    private let auth: Authenticator
    private let log: DiagnosticLog
    private let userAgent: String?
    /// Requests this client has sent: its first goes upstream as `.first`, the rest as `.followUp`.
    private let requestsSent = Atomic<Int>(0)

    /// - Parameter userAgent: sent with every request, so server logs can tell this traffic apart.
    public init(apiRoot: String, transport: any HTTPTransport, auth: Authenticator, log: DiagnosticLog = .silent, userAgent: String? = nil) {
        var root = apiRoot
        while root.hasSuffix("/") { root.removeLast() }
        self.apiRoot = root
        self.transport = transport
        self.auth = auth
        self.log = log
        self.userAgent = userAgent
    }

    /// A client for one call of the caller's: the same transport, credentials and limits, with
    /// its own request count, so the call's later requests (the write after its guard read) go
    /// upstream ahead of other calls' first ones.
    public func forCall() -> TiledeskClient {
        TiledeskClient(apiRoot: apiRoot, transport: transport, auth: auth, log: log, userAgent: userAgent)
    }

    // MARK: Endpoints

    /// Signs in and switches this client to the new token. Returns `{token, user}`.
    /// - Remark: HTTP POST /auth/signin
    public func signIn(email: String, password: String) async throws -> JSON {
        let (token, answer) = try await postSignIn(email: email, password: password)
        auth.use(token: token)
        var result: JSONObject = ["token": .string(token)]
        if let user = answer["user"] { result["user"] = Self.withIDs(user) }
        return .object(result)
    }

    /// The signed-in user.
    /// - Remark: HTTP GET /users
    public func currentUser() async throws -> JSON {
        Self.withIDs(try await call("GET", "/users", operation: "GET /users"))
    }

    /// Updates the signed-in user's profile fields; returns the updated user.
    /// - Remark: HTTP PUT /users/
    public func updateCurrentUser(_ fields: JSONObject) async throws -> JSON {
        let answer = try await call("PUT", "/users/", operation: "PUT /users/", body: .object(fields))
        return Self.withIDs(answer["updatedUser"] ?? answer)
    }

    /// The caller's active memberships, each with its project populated.
    /// - Remark: HTTP GET /projects
    public func projects() async throws -> JSON {
        Self.withIDs(try await call("GET", "/projects", operation: "GET /projects"))
    }

    /// The project's teammates, filtered by the given query (`role`, `status`, `presencestatus`, `trashed`).
    /// - Remark: HTTP GET /{project_id}/project_users
    public func teammates(projectID: String, query: [(String, String)] = []) async throws -> JSON {
        let path = Self.path(projectID, "project_users") + Self.queryString(query)
        return Self.withIDs(try await call("GET", path, operation: "GET /{pid}/project_users"))
    }

    /// One teammate of the project.
    /// - Remark: HTTP GET /{project_id}/project_users/{project_user_id}
    public func teammate(projectID: String, projectUserID: String) async throws -> JSON {
        let path = Self.path(projectID, "project_users", projectUserID)
        return Self.withIDs(try await call("GET", path, operation: "GET /{pid}/project_users/{id}"))
    }

    /// The teammate record of a user (ObjectId) or guest (uuid), unwrapped from its array.
    /// - Remark: HTTP GET /{project_id}/project_users/users/{user_id}
    public func teammate(projectID: String, userID: String) async throws -> JSON {
        let operation = "GET /{pid}/project_users/users/{user_id}"
        let path = Self.path(projectID, "project_users", "users", userID)
        return Self.withIDs(try Self.single(try await call("GET", path, operation: operation), operation: operation))
    }

    /// The caller's own teammate record, unwrapped from its array.
    /// - Remark: HTTP GET /{project_id}/project_users/me
    public func myTeammate(projectID: String) async throws -> JSON {
        let operation = "GET /{pid}/project_users/me"
        let path = Self.path(projectID, "project_users", "me")
        return Self.withIDs(try Self.single(try await call("GET", path, operation: operation), operation: operation))
    }

    /// What an invitation did.
    public enum InviteOutcome: Sendable, Equatable {
        /// A registered user became a teammate at once.
        case added(teammate: JSON)
        /// An unknown email: an invitation waits for that person to sign up.
        case pending(invitation: JSON)
    }

    /// Invites `email` with `role`. The server's HTTP-200 `success: false` answers become errors:
    /// an existing pending invitation is a conflict.
    /// - Remark: HTTP POST /{project_id}/project_users/invite
    public func invite(projectID: String, body: JSONObject) async throws -> InviteOutcome {
        let operation = "POST /{pid}/project_users/invite"
        let path = Self.path(projectID, "project_users", "invite")
        let answer: JSON
        do {
            answer = try await call("POST", path, operation: operation, body: .object(body))
        } catch var error as TiledeskError where error.kind == .badUpstream && error.httpStatus == 200 {
            if ResponseClassifier.serverMessage(error.upstream)?.hasPrefix("Pending Invitation already exist") == true {
                error.kind = .conflict
                error.message = TiledeskError.pendingInvitationMessage
            }
            throw error
        }
        if let invitation = answer["pendingInvitation"] { return .pending(invitation: Self.withIDs(invitation)) }
        return .added(teammate: Self.withIDs(answer))
    }

    /// The project's pending invitations (people invited who have not signed up yet).
    /// - Remark: HTTP GET /{project_id}/pendinginvitations
    public func pendingInvitations(projectID: String) async throws -> JSON {
        let path = Self.path(projectID, "pendinginvitations")
        return Self.withIDs(try await call("GET", path, operation: "GET /{pid}/pendinginvitations"))
    }

    /// Updates the caller's own teammate record (availability, status text, attributes, settings).
    /// - Remark: HTTP PUT /{project_id}/project_users/
    public func updateMyTeammate(projectID: String, body: JSONObject) async throws -> JSON {
        let path = Self.path(projectID, "project_users") + "/"
        return Self.withIDs(try await call("PUT", path, operation: "PUT /{pid}/project_users/", body: .object(body)))
    }

    /// Updates a teammate (role, status, availability, ...). The server does not scope this
    /// route to the project: callers check membership first.
    /// - Remark: HTTP PUT /{project_id}/project_users/{project_user_id}
    public func updateTeammate(projectID: String, projectUserID: String, body: JSONObject) async throws -> JSON {
        let path = Self.path(projectID, "project_users", projectUserID)
        return Self.withIDs(try await call("PUT", path, operation: "PUT /{pid}/project_users/{id}", body: .object(body)))
    }

    /// How a teammate leaves a project.
    public enum LeaveMode: String, Sendable, CaseIterable {
        /// Status `disabled`, unavailable; stays in the team list.
        case disable
        /// Trashed (and disabled); restorable.
        case trash
        /// Removed for good.
        case delete

        /// The query the server reads for this mode.
        public var query: String {
            switch self {
            case .disable: ""
            case .trash: "?soft=true"
            case .delete: "?hard=true"
            }
        }
    }

    /// Disables, trashes or deletes a teammate; returns the record as the server sent it.
    /// - Remark: HTTP DELETE /{project_id}/project_users/{project_user_id}
    public func removeTeammate(projectID: String, projectUserID: String, mode: LeaveMode) async throws -> JSON {
        let path = Self.path(projectID, "project_users", projectUserID) + mode.query
        return Self.withIDs(try await call("DELETE", path, operation: "DELETE /{pid}/project_users/{id}"))
    }

    /// Restores a trashed teammate.
    /// - Remark: HTTP PUT /{project_id}/project_users/{project_user_id}/restore
    public func restoreTeammate(projectID: String, projectUserID: String) async throws -> JSON {
        let path = Self.path(projectID, "project_users", projectUserID, "restore")
        return Self.withIDs(try await call("PUT", path, operation: "PUT /{pid}/project_users/{id}/restore"))
    }

    // MARK: Requests

    /// How a request would look, for `dry_run`: method, full URL and body; never credentials.
    public func describe(method: String, path: String, body: JSON? = nil) -> JSON {
        ["method": .string(method), "url": .string(apiRoot + path), "body": body ?? .null]
    }

    /// `/seg1/seg2/...` with each segment percent-encoded, so no value can reach another route.
    public static func path(_ segments: String...) -> String {
        segments.map { "/" + PercentEncoding.encode($0) }.joined()
    }

    static func queryString(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { PercentEncoding.encode($0.0) + "=" + PercentEncoding.encode($0.1) }.joined(separator: "&")
    }

    /// Sends one call, signing in again once after a 401 when credentials allow it.
    private func call(_ method: String, _ path: String, operation: String, body: JSON? = nil, authenticated: Bool = true) async throws -> JSON {
        var headers = ["Accept": "application/json"]
        if let userAgent { headers["User-Agent"] = userAgent }
        if body != nil { headers["Content-Type"] = "application/json" }
        if authenticated { headers["Authorization"] = try await auth.authorization(signIn: signInForToken) }
        var request = HTTPRequest(method: method, path: path, headers: headers, body: body.map(JSONWriter.bytes))
        request.priority = requestsSent.add(1, ordering: .relaxed).oldValue == 0 ? .first : .followUp
        var response = try await exchange(request, operation: operation)
        if response.status == 401, authenticated, let rejected = headers["Authorization"],
            try await auth.renew(rejected: rejected, signIn: signInForToken)
        {
            log.info("\(operation): HTTP 401, signed in again")
            request.headers["Authorization"] = try await auth.authorization(signIn: signInForToken)
            response = try await exchange(request, operation: operation)
        }
        if let error = ResponseClassifier.error(for: response, operation: operation) { throw error }
        return try ResponseClassifier.successBody(response, operation: operation)
    }

    /// The sign-in used by the authenticator: returns the token.
    private var signInForToken: @Sendable (String, String) async throws -> String {
        { [self] email, password in try await postSignIn(email: email, password: password).token }
    }

    /// `POST /auth/signin`: the token and the whole answer.
    private func postSignIn(email: String, password: String) async throws -> (token: String, answer: JSON) {
        log.addSecret(password)
        let operation = "POST /auth/signin"
        let body: JSON = ["email": .string(email), "password": .string(password)]
        let answer = try await call("POST", "/auth/signin", operation: operation, body: body, authenticated: false)
        guard let token = answer["token"]?.stringValue else {
            throw TiledeskError(.badUpstream, "Tiledesk's sign-in answer has no token", operation: operation)
        }
        return (token, answer)
    }

    private func exchange(_ request: HTTPRequest, operation: String) async throws -> HTTPResponse {
        log.debug("→ \(request.method) \(request.path)")
        do {
            let response = try await transport.send(request)
            log.debug("← \(response.status) \(request.method) \(request.path)")
            return response
        } catch let error as TransportError {
            throw Self.tiledeskError(error, operation: operation)
        }
    }

    static func tiledeskError(_ error: TransportError, operation: String) -> any Error {
        switch error {
        case .cancelled: return CancellationError()
        case .timedOut: return TiledeskError(.timeout, "Tiledesk did not answer in time (\(operation))", operation: operation)
        case .connectionRefused(let why), .connectionLost(let why), .unreachable(let why):
            return TiledeskError(.unreachable, "cannot reach Tiledesk: \(why)", operation: operation)
        case .responseTooLarge(let limit):
            return TiledeskError(.badUpstream, "Tiledesk's answer is larger than \(limit) bytes; refused", operation: operation)
        }
    }

    /// The one element of a one-element array answer (a missing one is 404).
    static func single(_ answer: JSON, operation: String) throws -> JSON {
        guard case .array(let items) = answer else { return answer }
        guard let first = items.first else {
            throw TiledeskError(.notFound, "not found", operation: operation, httpStatus: 200, upstream: answer)
        }
        return first
    }

    /// Adds `id` from `_id` where missing: on the value, on array elements, and on populated
    /// `id_user` / `id_project` / `user` objects.
    public static func withIDs(_ value: JSON) -> JSON {
        switch value {
        case .array(let items): return .array(items.map(withIDs))
        case .object(var object):
            if object["id"] == nil, let id = object["_id"] { object["id"] = id }
            for key in ["id_user", "id_project", "user"] {
                if case .object? = object[key] { object[key] = withIDs(object[key]!) }
            }
            return .object(object)
        default: return value
        }
    }
}
