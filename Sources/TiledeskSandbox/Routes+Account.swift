import JSONCore

// `/auth/signin` (routes/auth.js), `/users` (routes/users.js), `/users_util` (routes/users-util.js)
// and `/projects` (routes/project.js).

extension SandboxState {
    // MARK: POST /auth/signin

    /// Validation (express-validator: `email` isEmail, `password` notEmpty) → 422; unknown or
    /// disabled user → 401; wrong password → 401; else a fresh token for that user.
    mutating func signin(_ request: RequestContext) -> Reply {
        let email = request.body["email"]
        let password = request.body["password"]
        var errors: [JSON] = []
        if !Self.validates(email, EmailValidator.isEmail) { errors.append(Self.validationError(email, param: "email")) }
        if Self.validatorString(password)?.isEmpty ?? true { errors.append(Self.validationError(password, param: "password")) }
        if !errors.isEmpty { return .json(422, ["errors": .array(errors)]) }

        // `req.body.email.toLowerCase()`: a non-string email that passed validation throws.
        guard let emailText = email?.stringValue else { return .internalError }
        guard let id = userIDByEmail[Text.lowercased(emailText)], let user = users[id], user.status == 100 else {
            return .msg(401, "Authentication failed. User not found.")
        }
        guard let given = password.flatMap(Cast.string), given == user.password else {
            return .msg(401, "Authentication failed. Wrong password.")
        }
        let token = makeToken(for: user, nowMillis: request.nowMillis)
        tokens[token] = user.id
        return .json(200, ["success": true, "token": .string("JWT " + token), "user": user.profileJSON()])
    }

    /// A JWT-shaped token (HS256 header, the real payload, a random signature) that the
    /// emulator's token table recognizes.
    private func makeToken(for user: UserRecord, nowMillis: Int64) -> String {
        guard case .object(var payload) = user.profileJSON() else { return "" }
        payload.appendUnique("iat", .number(JSONNumber(Int(nowMillis / 1000))))
        payload.appendUnique("aud", "https://tiledesk.com")
        payload.appendUnique("iss", "https://tiledesk.com")
        payload.appendUnique("sub", "user")
        payload.appendUnique("jti", .string(makeUUIDv4()))
        var rng = SystemRandomNumberGenerator()
        let signature = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + Base64.encodeURL(JSONWriter.bytes(.object(payload))) + "."
            + Base64.encodeURL(signature)
    }

    /// express-validator's `toString` of a value before a standard validator sees it.
    static func validatorString(_ value: JSON?) -> String? {
        switch value {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case .number(let n)?: return Cast.jsNumberString(n)
        case .bool(let b)?: return b ? "true" : "false"
        case .object?: return "[object Object]"
        case .array(let items)?: return items.isEmpty ? "" : nil
        }
    }

    /// A standard validator (`isEmail`, `notEmpty`) run on the value's text; an array is valid
    /// when each element is.
    static func validates(_ value: JSON?, _ check: (String) -> Bool) -> Bool {
        if case .array(let items)? = value, !items.isEmpty { return items.allSatisfy { validates($0, check) } }
        guard let text = validatorString(value) else { return false }
        return check(text)
    }

    /// One express-validator v6 error; `value` is omitted when the field was absent.
    static func validationError(_ value: JSON?, param: String) -> JSON {
        var o = JSONObject()
        if let value { o.appendUnique("value", value) }
        o.appendUnique("msg", "Invalid value")
        o.appendUnique("param", .string(param))
        o.appendUnique("location", "body")
        return .object(o)
    }

    // MARK: GET /users, PUT /users

    /// The caller projected to `email firstname lastname _id emailverified`.
    func getCurrentUser(_ caller: UserRecord) -> Reply {
        guard let user = users[caller.id] else { return .msg(404, "Object not found.") }
        return .json(200, user.profileJSON())
    }

