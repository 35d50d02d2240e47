import JSONCore
import Testing

@testable import TiledeskSandbox

/// `/:pid/pendinginvitations` and the public lookup (tiledesk-server routes/pending-invitation.js, routes/auth.js).
@Suite struct InvitationTests {
    let emulator = makeEmulator()
    let invitations = "/\(P1)/pendinginvitations"
    var seeded: String { "\(invitations)/\(Seed.pendingInvitationID)" }

    /// Oscar invites an unknown address to the other project; returns the invitation id.
    func otherProjectInvitation() throws -> String {
        let answer = emulator.call(
            "POST", "/\(P2)/project_users/invite", token: Seed.oscarToken, json: ["email": "far@example.com", "role": "agent"])
        return try #require(answer.json["pendingInvitation", "_id"]?.stringValue)
    }

    @Test func getByIDIsUnscopedAndChecksTheID() throws {
        let other = try otherProjectInvitation()
        let answer = emulator.call("GET", "\(invitations)/\(other)", token: Seed.aliceToken)
        #expect(answer.status == 200)
        #expect(answer.json["id_project"] == .string(P2))
        #expect(emulator.call("GET", "\(invitations)/65f0000000000000000000cf").json == msgBody("Object not found."))
        let malformed = emulator.call("GET", "\(invitations)/nope")
        #expect(malformed.status == 500)
        #expect(malformed.json == msgBody("Error getting object."))
    }

    @Test func resendinviteWithoutAnIDIsGetByID() {
        // "resendinvite" has 12 characters, which bson 1.x takes as a well-formed ObjectId.
        let twelve = emulator.call("GET", "\(invitations)/resendinvite")
        #expect(twelve.status == 404)
        #expect(twelve.json == msgBody("Object not found."))
        #expect(emulator.call("GET", "\(invitations)/resend").json == msgBody("Error getting object."))
    }

