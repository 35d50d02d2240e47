import JSONCore

// `POST /auth/signup` (routes/auth.js, services/userService.js) and what it does to pending
// invitations (services/pendingInvitationService.js). reCAPTCHA is off, the server's default.

extension SandboxState {
    /// Validation (`email` isEmail, `firstname` and `lastname` notEmpty) → 422; no email or
    /// password → 200 `success:false`; a taken email (or phone: both are unique indexes) →
    /// 403; else the user is saved, a verification email is "sent" (unless `disableEmail`),
    /// every pending invitation of that address becomes a membership, and the answer is
    /// `{success, msg, user}`. An `Authorization` header that is not a token the server issued
    /// fails after the user was saved (500, and no invitation is converted).
    mutating func signup(_ request: RequestContext) -> Reply {
        let body = request.body
        var errors: [JSON] = []
        let checks: [(String, (String) -> Bool)] = [("email", EmailValidator.isEmail), ("firstname", { !$0.isEmpty }), ("lastname", { !$0.isEmpty })]
        for (param, check) in checks where !Self.validates(body[param], check) {
            errors.append(Self.validationError(body[param], param: param))
        }
        if !errors.isEmpty { return .json(422, ["errors": .array(errors)]) }
        guard JS.truthy(body["email"]), JS.truthy(body["password"]) else {
            return .json(200, ["success": false, "msg": "Please pass email and password."])
        }
        let user: UserRecord
        switch newUser(body, request) {
        case .failure(let error): return error.reply
        case .success(let saved): user = saved
        }
        addUser(user)
        if let header = request.authorization, !header.isEmpty {
            // `jwt.verify(req.headers.authorization.split(" ")[1])` throws for anything else.
            let parts = header.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count > 1, tokens[String(parts[1])] != nil else { return Self.registrationFailed }
        }
        if !JS.truthy(body["disableEmail"]) {
            send(
                SandboxEmail(
                    kind: .verifyEmail, to: user.email, projectID: nil, projectName: nil, invitationID: nil, role: nil,
                    sentAt: request.now))
        }
        convertInvitations(of: user, request)
        return .json(200, ["success": true, "msg": "Successfully created new user.", "user": user.fullJSON()])
    }

    private static let registrationFailed = Reply.json(500, ["success": false, "message": "Registration cannot be completed"])

    /// `new User({...}).save()`: Mongoose's casts and the phone's `trim` and E.164 `match`
    /// (a failure is 500), then the unique indexes on `email` and `phone` (11000 → 403).
    private mutating func newUser(_ body: JSON, _ request: RequestContext) -> Result<UserRecord, ReplyError> {
        guard case .string(let address)? = body["email"], let password = body["password"].flatMap(Cast.string) else {
            return .failure(ReplyError(Self.registrationFailed))
        }
        var fields: [String: String] = [:]
        for key in ["firstname", "lastname", "phone"] {
            guard let value = body[key], !value.isNull else { continue }
            guard let text = Cast.string(value) else { return .failure(ReplyError(Self.registrationFailed)) }
            fields[key] = text
        }
        let phone = fields["phone"]?.trimmingJSWhitespace()
        if let phone, !phone.isEmpty, !Self.isE164(phone) { return .failure(ReplyError(Self.registrationFailed)) }
        let email = Text.lowercased(address)
        if userIDByEmail[email] != nil || (phone != nil && users.values.contains { $0.phone == phone }) {
            return .failure(ReplyError(.json(403, ["success": false, "message": "Email already registered"])))
        }
        return .success(
            UserRecord(
                id: newID(request.nowMillis), email: email, password: password, firstname: fields["firstname"],
                lastname: fields["lastname"], emailverified: false, status: 100, createdAt: request.now, updatedAt: request.now,
                version: 0, phone: phone))
    }

    /// The schema's `/^\+?[1-9]\d{1,14}$/`.
    private static func isE164(_ phone: String) -> Bool {
        var digits = Substring(phone)
        if digits.first == "+" { digits = digits.dropFirst() }
        guard let first = digits.first, first != "0", (2...15).contains(digits.count) else { return false }
        return digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Every pending invitation of the address, in any project, becomes an active agent
    /// membership (`user_available: true`, the invitation's role and `createdBy`) and is
    /// removed. One that cannot be saved (no `createdBy`, as an upserted one) stays forever.
    mutating func convertInvitations(of user: UserRecord, _ request: RequestContext) {
        for invitation in invitations(email: .string(user.email)) {
            guard let createdBy = invitation.createdBy, !createdBy.isEmpty else { continue }
            var project: String?
            if let raw = invitation.idProject {
                guard let id = ObjectID.canonical(raw) else { continue }
                project = id
            }
            insertProjectUser(
                ProjectUserRecord.new(
                    id: newID(request.nowMillis), project: project, user: user.id, role: invitation.role, roleType: 1,
                    userAvailable: true, createdBy: createdBy, now: request.now, lastLoginAt: startedAt))
            removeInvitation(invitation.id)
        }
    }
}
