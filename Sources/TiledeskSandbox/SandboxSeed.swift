import JSONCore

/// The sandbox's fixed seed data (`protocol/sandbox.md`): every id, email and token the
/// emulator starts with, so docs, examples and tests can name them.
public enum SandboxSeed {
    // Projects
    /// "Demo Support", owned by Olivia Owner: the sandbox's default project.
    public static let projectID = "65f000000000000000000001"
    public static let projectName = "Demo Support"
    /// "Other Project", owned by Oscar Other; the demo caller is not a member.
    public static let otherProjectID = "65f000000000000000000002"
    public static let otherProjectName = "Other Project"

    /// Every seed user's password.
    public static let password = "demo-password"

    // Users
    public static let ownerUserID = "65f0000000000000000000a1"
    public static let adminUserID = "65f0000000000000000000a2"
    public static let aliceUserID = "65f0000000000000000000a3"
    public static let bobUserID = "65f0000000000000000000a4"
    public static let ninaUserID = "65f0000000000000000000a5"
    public static let oscarUserID = "65f0000000000000000000a6"

    public static let ownerEmail = "owner@example.com"
    public static let adminEmail = "admin@example.com"
    public static let aliceEmail = "alice@example.com"
    public static let bobEmail = "bob@example.com"
    public static let ninaEmail = "nina@example.com"
    public static let oscarEmail = "oscar@example.com"

    /// Tokens, sent as `Authorization: JWT <token>`.
    public static let ownerToken = "sandbox-token-owner"
    public static let adminToken = "sandbox-token-admin"
    public static let aliceToken = "sandbox-token-alice"
    public static let bobToken = "sandbox-token-bob"
    public static let ninaToken = "sandbox-token-nina"
    public static let oscarToken = "sandbox-token-oscar"

    // Teammates (project_users)
    public static let ownerTeammateID = "65f0000000000000000000b1"
    public static let adminTeammateID = "65f0000000000000000000b2"
    public static let aliceTeammateID = "65f0000000000000000000b3"
    public static let bobTeammateID = "65f0000000000000000000b4"
    /// Oscar's owner membership of the other project.
    public static let oscarTeammateID = "65f0000000000000000000b6"

    // Pending invitation
    public static let pendingInvitationID = "65f0000000000000000000c1"
    public static let pendingEmail = "pending@example.com"
    public static let pendingRole = "agent"

    // Groups (members are user ids)
    /// "Support team": Alice and Bob, enabled; the "Support" department routes to it.
    public static let supportGroupID = "65f0000000000000000000d1"
    /// "Night shift": Adam, **disabled**; the "Night desk" department routes to it.
    public static let nightShiftGroupID = "65f0000000000000000000d2"
    /// "Billing": Adam, enabled; no department routes to it.
    public static let billingGroupID = "65f0000000000000000000d3"
    /// An id no group has; the "Legacy desk" department routes to it.
    public static let missingGroupID = "65f0000000000000000000d9"

    // Departments
    /// "Default Department" (`default: true`, no group: the whole team).
    public static let defaultDepartmentID = "65f0000000000000000000e1"
    /// "Support", routing to the "Support team" group.
    public static let supportDepartmentID = "65f0000000000000000000e2"
    /// "Night desk", routing to the disabled "Night shift" group; `status: 0` (hidden from the widget).
    public static let nightDeskDepartmentID = "65f0000000000000000000e3"
    /// "Legacy desk", routing to a group that does not exist.
    public static let legacyDeskDepartmentID = "65f0000000000000000000e4"

    // Custom roles
    /// "triage", permissions `["request_read_group"]`.
    public static let triageRoleID = "65f0000000000000000000f1"

    // Activity log
    /// The seeded activities, oldest first: `65f00000000000000000ac01` … `ac13`; each one's
    /// actor sub-document has the same number under `ad` (`…ad01`).
    public static let activityIDs = (1...13).map { activityDocumentID("ac", $0) }
    /// Tom Temp, the teammate the log shows being trashed then removed: neither his account nor
    /// his membership exists in the seed.
    public static let formerUserID = "65f0000000000000000000a9"
    public static let formerTeammateID = "65f0000000000000000000b9"

    static func activityDocumentID(_ kind: String, _ n: Int) -> String {
        "65f00000000000000000" + kind + (n < 10 ? "0" : "") + String(n)
    }

    /// The `last_login_at` default of every seed teammate (the server's start time in the real one).
    static let seedLoginAt = "2026-01-15T09:00:00.000Z"

    struct SeedUser {
        let id, email, token, firstname, lastname, createdAt: String
    }

