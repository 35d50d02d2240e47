import JSONCore

// `/:projectid/pendinginvitations` (routes/pending-invitation.js, mounted behind passport,
// validtoken and `hasRole('agent')`) and the public `/auth/pendinginvitationsnoauth/:id`.
// Every lookup by id is unscoped: any project's invitation answers.

extension SandboxState {
    // MARK: Storage

    /// Saves a new or changed invitation, keeping the email index in step.
    mutating func saveInvitation(_ invitation: PendingInvitationRecord) {
        if let old = invitations[invitation.id] { invitationsByEmail[PendingInvitationRecord.emailKey(old.email)]?.remove(old.id) }
        invitations.save(invitation)
        invitationsByEmail[PendingInvitationRecord.emailKey(invitation.email), default: OrderedIDs()].append(invitation.id)
    }

    @discardableResult
    mutating func removeInvitation(_ id: String) -> PendingInvitationRecord? {
        guard let invitation = invitations.remove(id) else { return nil }
        invitationsByEmail[PendingInvitationRecord.emailKey(invitation.email)]?.remove(id)
        return invitation
    }

    /// `PendingInvitation.find({email})` across every project, in natural order.
    func invitations(email: JSON?) -> [PendingInvitationRecord] {
        var found: [PendingInvitationRecord] = []
        invitationsByEmail[PendingInvitationRecord.emailKey(email)]?.forEach { id in
            if let invitation = invitations[id] { found.append(invitation) }
        }
        return found
    }

    /// `var email = req.body.email; if (email) email = email.toLowerCase()` followed by
    /// Mongoose's String cast: missing stays missing, `null` stays null, a falsy scalar becomes
    /// its text, and a truthy non-string throws (the app's 500 `{"err":"error"}`).
    static func lowercasedEmail(_ value: JSON?) -> Result<JSON?, ReplyError> {
        switch value {
        case nil: return .success(nil)
        case .null?: return .success(.null)
        case .string(let s)?: return .success(.string(Text.lowercased(s)))
        case .bool(false)?: return .success("false")
        case .number(let n)? where n.doubleValue == 0: return .success(.string(Cast.jsNumberString(n)))
        default: return .failure(ReplyError(.internalError))
        }
    }

    // MARK: Routes

    /// The router, in file order: `GET /resendinvite/:id`, `POST /`, `PUT /:id`, `DELETE /:id`,
    /// `GET /:id`, `GET /`. So `GET /resendinvite` with no id is `GET /:id`.
    mutating func invitationRoute(_ request: RequestContext, _ scope: ProjectScope, _ rest: ArraySlice<Substring>) -> Reply {
        let caller: UserRecord
        switch authorize(request, project: scope.id, role: .agent) {
        case .failure(let error): return error.reply
        case .success(let (user, _)): caller = user
        }
        let parts = Array(rest)
        switch (request.method, parts.count) {
        case ("GET", 2) where Text.equalsIgnoringCase(parts[0], "resendinvite"):
            return withDecodedID(parts[1]) { resendInvitation($0, scope, caller: caller, request) }
        case ("POST", 0): return createInvitation(request, scope, caller: caller)
        case ("PUT", 1): return withDecodedID(parts[0]) { updateInvitation($0, request) }
        case ("DELETE", 1): return withDecodedID(parts[0]) { deleteInvitation($0) }
        case ("GET", 1): return withDecodedID(parts[0]) { findInvitation($0) }
        case ("GET", 0): return listInvitations(scope)
        default: return .notFound(request)
        }
    }

    /// `GET /`: `find({id_project: req.projectid})`, the id as the URL spelled it.
    private func listInvitations(_ scope: ProjectScope) -> Reply {
        .json(200, .array(invitations.inProject(scope.rawID).map { $0.json() }))
    }

    /// `findById`: 500 for a malformed id, 404 when missing. Also `GET /auth/pendinginvitationsnoauth/:id`.
    func findInvitation(_ rawID: String) -> Reply {
        switch invitation(rawID) {
        case .failure(let error): return error.reply
        case .success(let invitation): return .json(200, invitation.json())
        }
    }

