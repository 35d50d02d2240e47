import Foundation
import HTTPCore
import JSONCore
import Synchronization

/// An in-memory Tiledesk server: the users, auth and sign-up, projects (with operating hours),
/// team, pending-invitation, group, department, custom-role and activity routes of
/// `tiledesk-server` 2.19, with the same status codes, error bodies, check order and quirks
/// (and Express's ETags), starting from the seed of `protocol/sandbox.md`.
///
/// It is one more `HTTPTransport`, so the REST client runs the same code path with or without
/// a network. Paths are relative to the API root (`/users`, `/{pid}/project_users?role=agent`).
/// State lives as long as the instance; every request is served under one lock.
public final class Sandbox: HTTPTransport, Sendable {
    private let state: Mutex<SandboxState>
    private let clock: @Sendable () -> Int64

    /// - Parameter seeded: start with the sandbox seed (`SandboxSeed`); `false` starts empty.
    public convenience init(seeded: Bool = true) {
        self.init(seeded: seeded, clock: { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) })
    }

    /// - Parameter clock: the current time in milliseconds since 1970 (tests pin it).
    init(seeded: Bool, clock: @escaping @Sendable () -> Int64) {
        self.clock = clock
        var state = SandboxState(startedAt: ISODate.format(millis: clock()))
        if seeded { state.seed() }
        self.state = Mutex(state)
    }

    /// The emails the emulated server has "sent" (invitations, resends, sign-up verification),
    /// oldest first; the most recent `SandboxEmail.kept` are kept.
    public func sentEmails() -> [SandboxEmail] { state.withLock { $0.outbox } }

    /// Serves one request synchronously, like the real server would.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let context = RequestContext(request, nowMillis: clock())
        let reply = state.withLock { $0.serve(context) }
        return reply.response(for: context)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse { handle(request) }

    /// Runs `body` on the state (tests use it to set up what no route can, e.g. project settings).
    func withState<T>(_ body: (inout SandboxState) -> T) -> T { state.withLock { body(&$0) } }
}

/// Everything the emulated database holds, with the indexes the routes need to stay O(1)
/// per lookup (the sandbox is benchmarked at 100,000 requests).
struct SandboxState: ~Copyable {
    var users: [String: UserRecord] = [:]
    var userIDByEmail: [String: String] = [:]
    /// token → user id: the seed tokens and every token `/auth/signin` issued.
    var tokens: [String: String] = [:]
    var projects: [String: ProjectRecord] = [:]
    var projectUsers: [String: ProjectUserRecord] = [:]
    /// project id → its project_users in natural order.
    var teams: [String: OrderedIDs] = [:]
    /// user id → their project_user ids (every project), in natural order.
    var membershipsByUser: [String: [String]] = [:]
    /// uuid_user → guest project_user ids.
    var guestsByUUID: [String: [String]] = [:]
    var invitations = DocumentStore<PendingInvitationRecord>()
    /// `PendingInvitationRecord.emailKey` → invitations of every project, in natural order.
    var invitationsByEmail: [String: OrderedIDs] = [:]
    var groups = DocumentStore<GroupRecord>()
    var departments = DocumentStore<DepartmentRecord>()
    var roles = DocumentStore<RoleRecord>()
    var activities = DocumentStore<ActivityRecord>()
    /// The emails the server would have sent, oldest first (`Sandbox.sentEmails()`).
    var outbox: [SandboxEmail] = []
    var objectIDs = ObjectIDGenerator()
    /// `last_login_at`'s schema default: the time the server started.
    let startedAt: String

    init(startedAt: String) { self.startedAt = startedAt }

    // MARK: Storage

    mutating func addUser(_ user: UserRecord) {
        users[user.id] = user
        userIDByEmail[user.email] = user.id
    }

    mutating func newID(_ nowMillis: Int64) -> String { objectIDs.next(nowMillis: nowMillis) }

    mutating func insertProjectUser(_ record: ProjectUserRecord) {
        projectUsers[record.id] = record
        if let project = record.idProject { teams[project, default: OrderedIDs()].append(record.id) }
        if let user = record.idUser { membershipsByUser[user, default: []].append(record.id) }
        if let uuid = record.uuidUser { guestsByUUID[uuid, default: []].append(record.id) }
    }

    mutating func removeProjectUser(_ id: String) -> ProjectUserRecord? {
        guard let record = projectUsers.removeValue(forKey: id) else { return nil }
        if let project = record.idProject { teams[project]?.remove(id) }
        if let user = record.idUser { membershipsByUser[user]?.removeAll { $0 == id } }
        if let uuid = record.uuidUser { guestsByUUID[uuid]?.removeAll { $0 == id } }
        return record
    }

    /// `Project_user.findOne({id_project, id_user, status: "active"})` (plus `roleType` when
    /// given): the first match in natural order.
    func activeMembership(user: String, project: String, roleType: Int? = nil) -> ProjectUserRecord? {
        guard let ids = membershipsByUser[user] else { return nil }
        for id in ids {
            guard let record = projectUsers[id], record.idProject == project, record.isActive else { continue }
            if let roleType, record.roleType != roleType { continue }
            return record
        }
        return nil
    }