    static let users: [SeedUser] = [
        SeedUser(id: ownerUserID, email: ownerEmail, token: ownerToken, firstname: "Olivia", lastname: "Owner", createdAt: "2026-01-15T08:00:00.000Z"),
        SeedUser(id: adminUserID, email: adminEmail, token: adminToken, firstname: "Adam", lastname: "Admin", createdAt: "2026-01-15T08:05:00.000Z"),
        SeedUser(id: aliceUserID, email: aliceEmail, token: aliceToken, firstname: "Alice", lastname: "Agent", createdAt: "2026-01-15T08:10:00.000Z"),
        SeedUser(id: bobUserID, email: bobEmail, token: bobToken, firstname: "Bob", lastname: "Agent", createdAt: "2026-01-15T08:15:00.000Z"),
        SeedUser(id: ninaUserID, email: ninaEmail, token: ninaToken, firstname: "Nina", lastname: "Newcomer", createdAt: "2026-01-15T08:20:00.000Z"),
        SeedUser(id: oscarUserID, email: oscarEmail, token: oscarToken, firstname: "Oscar", lastname: "Other", createdAt: "2026-01-15T08:25:00.000Z"),
    ]

    struct SeedProject {
        let id, name, owner, createdAt: String
        var settings: JSONObject = [:]
    }

    /// The demo project limits each agent to one assigned conversation (`isBusy` at 1).
    static let projects: [SeedProject] = [
        SeedProject(
            id: projectID, name: projectName, owner: ownerUserID, createdAt: "2026-01-15T09:00:00.000Z",
            settings: ["chat_limit_on": true, "max_agent_assigned_chat": 1]),
        SeedProject(id: otherProjectID, name: otherProjectName, owner: oscarUserID, createdAt: "2026-01-15T09:30:00.000Z"),
    ]

    struct SeedTeammate {
        let id, project, user, role: String
        let available: Bool
        let presence: String
        let createdBy, createdAt: String
        /// `number_assigned_requests`.
        var assigned = 0
    }

    static let teammates: [SeedTeammate] = [
        SeedTeammate(id: ownerTeammateID, project: projectID, user: ownerUserID, role: "owner", available: true, presence: "online", createdBy: ownerUserID, createdAt: "2026-01-15T09:00:00.000Z"),
        // Adam is available but busy: one conversation, the project's limit.
        SeedTeammate(id: adminTeammateID, project: projectID, user: adminUserID, role: "admin", available: true, presence: "offline", createdBy: ownerUserID, createdAt: "2026-01-15T09:10:00.000Z", assigned: 1),
        SeedTeammate(id: aliceTeammateID, project: projectID, user: aliceUserID, role: "agent", available: true, presence: "online", createdBy: ownerUserID, createdAt: "2026-01-15T09:20:00.000Z"),
        SeedTeammate(id: bobTeammateID, project: projectID, user: bobUserID, role: "agent", available: false, presence: "offline", createdBy: ownerUserID, createdAt: "2026-01-15T09:30:00.000Z"),
        SeedTeammate(id: oscarTeammateID, project: otherProjectID, user: oscarUserID, role: "owner", available: true, presence: "online", createdBy: oscarUserID, createdAt: "2026-01-15T09:30:00.000Z"),
    ]

    static let presenceChangedAt = "2026-01-15T09:45:00.000Z"
    static let pendingCreatedAt = "2026-01-15T09:40:00.000Z"
}

extension SandboxSeed {
    struct SeedGroup {
        let id, name: String
        let members: [String]
        let enabled: Bool
        let createdAt: String
    }

    static let groups: [SeedGroup] = [
        SeedGroup(id: supportGroupID, name: "Support team", members: [aliceUserID, bobUserID], enabled: true, createdAt: "2026-01-15T10:00:00.000Z"),
        SeedGroup(id: nightShiftGroupID, name: "Night shift", members: [adminUserID], enabled: false, createdAt: "2026-01-15T10:05:00.000Z"),
        SeedGroup(id: billingGroupID, name: "Billing", members: [adminUserID], enabled: true, createdAt: "2026-01-15T10:10:00.000Z"),
    ]

    struct SeedDepartment {
        let id, name, routing: String
        let isDefault: Bool
        let group: String?
        let status: Int
        let createdAt: String
    }

    static let departments: [SeedDepartment] = [
        SeedDepartment(
            id: defaultDepartmentID, name: "Default Department", routing: "assigned", isDefault: true, group: nil, status: 1,
            createdAt: "2026-01-15T09:00:00.000Z"),
        SeedDepartment(
            id: supportDepartmentID, name: "Support", routing: "assigned", isDefault: false, group: supportGroupID, status: 1,
            createdAt: "2026-01-15T10:15:00.000Z"),
        SeedDepartment(
            id: nightDeskDepartmentID, name: "Night desk", routing: "pooled", isDefault: false, group: nightShiftGroupID, status: 0,
            createdAt: "2026-01-15T10:20:00.000Z"),
        SeedDepartment(
            id: legacyDeskDepartmentID, name: "Legacy desk", routing: "assigned", isDefault: false, group: missingGroupID, status: 1,
            createdAt: "2026-01-15T10:25:00.000Z"),
    ]
}

