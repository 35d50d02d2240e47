import JSONCore

// `GET /projects/:projectid/isopen` and `PUT /projects/:projectid` (routes/project.js), mounted
// under `/projects`, outside the project middleware.

extension SandboxState {
    /// `GET /projects/:id/isopen` (public): `{"isopen": bool}`; the service's errors are 500
    /// `{"success":false,"msg":{errorCode,msg}}` (with `?timeSlot=`,
    /// `{"success":false,"error":{…}}`). Stored hours that make the real route hang are the
    /// sandbox's 500 marked `never_answered`.
    func isOpen(_ request: RequestContext, _ rawID: String) -> Reply {
        let slot = request.query.truthy("timeSlot")?.joined(separator: ",")
        let outcome: OperatingHours.Outcome
        if let id = ObjectID.canonical(rawID), let project = projects[id], project.status == 100 {
            outcome =
                slot.map { OperatingHours.slotIsOpen(project, slot: $0, nowMillis: request.nowMillis) }
                ?? OperatingHours.projectIsOpen(project, nowMillis: request.nowMillis)
        } else if ObjectID.canonical(rawID) == nil {
            outcome = .failure(code: 1000, message: slot == nil ? "Error getting object." : "Error getting project.")
        } else {
            outcome = .failure(code: 1010, message: slot == nil ? "project not found for id" : "Project not found for id" + rawID)
        }
        switch outcome {
        case .open(let open):
            return .json(200, ["isopen": .bool(open)])
        case .neverAnswers(let reason):
            return .neverAnswered(reason)
        case .failure(let code, let message):
            var error: JSONObject = ["errorCode": .number(JSONNumber(code)), "msg": .string(message)]
            if code == 1010, slot == nil { error["projectId"] = .string(rawID) }
            return .json(500, .object(JSONObject([(key: "success", value: false), (key: slot == nil ? "msg" : "error", value: .object(error))])))
        }
    }

    /// `PUT /projects/:id` (admin), for what the sandbox keeps of a project: `name`,
    /// `activeOperatingHours`, `operatingHours`, `timeSlots`, `settings` (replaced whole) and
    /// the server's dotted `settings.*` keys (e.g. `settings.max_agent_assigned_chat`). A
    /// `profile` is refused (403) to anyone but a superadmin, whom the sandbox has not; the
    /// other project fields are not emulated and are ignored.
    mutating func updateProject(_ request: RequestContext, _ rawID: String) -> Reply {
        let id: String
        switch authorizeProjectRoute(request, rawID, role: .admin) {
        case .failure(let error): return error.reply
        case .success(let (_, projectID)): id = projectID
        }
        let body = request.body
        if JS.truthy(body["profile"]) {
            return .error(403, "You don't have the permission required to modify the project profile")
        }
        let failed = Reply.msg(500, "Error updating object.")
        guard var project = projects[id] else { return failed }
        do {
            if let name = try body.cast("name", Cast.string) { project.name = name }
            if let active = try body.cast("activeOperatingHours", Cast.boolean) { project.activeOperatingHours = active }
        } catch {
            return failed
        }
        if let value = body.defined("operatingHours") { project.operatingHours = value }
        if let value = body.defined("timeSlots") { project.timeSlots = value }
        let dotted = Self.projectSettingsKeys.compactMap { key in body.defined(key).map { (key, $0) } }
        if let value = body.defined("settings") {
            // The whole object and one of its paths in one update: MongoDB refuses the conflict.
            guard case .object(let settings) = value, dotted.isEmpty else { return failed }
            project.settings = settings
        }
        for (key, value) in dotted {
            guard setDotted(&project.settings, key.split(separator: ".").dropFirst().map(String.init)[...], value) else { return failed }
        }
        project.updatedAt = request.now
        projects[id] = project
        return .json(200, project.json(nowMillis: request.nowMillis))
    }

    /// The dotted settings keys the route copies into its `$set`.
    static let projectSettingsKeys = [
        "settings.email.autoSendTranscriptToRequester", "settings.email.notification.conversation.assigned",
        "settings.email.notification.conversation.pooled", "settings.email.templates.assignedRequest",
        "settings.email.templates.assignedEmailMessage", "settings.email.templates.pooledRequest",
        "settings.email.templates.pooledEmailMessage", "settings.email.templates.newMessage",
        "settings.email.templates.newMessageFollower", "settings.email.templates.ticket", "settings.email.templates.sendTranscript",
        "settings.email.templates.emailDirect", "settings.email.from", "settings.email.config.host", "settings.email.config.port",
        "settings.email.config.secure", "settings.email.config.user", "settings.email.config.pass", "settings.chat_limit_on",
        "settings.max_agent_assigned_chat", "settings.reassignment_on", "settings.reassignment_delay",
        "settings.automatic_unavailable_status_on", "settings.automatic_idle_chats", "settings.current_agent_my_chats_only",
        "settings.chatbots_attributes_hidden", "settings.allow_send_emoji", "settings.allowed_urls", "settings.allowed_urls_list",
        "settings.allowed_upload_extentions",
    ]
}