    /// A user document for `populate('id_user')`: the user, or `null` when it no longer exists.
    func populatedUser(_ record: ProjectUserRecord) -> JSON? {
        guard let id = record.idUser else { return nil }
        return users[id]?.fullJSON() ?? .null
    }

    // MARK: Routing

    /// Express's middleware order (`app.js`): body parser, CORS, the `/auth`, `/users`,
    /// `/users_util`, `/projects` routers, then `/:projectid/...` with its project checks.
    mutating func serve(_ request: RequestContext) -> Reply {
        if let failure = request.bodyFailure { return failure }
        if request.method == "OPTIONS" {
            return Reply(status: 204, body: .preflight(requestedHeaders: request.requestedHeaders))
        }
        let segments = request.segments
        guard let first = segments.first else {
            if request.method == "GET" {
                return Reply(
                    status: 200,
                    body: .html("Hello from Tiledesk server. It's UP. See the documentation here http://developer.tiledesk.com"))
            }
            return .notFound(request)
        }

        if Text.equalsIgnoringCase(first, "auth") {
            if segments.count == 2, request.method == "POST", Text.equalsIgnoringCase(segments[1], "signin") {
                return signin(request)
            }
            if segments.count == 2, request.method == "POST", Text.equalsIgnoringCase(segments[1], "signup") {
                return signup(request)
            }
            if segments.count == 3, request.method == "GET", Text.equalsIgnoringCase(segments[1], "pendinginvitationsnoauth") {
                return withDecodedID(segments[2]) { findInvitation($0) }
            }
        } else if Text.equalsIgnoringCase(first, "users") {
            // Mounted with passport + validtoken: every /users/... path authenticates first.
            let caller: UserRecord
            switch authenticate(request) {
            case .failure(let reply): return reply
            case .success(let user): caller = user
            }
            if segments.count == 1 {
                if request.method == "GET" { return getCurrentUser(caller) }
                if request.method == "PUT" { return updateCurrentUser(caller, request) }
            }
        } else if Text.equalsIgnoringCase(first, "users_util") {
            if segments.count == 2, request.method == "GET" {
                guard let id = Text.decodeURIComponent(segments[1]) else { return .internalError }
                return publicUser(id)
            }
        } else if Text.equalsIgnoringCase(first, "projects") {
            if request.method == "GET", segments.count == 1 { return listProjects(request) }
            if request.method == "GET", segments.count == 2 { return withDecodedID(segments[1]) { getProject(request, $0) } }
            if request.method == "PUT", segments.count == 2 { return withDecodedID(segments[1]) { updateProject(request, $0) } }
            if request.method == "GET", segments.count == 3, Text.equalsIgnoringCase(segments[2], "isopen") {
                return withDecodedID(segments[1]) { isOpen(request, $0) }
            }
        }
        // Anything else (including unmatched /auth, /users, /projects paths) reaches the
        // project middleware with the first segment as the project id.
        return serveProject(request)
    }

    /// `app.use('/:projectid/', projectIdSetter, projectSetter, ...)`: runs before any auth.
    private mutating func serveProject(_ request: RequestContext) -> Reply {
        let segments = request.segments
        guard let raw = Text.decodeURIComponent(segments[0]) else { return .internalError }
        guard let projectID = ObjectID.canonical(raw) else {
            return .json(400, .object(JSONObject([(key: "error", value: .string("Invalid project id: \(raw)"))])))
        }
        guard let project = projects[projectID], project.status == 100 else {
            return .json(400, .object(JSONObject([(key: "error", value: .string("Project not found with id: \(raw)"))])))
        }
        if segments.count >= 2 {
            let scope = ProjectScope(project: project, rawID: raw)
            if Text.equalsIgnoringCase(segments[1], "project_users") {
                if let reply = teamRoute(request, scope, segments[2...]) { return reply }
            } else if Text.equalsIgnoringCase(segments[1], "pendinginvitations") {
                return invitationRoute(request, scope, segments[2...])
            } else if Text.equalsIgnoringCase(segments[1], "groups") {
                return groupRoute(request, scope, segments[2...])
            } else if Text.equalsIgnoringCase(segments[1], "activities") {
                return activityRoute(request, scope, segments[2...])
            } else if Text.equalsIgnoringCase(segments[1], "roles") {
                return roleRoute(request, scope, segments[2...])
            } else if Text.equalsIgnoringCase(segments[1], "departments") {
                if let reply = departmentRoute(request, scope, segments[2...]) { return reply }
            }
        }
        return .notFound(request)
    }
}

/// The project a `/:projectid/...` request runs in, after the project middleware passed.
struct ProjectScope {
    let project: ProjectRecord
    /// `req.projectid`: the id exactly as the URL spelled it (decoded).
    let rawID: String
    var id: String { project.id }
}