extension SandboxState {
    /// Loads `SandboxSeed` into an empty state.
    mutating func seed() {
        for u in SandboxSeed.users {
            addUser(
                UserRecord(
                    id: u.id, email: u.email, password: SandboxSeed.password, firstname: u.firstname, lastname: u.lastname,
                    emailverified: true, status: 100, createdAt: u.createdAt, updatedAt: u.createdAt, version: 0))
            tokens[u.token] = u.id
        }
        for p in SandboxSeed.projects {
            projects[p.id] = ProjectRecord(
                id: p.id, name: p.name, createdBy: p.owner, status: 100, settings: p.settings,
                createdAtMillis: ISODate.parse(p.createdAt) ?? 0, createdAt: p.createdAt, updatedAt: p.createdAt, version: 0)
        }
        for t in SandboxSeed.teammates {
            var record = ProjectUserRecord.new(
                id: t.id, project: t.project, user: t.user, role: .string(t.role), roleType: 1, userAvailable: t.available,
                createdBy: t.createdBy, now: t.createdAt, lastLoginAt: SandboxSeed.seedLoginAt)
            record.presence = Presence(status: t.presence, changedAt: SandboxSeed.presenceChangedAt)
            record.numberAssignedRequests = .number(JSONNumber(t.assigned))
            insertProjectUser(record)
        }
        saveInvitation(
            PendingInvitationRecord(
                id: SandboxSeed.pendingInvitationID, email: .string(SandboxSeed.pendingEmail), role: .string(SandboxSeed.pendingRole),
                idProject: SandboxSeed.projectID, createdBy: SandboxSeed.ownerUserID, createdAt: SandboxSeed.pendingCreatedAt,
                updatedAt: SandboxSeed.pendingCreatedAt, version: 0))
        seedOrganization()
        seedActivities()
    }

    /// The demo project's groups, departments and custom role.
    private mutating func seedOrganization() {
        let project = SandboxSeed.projectID
        let owner = SandboxSeed.ownerUserID
        for g in SandboxSeed.groups {
            groups.save(
                GroupRecord(
                    id: g.id, name: g.name, members: .array(g.members.map { .string($0) }), idProject: project, enabled: g.enabled,
                    trashed: false, attributes: nil, createdBy: owner, createdAt: g.createdAt, updatedAt: g.createdAt, version: 0))
        }
        for d in SandboxSeed.departments {
            departments.save(
                DepartmentRecord(
                    id: d.id, routing: d.routing, name: d.name, idProject: project, idGroup: d.group.map { .string($0) }, groups: [],
                    isDefault: d.isDefault, tags: [], status: .number(JSONNumber(d.status)), createdBy: owner, createdAt: d.createdAt,
                    updatedAt: d.createdAt, version: 0))
        }
        roles.save(RoleRecord(id: SandboxSeed.triageRoleID, name: "triage", permissions: ["request_read_group"], idProject: project, version: 0))
    }