    private func invitation(_ rawID: String) -> Result<PendingInvitationRecord, ReplyError> {
        guard let id = ObjectID.canonical(rawID) else { return .failure(ReplyError(.msg(500, "Error getting object."))) }
        guard let invitation = invitations[id] else { return .failure(ReplyError(.msg(404, "Object not found."))) }
        return .success(invitation)
    }

    /// `GET /resendinvite/:id`: emails the invitation again, naming the URL's project (not the
    /// invitation's) and the caller; nothing about the invitation changes.
    private mutating func resendInvitation(_ rawID: String, _ scope: ProjectScope, caller: UserRecord, _ request: RequestContext) -> Reply {
        switch invitation(rawID) {
        case .failure(let error): return error.reply
        case .success(let invitation):
            send(
                SandboxEmail(
                    kind: .invitation, to: invitation.email?.stringValue, projectID: scope.id, projectName: scope.project.name,
                    invitationID: invitation.id, role: invitation.role?.stringValue, sentAt: request.now))
            return .json(200, .object(JSONObject([(key: "Resend invitation email to", value: invitation.json())])))
        }
    }

    /// `POST /`: a raw create. `req.id_projectid` is never set, so the invitation has no
    /// `id_project` and shows in no list; no email is sent.
    private mutating func createInvitation(_ request: RequestContext, _ scope: ProjectScope, caller: UserRecord) -> Reply {
        let email: JSON?
        switch Self.lowercasedEmail(request.body["email"]) {
        case .failure(let error): return error.reply
        case .success(let value): email = value
        }
        guard let role = Self.castString(request.body["role"]) else { return .msg(500, "Error saving object.") }
        let invitation = PendingInvitationRecord(
            id: newID(request.nowMillis), email: email, role: role, idProject: nil, createdBy: caller.id,
            createdAt: request.now, updatedAt: request.now, version: 0)
        saveInvitation(invitation)
        return .json(200, invitation.json())
    }

    /// `PUT /:id`: `email` and `role` are both always written, so an omitted one becomes
    /// `null` (Mongoose 5); an upsert, unscoped.
    private mutating func updateInvitation(_ rawID: String, _ request: RequestContext) -> Reply {
        let email: JSON?
        switch Self.lowercasedEmail(request.body["email"]) {
        case .failure(let error): return error.reply
        case .success(let value): email = value ?? .null
        }
        guard let id = ObjectID.canonical(rawID), let role = Self.castString(request.body["role"]) else {
            return .msg(500, "Error updating object.")
        }
        var invitation =
            invitations[id]
            ?? PendingInvitationRecord(
                id: id, email: nil, role: nil, idProject: nil, createdBy: nil, createdAt: request.now, updatedAt: request.now,
                version: nil)
        invitation.email = email
        invitation.role = role ?? .null
        invitation.updatedAt = request.now
        saveInvitation(invitation)
        return .json(200, invitation.json())
    }

    /// `DELETE /:id`: a physical, unscoped delete answering Mongo's delete result.
    private mutating func deleteInvitation(_ rawID: String) -> Reply {
        guard let id = ObjectID.canonical(rawID) else { return .msg(500, "Error deleting object.") }
        let count = removeInvitation(id) == nil ? 0 : 1
        return .json(200, ["n": .number(JSONNumber(count)), "ok": 1, "deletedCount": .number(JSONNumber(count))])
    }

    /// A String path set from a request value: missing stays missing, `null` stays null,
    /// scalars become text; `nil` for a CastError (objects, arrays).
    static func castString(_ value: JSON?) -> JSON?? {
        switch value {
        case nil: return .some(nil)
        case .null?: return .some(.null)
        case let value?: return Cast.string(value).map { .some(.string($0)) }
        }
    }
}

/// Runs `body` with a path segment percent-decoded, as Express decodes route parameters;
/// an invalid encoding is the app's 500 `{"err":"error"}`.
func withDecodedID(_ segment: Substring, _ body: (String) -> Reply) -> Reply {
    guard let id = Text.decodeURIComponent(segment) else { return .internalError }
    return body(id)
}