    @Test func putWritesBothFieldsLowercasingTheEmail() {
        let answer = emulator.call("PUT", seeded, token: Seed.aliceToken, json: ["email": "Changed@Example.com", "role": "admin"])
        #expect(answer.status == 200)
        #expect(
            answer.json
                == [
                    "_id": .string(Seed.pendingInvitationID), "email": "changed@example.com", "role": "admin", "id_project": .string(P1),
                    "createdBy": .string(Seed.ownerUserID), "createdAt": "2026-01-15T09:40:00.000Z", "updatedAt": .string(testNowISO),
                    "__v": 0,
                ])
        #expect(emulator.call("GET", invitations).json == [answer.json])
    }

    @Test func putWithoutAnEmailClearsIt() {
        let answer = emulator.call("PUT", seeded, json: ["role": "supervisor"])
        #expect(answer.json["email"] == .null)
        #expect(answer.json["role"] == "supervisor")
        #expect(emulator.call("PUT", seeded, json: ["email": "pending@example.com"]).json["role"] == .null)
        // With the address cleared, inviting it again is a new invitation.
        emulator.call("PUT", seeded, json: ["role": "agent"])
        let again = emulator.call("POST", "/\(P1)/project_users/invite", json: ["email": "pending@example.com", "role": "agent"])
        #expect(again.json["msg"] == "User not found, save invite in pending ")
    }

    @Test func putUpsertsAnUnknownIDIntoADeadRecord() {
        let id = "65f0000000000000000000ce"
        let answer = emulator.call("PUT", "\(invitations)/\(id)", json: ["email": "ghost@example.com", "role": "owner"])
        #expect(answer.status == 200)
        #expect(
            answer.json
                == [
                    "_id": .string(id), "email": "ghost@example.com", "role": "owner", "createdAt": .string(testNowISO),
                    "updatedAt": .string(testNowISO),
                ])
        #expect(emulator.call("GET", invitations).array.count == 1)
        #expect(emulator.call("GET", "/auth/pendinginvitationsnoauth/\(id)", token: nil).json == answer.json)
    }

    @Test func putFailures() {
        let malformed = emulator.call("PUT", "\(invitations)/nope", json: ["email": "a@example.com", "role": "agent"])
        #expect(malformed.status == 500)
        #expect(malformed.json == msgBody("Error updating object."))
        #expect(emulator.call("PUT", seeded, json: ["email": "a@example.com", "role": ["agent"]]).json == msgBody("Error updating object."))
        #expect(emulator.call("PUT", seeded, json: ["email": 7, "role": "agent"]).json == ["err": "error"])
        #expect(emulator.call("GET", seeded).json["email"] == "pending@example.com")
    }

    @Test func putIsUnscoped() throws {
        let other = try otherProjectInvitation()
        let answer = emulator.call("PUT", "\(invitations)/\(other)", json: ["email": "far@example.com", "role": "owner"])
        #expect(answer.json["id_project"] == .string(P2))
        #expect(emulator.call("GET", "/\(P2)/pendinginvitations", token: Seed.oscarToken).array.first?["role"] == "owner")
    }

    @Test func deleteAnswersTheMongoResult() {
        #expect(emulator.call("DELETE", seeded, token: Seed.aliceToken).json == ["n": 1, "ok": 1, "deletedCount": 1])
        #expect(emulator.call("GET", invitations).array.isEmpty)
        let again = emulator.call("DELETE", seeded)
        #expect(again.status == 200)
        #expect(again.json == ["n": 0, "ok": 1, "deletedCount": 0])
        let malformed = emulator.call("DELETE", "\(invitations)/nope")
        #expect(malformed.status == 500)
        #expect(malformed.json == msgBody("Error deleting object."))
    }

    @Test func resendEmailsTheInvitationInTheURLProjectsName() throws {
        let answer = emulator.call("GET", "\(invitations)/resendinvite/\(Seed.pendingInvitationID)", token: Seed.aliceToken)
        #expect(answer.status == 200)
        let seededInvitation = emulator.call("GET", seeded).json
        #expect(answer.json == ["Resend invitation email to": seededInvitation])
        let sent = try #require(emulator.sentEmails().last)
        #expect(
            sent
                == SandboxEmail(
                    kind: .invitation, to: Seed.pendingEmail, projectID: P1, projectName: Seed.projectName,
                    invitationID: Seed.pendingInvitationID, role: "agent", sentAt: testNowISO))
        // Unscoped: another project's invitation is sent in this project's name.
        let other = try otherProjectInvitation()
        emulator.call("GET", "\(invitations)/resendinvite/\(other)")
        #expect(emulator.sentEmails().last?.projectName == Seed.projectName)
        #expect(emulator.sentEmails().last?.to == "far@example.com")

        #expect(emulator.call("GET", "\(invitations)/resendinvite/65f0000000000000000000cf").json == msgBody("Object not found."))
        #expect(emulator.call("GET", "\(invitations)/resendinvite/nope").json == msgBody("Error getting object."))
    }

    @Test func rawCreateHasNoProjectAndSendsNothing() throws {
        let before = emulator.sentEmails().count
        let answer = emulator.call("POST", invitations, token: Seed.aliceToken, json: ["email": "Raw@Example.com", "role": "owner"])
        #expect(answer.status == 200)
        #expect(answer.json.objectValue?.keys == ["_id", "email", "role", "createdBy", "createdAt", "updatedAt", "__v"])
        #expect(answer.json["email"] == "raw@example.com")
        #expect(answer.json["createdBy"] == .string(Seed.aliceUserID))
        #expect(emulator.call("GET", invitations).array.count == 1)
        #expect(emulator.sentEmails().count == before)
        let id = try #require(answer.json["_id"]?.stringValue)
        #expect(emulator.call("GET", "\(invitations)/\(id)").json == answer.json)

        #expect(emulator.call("POST", invitations, json: ["email": "x@example.com", "role": ["a": 1]]).json == msgBody("Error saving object."))
        let bare = emulator.call("POST", invitations, json: [:])
        #expect(bare.json.objectValue?.keys == ["_id", "createdBy", "createdAt", "updatedAt", "__v"])
    }

    @Test func theGateIsAgentForEveryRoute() {
        #expect(emulator.call("GET", seeded, token: Seed.ninaToken).json == msgBody("you dont belong to the project."))
        #expect(emulator.call("DELETE", seeded, token: Seed.oscarToken).json == msgBody("you dont belong to the project."))
        #expect(emulator.call("PUT", seeded, token: nil, json: [:]).status == 401)
        // The gate is mounted on the router: authentication comes before Express's 404.
        #expect(emulator.call("PATCH", seeded, token: nil).status == 401)
        #expect(emulator.call("PATCH", seeded).status == 404)
        #expect(emulator.call("GET", seeded).status == 200)
    }

    @Test func thePublicLookupNeedsNoAuth() {
        let answer = emulator.call("GET", "/auth/pendinginvitationsnoauth/\(Seed.pendingInvitationID)", token: nil)
        #expect(answer.status == 200)
        #expect(answer.json["email"] == .string(Seed.pendingEmail))
        #expect(answer.json["createdBy"] == .string(Seed.ownerUserID))
        #expect(emulator.call("GET", "/auth/pendinginvitationsnoauth/65f0000000000000000000cf", token: nil).status == 404)
        #expect(emulator.call("GET", "/auth/pendinginvitationsnoauth/nope", token: nil).json == msgBody("Error getting object."))
    }

    @Test func invitesEmailTheirAddressee() throws {
        emulator.call("POST", "/\(P1)/project_users/invite", json: ["email": "New@Example.com", "role": "agent"])
        let pending = try #require(emulator.sentEmails().last)
        #expect(pending.kind == .invitation)
        #expect(pending.to == "new@example.com")
        #expect(pending.invitationID == emulator.call("GET", invitations).array.last?["_id"]?.stringValue)

        emulator.call("POST", "/\(P1)/project_users/invite", json: ["email": "nina@example.com", "role": "supervisor"])
        let added = try #require(emulator.sentEmails().last)
        #expect(added.kind == .addedToProject)
        #expect(added.to == Seed.ninaEmail)
        #expect(added.role == "supervisor")
        #expect(emulator.sentEmails().count == 2)
    }
}
