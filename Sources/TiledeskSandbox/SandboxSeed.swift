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
    }

    static let projects: [SeedProject] = [
        SeedProject(id: projectID, name: projectName, owner: ownerUserID, createdAt: "2026-01-15T09:00:00.000Z"),
        SeedProject(id: otherProjectID, name: otherProjectName, owner: oscarUserID, createdAt: "2026-01-15T09:30:00.000Z"),
    ]

    struct SeedTeammate {
        let id, project, user, role: String
        let available: Bool
        let presence: String
        let createdBy, createdAt: String
    }

    static let teammates: [SeedTeammate] = [
        SeedTeammate(id: ownerTeammateID, project: projectID, user: ownerUserID, role: "owner", available: true, presence: "online", createdBy: ownerUserID, createdAt: "2026-01-15T09:00:00.000Z"),
        SeedTeammate(id: adminTeammateID, project: projectID, user: adminUserID, role: "admin", available: true, presence: "offline", createdBy: ownerUserID, createdAt: "2026-01-15T09:10:00.000Z"),
        SeedTeammate(id: aliceTeammateID, project: projectID, user: aliceUserID, role: "agent", available: true, presence: "online", createdBy: ownerUserID, createdAt: "2026-01-15T09:20:00.000Z"),
        SeedTeammate(id: bobTeammateID, project: projectID, user: bobUserID, role: "agent", available: false, presence: "offline", createdBy: ownerUserID, createdAt: "2026-01-15T09:30:00.000Z"),
        SeedTeammate(id: oscarTeammateID, project: otherProjectID, user: oscarUserID, role: "owner", available: true, presence: "online", createdBy: oscarUserID, createdAt: "2026-01-15T09:30:00.000Z"),
    ]

    static let presenceChangedAt = "2026-01-15T09:45:00.000Z"
    static let pendingCreatedAt = "2026-01-15T09:40:00.000Z"
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
                id: p.id, name: p.name, createdBy: p.owner, status: 100, settings: JSONObject(),
                createdAtMillis: ISODate.parse(p.createdAt) ?? 0, createdAt: p.createdAt, updatedAt: p.createdAt, version: 0)
        }
        for t in SandboxSeed.teammates {
            var record = ProjectUserRecord.new(
                id: t.id, project: t.project, user: t.user, role: .string(t.role), roleType: 1, userAvailable: t.available,
                createdBy: t.createdBy, now: t.createdAt, lastLoginAt: SandboxSeed.seedLoginAt)
            record.presence = Presence(status: t.presence, changedAt: SandboxSeed.presenceChangedAt)
            insertProjectUser(record)
        }
        insertInvitation(
            PendingInvitationRecord(
                id: SandboxSeed.pendingInvitationID, email: SandboxSeed.pendingEmail, role: SandboxSeed.pendingRole,
                idProject: SandboxSeed.projectID, createdBy: SandboxSeed.ownerUserID, createdAt: SandboxSeed.pendingCreatedAt,
                updatedAt: SandboxSeed.pendingCreatedAt, version: 0))
    }
}