    /// Whitelisted update of the caller (`null` skipped, `attributes` replaced, no validation)
    /// → `{success:true, updatedUser}`. A cast failure or a duplicate `phone` → 500 with the raw
    /// Mongo error as `msg`.
    mutating func updateCurrentUser(_ caller: UserRecord, _ request: RequestContext) -> Reply {
        guard var user = users[caller.id] else { return .msg(404, "User not found") }
        let body = request.body
        func text(_ key: String) -> Result<String?, ReplyError> {
            guard let value = body[key], !value.isNull else { return .success(nil) }
            guard let s = Cast.string(value) else {
                return .failure(ReplyError(.json(500, ["success": false, "msg": Cast.castErrorJSON(path: key, kind: "string", value: value)])))
            }
            return .success(s)
        }
        do {
            if let v = try text("firstname").get() { user.firstname = v }
            if let v = try text("lastname").get() { user.lastname = v }
            if let v = body["attributes"], !v.isNull { user.attributes = v }
            if let v = try text("description").get() { user.description = v }
            if let v = try text("public_email").get() { user.publicEmail = v }
            if let v = try text("public_website").get() { user.publicWebsite = v }
            if var phone = try text("phone").get() {
                phone = phone.trimmingJSWhitespace()  // the schema's `trim: true`
                if users.values.contains(where: { $0.id != user.id && $0.phone == phone }) {
                    return .json(500, ["success": false, "msg": Self.duplicatePhoneError(phone)])
                }
                user.phone = phone
            }
        } catch {
            return error.reply
        }
        user.updatedAt = request.now
        users[user.id] = user
        return .json(200, ["success": true, "updatedUser": user.fullJSON()])
    }

    /// The MongoError a duplicate key on the unique `phone` index serializes to.
    private static func duplicatePhoneError(_ phone: String) -> JSON {
        var o = JSONObject()
        o.appendUnique("ok", 0)
        o.appendUnique(
            "errmsg", .string("E11000 duplicate key error collection: tiledesk.users index: phone_1 dup key: { phone: \"\(phone)\" }"))
        o.appendUnique("code", 11000)
        o.appendUnique("codeName", "DuplicateKey")
        o.appendUnique("keyPattern", ["phone": 1])
        o.appendUnique("keyValue", ["phone": .string(phone)])
        o.appendUnique("name", "MongoError")
        return .object(o)
    }

    // MARK: GET /users_util/:userid (public)

    func publicUser(_ id: String) -> Reply {
        guard let canonical = ObjectID.canonical(id) else { return .msg(404, "User id not found") }
        guard let user = users[canonical] else { return .msg(404, "Object not found.") }
        return .json(200, user.publicJSON())
    }

    // MARK: GET /projects, GET /projects/:projectid

    /// The caller's active agent memberships (`roleType:1, status:"active"`), `id_project`
    /// populated with the full project, most recently updated project first.
    func listProjects(_ request: RequestContext) -> Reply {
        let caller: UserRecord
        switch authenticate(request) {
        case .failure(let reply): return reply
        case .success(let user): caller = user
        }
        var rows: [ProjectUserRecord] = []
        for id in membershipsByUser[caller.id] ?? [] {
            if let record = projectUsers[id], record.roleType == 1, record.isActive { rows.append(record) }
        }
        // The DB query sorts by the membership's updatedAt (desc); the route then re-sorts by
        // the project's updatedAt (desc). Both sorts are stable.
        rows = stableSorted(rows) { ($0.updatedAt ?? "") > ($1.updatedAt ?? "") }
        rows = stableSorted(rows) { a, b in
            (a.idProject.flatMap { projects[$0]?.updatedAt } ?? "") > (b.idProject.flatMap { projects[$0]?.updatedAt } ?? "")
        }
        let items: [JSON] = rows.map { record in
            // A membership with no project (an invitation made by the raw POST) has nothing to populate.
            let project = record.idProject.map { projects[$0]?.json(nowMillis: request.nowMillis) ?? .null }
            return record.json(idProject: project)
        }
        return .json(200, .array(items))
    }

    /// `GET /projects/:projectid` (role agent). It skips the project middleware, so a malformed
    /// id fails in the membership lookup: 500 `{"err":"error"}`.
    func getProject(_ request: RequestContext, _ rawID: String) -> Reply {
        let id: String
        switch authorizeProjectRoute(request, rawID, role: .agent) {
        case .failure(let error): return error.reply
        case .success(let (_, projectID)): id = projectID
        }
        guard let project = projects[id] else { return .msg(404, "Object not found.") }
        return .json(200, project.json(nowMillis: request.nowMillis))
    }
}

/// A stable sort (`Array.sort` is not guaranteed stable; V8's is).
func stableSorted<T>(_ items: [T], by areInIncreasingOrder: (T, T) -> Bool) -> [T] {
    items.enumerated().sorted { a, b in
        if areInIncreasingOrder(a.element, b.element) { return true }
        if areInIncreasingOrder(b.element, a.element) { return false }
        return a.offset < b.offset
    }.map(\.element)
}

extension Error {
    /// The reply a `ReplyError` carries (every error thrown in the routes is one).
    var reply: Reply { (self as? ReplyError)?.reply ?? .internalError }
}