    /// The log the archiver would have written for the seed's history: the three invites of
    /// registered users and the pending one, availability changes by Bob and Alice themselves
    /// and by the system (Alice, Adam), two role changes of Bob by the owner, and Tom Temp
    /// trashed by Adam then removed by the owner.
    private mutating func seedActivities() {
        let project = SandboxSeed.projectID
        guard let owner = users[SandboxSeed.ownerUserID], let admin = users[SandboxSeed.adminUserID],
            let alice = users[SandboxSeed.aliceUserID], let bob = users[SandboxSeed.bobUserID],
            let invitation = invitations[SandboxSeed.pendingInvitationID], let adminTeammate = projectUsers[SandboxSeed.adminTeammateID],
            let aliceTeammate = projectUsers[SandboxSeed.aliceTeammateID], let bobTeammate = projectUsers[SandboxSeed.bobTeammateID]
        else { return }
        let limit = projects[project]?.maxAgentAssignedChat
        let tom = UserRecord(
            id: SandboxSeed.formerUserID, email: "tom@example.com", password: SandboxSeed.password, firstname: "Tom", lastname: "Temp",
            emailverified: true, status: 100, createdAt: "2026-01-16T08:00:00.000Z", updatedAt: "2026-01-16T08:00:00.000Z", version: 0)

        /// The membership as the invite created it.
        func invited(_ id: String, _ user: UserRecord, role: String, available: Bool = true) -> ProjectUserRecord {
            let createdAt = SandboxSeed.teammates.first { $0.id == id }?.createdAt ?? "2026-01-16T09:00:00.000Z"
            return ProjectUserRecord.new(
                id: id, project: project, user: user.id, role: .string(role), roleType: 1, userAvailable: available,
                createdBy: owner.id, now: createdAt, lastLoginAt: SandboxSeed.seedLoginAt)
        }
        /// The `project_user.update` of a change made at `at`.
        func update(
            _ teammate: ProjectUserRecord, _ user: UserRecord, by caller: UserRecord, at: String, _ body: JSON, _ route: TeammateUpdateRoute,
            _ change: (inout ProjectUserRecord) -> Void
        ) -> ActivityEvent {
            var record = teammate
            change(&record)
            record.updatedAt = at
            return Self.updateEvent(record, user: user, caller: caller, body: body, route: route, projectLimit: limit)
        }
        let system: JSON = "system"
        var tomTrashed = invited(SandboxSeed.formerTeammateID, tom, role: "agent")
        tomTrashed.trashed = true
        tomTrashed.status = "disabled"
        tomTrashed.updatedAt = "2026-01-27T09:00:00.000Z"
        let log: [(String, ActivityEvent)] = [
            ("2026-01-15T09:10:00.000Z", Self.inviteEvent(
                invited(SandboxSeed.adminTeammateID, admin, role: "admin"), user: admin, caller: owner,
                body: ["email": .string(admin.email), "role": "admin"], projectLimit: limit, urlProject: project)),
            ("2026-01-15T09:20:00.000Z", Self.inviteEvent(
                invited(SandboxSeed.aliceTeammateID, alice, role: "agent"), user: alice, caller: owner,
                body: ["email": .string(alice.email), "role": "agent"], projectLimit: limit, urlProject: project)),
            ("2026-01-15T09:30:00.000Z", Self.inviteEvent(
                invited(SandboxSeed.bobTeammateID, bob, role: "agent", available: false), user: bob, caller: owner,
                body: ["email": .string(bob.email), "role": "agent", "user_available": false], projectLimit: limit, urlProject: project)),
            ("2026-01-15T09:40:00.000Z", Self.inviteEvent(
                invitation, caller: owner, body: ["email": .string(SandboxSeed.pendingEmail), "role": "agent"], urlProject: project)),
            ("2026-01-20T08:00:00.000Z", update(bobTeammate, bob, by: bob, at: "2026-01-20T08:00:00.000Z",
                ["user_available": false], .ownRecord) { $0.userAvailable = false }),
            ("2026-01-21T17:00:00.000Z", update(aliceTeammate, alice, by: alice, at: "2026-01-21T17:00:00.000Z",
                ["user_available": false], .ownRecord) { $0.userAvailable = false }),
            ("2026-01-22T08:00:00.000Z", update(aliceTeammate, alice, by: owner, at: "2026-01-22T08:00:00.000Z",
                ["user_available": true, "availabilityInitiator": system], .byID(targetUser: alice.id)) { $0.userAvailable = true }),
            ("2026-01-23T18:00:00.000Z", update(adminTeammate, admin, by: owner, at: "2026-01-23T18:00:00.000Z",
                ["user_available": false, "availabilityInitiator": system], .byID(targetUser: admin.id)) { $0.userAvailable = false }),
            ("2026-01-24T08:00:00.000Z", update(adminTeammate, admin, by: owner, at: "2026-01-24T08:00:00.000Z",
                ["user_available": true, "availabilityInitiator": system], .byID(targetUser: admin.id)) { $0.userAvailable = true }),
            ("2026-01-25T10:00:00.000Z", update(bobTeammate, bob, by: owner, at: "2026-01-25T10:00:00.000Z",
                ["role": "supervisor"], .byID(targetUser: nil)) { $0.role = "supervisor" }),
            ("2026-01-26T10:00:00.000Z", update(bobTeammate, bob, by: owner, at: "2026-01-26T10:00:00.000Z",
                ["role": "agent"], .byID(targetUser: nil)) { $0.role = "agent" }),
            ("2026-01-27T09:00:00.000Z", Self.deleteEvent(tomTrashed, user: tom, caller: admin, hard: false, urlProject: project)),
            ("2026-01-28T09:00:00.000Z", Self.deleteEvent(tomTrashed, user: tom, caller: owner, hard: true, urlProject: project)),
        ]
        for (index, (at, event)) in log.enumerated() {
            let number = index + 1
            if let activity = Self.activity(
                event, id: SandboxSeed.activityDocumentID("ac", number), actorID: SandboxSeed.activityDocumentID("ad", number),
                at: ISODate.parse(at) ?? 0)
            {
                activities.save(activity)
            }
        }
    }
}
