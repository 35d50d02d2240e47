import HTTPCore
import JSONCore
import Synchronization

/// A client for the Tiledesk REST API v3: sends `Endpoint` values. Knows nothing of JSON-RPC.
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
    /// Told of each request as it goes out (the method layer marks a call "maybe applied").
    private let onSend: (@Sendable (Route) -> Void)?
    /// Requests of one call sent so far, shared with the call's gated copies: its first goes
    /// upstream as `.first`, the rest as `.followUp`.
    private final class RequestCount: Sendable {
        let sent = Atomic<Int>(0)
    }
    private let requests: RequestCount
    /// Whether every request of this client is background work (`forBackground()`).
    private let background: Bool
    /// Keeps this client's requests unsent once closed (`gated(by:)`).
    private let startGate: StartGate?

    /// - Parameter userAgent: sent with every request, so server logs can tell this traffic apart.
    public convenience init(apiRoot: String, transport: any HTTPTransport, auth: Authenticator, log: DiagnosticLog = .silent, userAgent: String? = nil,
                onSend: (@Sendable (Route) -> Void)? = nil) {
        self.init(apiRoot: apiRoot, transport: transport, auth: auth, log: log, userAgent: userAgent, onSend: onSend, background: false,
                  startGate: nil, requests: RequestCount())
    }

    private init(apiRoot: String, transport: any HTTPTransport, auth: Authenticator, log: DiagnosticLog, userAgent: String?,
                 onSend: (@Sendable (Route) -> Void)?, background: Bool, startGate: StartGate?, requests: RequestCount) {
        self.background = background
        self.startGate = startGate
        self.requests = requests
        var root = apiRoot
        while root.hasSuffix("/") { root.removeLast() }
        self.apiRoot = root
        self.transport = transport
        self.auth = auth
        self.log = log
        self.userAgent = userAgent
        self.onSend = onSend
    }

    /// A client for one call of the caller's: the same transport, credentials and limits, with
    /// its own request count, so the call's later requests (the write after its guard read) go
    /// upstream ahead of other calls' first ones. `onSend` hears of each request as it goes out.
    public func forCall(onSend: (@Sendable (Route) -> Void)? = nil) -> TiledeskClient {
        copy(onSend: onSend, background: false, startGate: nil, requests: RequestCount())
    }

    /// This client, its requests held back by `gate`: once it is closed, a request that has not
    /// gone out yet fails unsent (`CancellationError`), while one already sent goes on. Still the
    /// same call: its requests count on from this client's.
    public func gated(by gate: StartGate) -> TiledeskClient {
        copy(onSend: onSend, background: background, startGate: gate, requests: requests)
    }

    /// A client for work nobody waits on (a watch's polls): its requests are served only when no
    /// caller request waits for the upstream.
    public func forBackground() -> TiledeskClient {
        copy(onSend: nil, background: true, startGate: nil, requests: RequestCount())
    }

    /// This client's transport, credentials and limits, with what tells one call from another.
    private func copy(onSend: (@Sendable (Route) -> Void)?, background: Bool, startGate: StartGate?, requests: RequestCount) -> TiledeskClient {
        TiledeskClient(apiRoot: apiRoot, transport: transport, auth: auth, log: log, userAgent: userAgent, onSend: onSend,
                       background: background, startGate: startGate, requests: requests)
    }

    // MARK: Sending

    /// Sends one request and returns the useful part of the answer (unwrapped, `id` added), or
    /// throws a `TiledeskError` carrying the route, the server's answer and the API URL, with
    /// every known secret redacted.
    public func send(_ endpoint: Endpoint) async throws -> JSON {
        do {
            return try unwrap(try Self.body(of: try await exchange(endpoint), endpoint), endpoint)
        } catch let error as TiledeskError {
            throw redacted(error)
        }
    }

    /// The answer to a conditional read.
    public enum Conditional: Sendable, Equatable {
        /// The server's copy still has the tag that was sent (HTTP 304).
        case notModified
        /// The new value, and the tag to send next time.
        case modified(JSON, tag: String?)
    }

    /// Reads `endpoint` unless it still has the entity tag `ifNoneMatch` (the server answers 304
    /// without a body then): the way a poll costs nothing while nothing changes.
    public func sendConditional(_ endpoint: Endpoint, ifNoneMatch tag: String?) async throws -> Conditional {
        do {
            let response = try await exchange(endpoint, headers: tag.map { ["If-None-Match": $0] } ?? [:])
            if response.status == 304, tag != nil { return .notModified }
            return .modified(try unwrap(try Self.body(of: response, endpoint), endpoint), tag: response.headers["etag"])
        } catch let error as TiledeskError {
            throw redacted(error)
        }
    }

    /// `error` as the caller may see it: with the API URL, every known secret written `***`.
    private func redacted(_ error: TiledeskError) -> TiledeskError {
        var error = error
        error.apiURL = apiRoot
        error.message = log.redact(error.message)
        error.upstream = error.upstream.map(log.redact)
        return error
    }

    /// How `endpoint` would be sent, for a dry run: method, full URL and body; never credentials.
    public func describe(_ endpoint: Endpoint) -> JSON {
        ["method": .string(endpoint.route.method), "url": .string(apiRoot + endpoint.path), "body": endpoint.body ?? .null]
    }

    /// Signs in and switches this client (and every client sharing its credentials) to the new
    /// token. Returns `{token, user}`.
    public func signIn(email: String, password: String) async throws -> JSON {
        let (token, answer) = try await postSignIn(email: email, password: password)
        auth.use(token: token)
        var result: JSONObject = ["token": .string(token)]
        if let user = answer["user"] { result["user"] = Self.withIDs(user) }
        return .object(result)
    }

    /// What an invitation did.
    public enum InviteOutcome: Sendable, Equatable {
        /// A registered user became a teammate at once.
        case added(teammate: JSON)
        /// An unknown email: an invitation waits for that person to sign up.
        case pending(invitation: JSON)
    }

    /// Sends an invite and reads its two outcomes. The server's HTTP-200 `success: false` for an
    /// address already invited becomes a conflict.
    public func invite(_ endpoint: Endpoint) async throws -> InviteOutcome {
        let answer: JSON
        do {
            answer = try await send(endpoint)
        } catch var error as TiledeskError where error.kind == .badUpstream && error.httpStatus == 200 {
            if ResponseClassifier.serverMessage(error.upstream)?.hasPrefix("Pending Invitation already exist") == true {
                error.kind = .conflict
                error.message = TiledeskError.pendingInvitationMessage
            }
            throw error
        }
        if let invitation = answer["pendingInvitation"] { return .pending(invitation: Self.withIDs(invitation)) }
        return .added(teammate: answer)
    }

    private func unwrap(_ answer: JSON, _ endpoint: Endpoint) throws -> JSON {
        switch endpoint.unwrap {
        case .none, .unused:
            return Self.withIDs(answer)
        case .member(let key):
            return Self.withIDs(answer[key] ?? answer)
        case .single:
            guard case .array(let items) = answer else { return Self.withIDs(answer) }
            guard let first = items.first else {
                throw TiledeskError(.notFound, "not found", operation: endpoint.route.description, httpStatus: 200, upstream: answer)
            }
            return Self.withIDs(first)
        }
    }

    /// Sends one request, signing in again once after a 401 when credentials allow it; the
    /// response as it came.
    private func exchange(_ endpoint: Endpoint, headers extra: [String: String] = [:]) async throws -> HTTPResponse {
        let operation = endpoint.route.description
        var headers = extra
        headers["Accept"] = "application/json"
        if let userAgent { headers["User-Agent"] = userAgent }
        if endpoint.body != nil { headers["Content-Type"] = "application/json" }
        if endpoint.authenticated { headers["Authorization"] = try await auth.authorization(signIn: signInForToken) }
        var request = HTTPRequest(method: endpoint.route.method, path: endpoint.path, headers: headers, body: endpoint.body.map(JSONWriter.bytes))
        request.priority = background ? .background : requests.sent.add(1, ordering: .relaxed).oldValue == 0 ? .first : .followUp
        request.idempotent = endpoint.route.idempotent
        request.startGate = startGate
        onSend?(endpoint.route)
        var response = try await exchange(request, operation: operation)
        if response.status == 401, endpoint.authenticated, let rejected = headers["Authorization"],
            try await auth.renew(rejected: rejected, signIn: signInForToken)
        {
            log.info("\(operation): HTTP 401, signed in again")
            request.headers["Authorization"] = try await auth.authorization(signIn: signInForToken)
            response = try await exchange(request, operation: operation)
        }
        return response
    }

    /// The JSON body of a successful response, or the error its status or body means.
    private static func body(of response: HTTPResponse, _ endpoint: Endpoint) throws -> JSON {
        let operation = endpoint.route.description
        if let error = ResponseClassifier.error(for: response, operation: operation) { throw error }
        if endpoint.unwrap == .unused, response.body.allSatisfy({ [9, 10, 13, 32].contains($0) }) { return .null }
        return try ResponseClassifier.successBody(response, operation: operation)
    }

    /// The sign-in used by the authenticator: returns the token.
    private var signInForToken: @Sendable (String, String) async throws -> String {
        { [self] email, password in try await postSignIn(email: email, password: password).token }
    }

    /// `POST /auth/signin`: the token and the whole answer.
    private func postSignIn(email: String, password: String) async throws -> (token: String, answer: JSON) {
        log.addSecret(password)
        let endpoint = Endpoint.signIn(email: email, password: password)
        let answer = try Self.body(of: try await exchange(endpoint), endpoint)
        guard let token = answer["token"]?.stringValue else {
            throw TiledeskError(.badUpstream, "Tiledesk's sign-in answer has no token", operation: endpoint.route.description)
        }
        // A line break would end the Authorization header early: later requests would go out without it.
        guard !token.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw TiledeskError(.badUpstream, "Tiledesk's sign-in answer holds a token with control characters, which no header can carry",
                                operation: endpoint.route.description)
        }
        log.addSecret(Authenticator.bareToken(token))
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
        case .badResponse(let why):
            return TiledeskError(.badUpstream, "Tiledesk's answer is not valid HTTP: \(why)", operation: operation)
        }
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
