import JSONCore

// Pending invitations: people invited who have not signed up yet. Every by-id route is unscoped
// on the server; the PUT upserts and clears the fields it is not sent; the DELETE answers 200 for
// any id. The method layer reads through the scoped list first.

extension Route {
    public static let invitations = Route("GET", "/{pid}/pendinginvitations")
    public static let invitation = Route("GET", "/{pid}/pendinginvitations/{id}")
    public static let updateInvitation = Route("PUT", "/{pid}/pendinginvitations/{id}")
    /// A GET that sends an email: never retried where a POST would not be.
    public static let resendInvitation = Route("GET", "/{pid}/pendinginvitations/resendinvite/{id}", idempotent: false)
    public static let cancelInvitation = Route("DELETE", "/{pid}/pendinginvitations/{id}")
}

extension Endpoint {
    /// The project's pending invitations.
    public static func invitations(_ projectID: String) -> Endpoint { Endpoint(.invitations, [projectID]) }

    /// One invitation by id (any project's: the server does not scope it).
    public static func invitation(_ projectID: String, _ invitationID: String) -> Endpoint {
        Endpoint(.invitation, [projectID, invitationID])
    }

    /// Rewrites an invitation: the server sets every field to what is sent, `null` for an omitted one.
    public static func updateInvitation(_ projectID: String, _ invitationID: String, email: String, role: String) -> Endpoint {
        Endpoint(.updateInvitation, [projectID, invitationID], body: ["email": .string(email), "role": .string(role)])
    }

    /// Sends the invitation email again; answers the invitation.
    public static func resendInvitation(_ projectID: String, _ invitationID: String) -> Endpoint {
        Endpoint(.resendInvitation, [projectID, invitationID], unwrap: .member("Resend invitation email to"))
    }

    /// Deletes an invitation; the server answers Mongo's delete count, not the invitation.
    public static func cancelInvitation(_ projectID: String, _ invitationID: String) -> Endpoint {
        Endpoint(.cancelInvitation, [projectID, invitationID])
    }
}
