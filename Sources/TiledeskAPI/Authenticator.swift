import Foundation
import JSONCore

/// Holds the session's credentials and produces the `Authorization` header.
///
/// A token is always sent as `JWT <token>`. With email and password the bridge signs in
/// once (`POST /auth/signin`), shares that sign-in among concurrent calls, and signs in
/// again once after a 401. It never sends Basic auth per call: the server runs bcrypt for each.
public actor Authenticator {
    private var token: String?
    private let email: String?
    private let password: String?
    private var signingIn: Task<String, any Error>?
    private let log: Logger

    public init(token: String?, email: String?, password: String?, log: Logger) {
        self.token = token.map(Authenticator.bareToken)
        self.email = email
        self.password = password
        self.log = log
        log.addSecret(self.token)
        log.addSecret(password)
    }

    /// `token` without a leading `JWT ` scheme.
    public static func bareToken(_ token: String) -> String {
        let trimmed = token.trimmingWhitespace()
        if trimmed.lowercased().hasPrefix("jwt ") { return String(trimmed.dropFirst(4)).trimmingWhitespace() }
        return trimmed
    }

    public var hasCredentials: Bool { email != nil && password != nil }

    /// The header value to send; signs in first when only credentials are known.
    public func authorization(signIn: @escaping @Sendable (String, String) async throws -> String) async throws -> String {
        if let token { return "JWT " + token }
        guard let email, let password else {
            throw TiledeskError(.notAuthenticated, "no Tiledesk credentials configured: \(TiledeskError.credentialsHint)")
        }
        return "JWT " + (try await sharedSignIn(email: email, password: password, signIn: signIn))
    }

    /// After a 401: forget the token that failed and sign in again, once. Returns false when
    /// there is nothing to sign in with.
    public func renew(rejected: String, signIn: @escaping @Sendable (String, String) async throws -> String) async throws -> Bool {
        guard let email, let password else { return false }
        if let token, "JWT " + token != rejected { return true }  // another call already renewed it
        token = nil
        _ = try await sharedSignIn(email: email, password: password, signIn: signIn)
        return true
    }

    /// Switches the session to a token obtained by `auth.signin`.
    public func use(token newToken: String) {
        token = Authenticator.bareToken(newToken)
        log.addSecret(token)
    }

    private func sharedSignIn(email: String, password: String, signIn: @escaping @Sendable (String, String) async throws -> String) async throws -> String {
        if let signingIn { return try await signingIn.value }
        let task = Task { try await signIn(email, password) }
        signingIn = task
        defer { signingIn = nil }
        let fresh = Authenticator.bareToken(try await task.value)
        token = fresh
        log.addSecret(fresh)
        return fresh
    }
}
