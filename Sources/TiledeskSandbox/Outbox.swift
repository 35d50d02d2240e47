/// An email the emulated server would have sent. Nothing leaves the process: tests (and the
/// bridge's sandbox) read them with `Sandbox.sentEmails()`.
public struct SandboxEmail: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// "You have been invited" to an address with no account: an invite that became a
        /// pending invitation, and every `resendinvite`.
        case invitation
        /// "You have been added" to a registered user an invite made a teammate.
        case addedToProject
        /// The address check after `POST /auth/signup` (unless `disableEmail`).
        case verifyEmail
    }

    public let kind: Kind
    /// `nil` when the invitation has no address.
    public let to: String?
    public let projectID: String?
    public let projectName: String?
    public let invitationID: String?
    public let role: String?
    public let sentAt: String

    /// How many of the most recent emails the sandbox keeps.
    static let kept = 1_000
}

extension SandboxState {
    /// Records that the server would have sent `email` (fire and forget, as it does).
    mutating func send(_ email: SandboxEmail) {
        if outbox.count >= SandboxEmail.kept { outbox.removeFirst(outbox.count - SandboxEmail.kept + 1) }
        outbox.append(email)
    }
}
