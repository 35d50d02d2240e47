import Foundation
import JSONCore
import Synchronization

/// Holds the session's credentials and produces the `Authorization` header.
///
/// A token is always sent as `JWT <token>`. With email and password the bridge signs in
/// once (`POST /auth/signin`), shares that sign-in among concurrent calls, and signs in
/// again once after a 401. It never sends Basic auth per call: the server runs bcrypt for each.
/// With a token in hand, no call waits on anything.
public final class Authenticator: Sendable {
    private struct State {
        var token: String?
        var signingIn: Task<String, any Error>?
    }
    private let state: Mutex<State>
    private let email: String?
    private let password: String?
    private let log: DiagnosticLog

    public init(token: String?, email: String?, password: String?, log: DiagnosticLog) {
        let bare = token.map(Authenticator.bareToken)
        state = Mutex(State(token: bare))
        self.email = email
        self.password = password
        self.log = log
        log.addSecret(bare)
        log.addSecret(password)
    }

    /// `token` without a leading `JWT ` scheme.
    public static func bareToken(_ token: String) -> String {
        let trimmed = token.trimmingWhitespace()
        if trimmed.lowercased().hasPrefix("jwt ") { return String(trimmed.dropFirst(4)).trimmingWhitespace() }
        return trimmed
    }

    /// The header value to send; signs in first when only credentials are known.
    public func authorization(signIn: @escaping @Sendable (String, String) async throws -> String) async throws -> String {
        if let token = state.withLock({ $0.token }) { return "JWT " + token }
        guard let email, let password else {
            throw TiledeskError(.notAuthenticated, "no Tiledesk credentials configured")
        }
        return "JWT " + (try await sharedSignIn(email: email, password: password, signIn: signIn))
    }

    /// After a 401: forget the token that failed and sign in again, once. Returns false when
    /// there is nothing to sign in with.
    public func renew(rejected: String, signIn: @escaping @Sendable (String, String) async throws -> String) async throws -> Bool {
        guard let email, let password else { return false }
        let renewedElsewhere = state.withLock { s -> Bool in
            if let token = s.token, "JWT " + token != rejected { return true }
            s.token = nil
            return false
        }
        if !renewedElsewhere { _ = try await sharedSignIn(email: email, password: password, signIn: signIn) }
        return true
    }

    /// Switches the session to a token obtained by `auth.signin`.
    public func use(token newToken: String) {
        let bare = Authenticator.bareToken(newToken)
        state.withLock { $0.token = bare }
        log.addSecret(bare)
    }

    /// One sign-in shared by every call that needs it at the same time.
    private func sharedSignIn(email: String, password: String, signIn: @escaping @Sendable (String, String) async throws -> String) async throws -> String {
        let task = state.withLock { s -> Task<String, any Error> in
            if let running = s.signingIn { return running }
            let running = Task { Authenticator.bareToken(try await signIn(email, password)) }
            s.signingIn = running
            return running
        }
        do {
            let fresh = try await task.value
            state.withLock { s in
                s.token = fresh
                s.signingIn = nil
            }
            log.addSecret(fresh)
            return fresh
        } catch {
            state.withLock { $0.signingIn = nil }
            throw error
        }
    }
}
