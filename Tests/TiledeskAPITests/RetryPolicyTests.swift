import HTTPCore
import JSONCore
import Synchronization
import Testing
@testable import TiledeskAPI

/// Which requests the resilient transport repeats after a lost connection: by whether sending them
/// twice is safe, not by their HTTP method (resending an invitation is a GET that sends an email).
@Suite struct RetryPolicyTests {
    /// Loses the connection of every request it is given, and counts them.
    final class LosingTransport: HTTPTransport, Sendable {
        let sent = Mutex(0)
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            sent.withLock { $0 += 1 }
            throw TransportError.connectionLost("reset by peer")
        }
    }

    static func attempts(_ request: HTTPRequest) async -> Int {
        let base = LosingTransport()
        var policy = ResilientTransport.Policy(retries: 2, rateLimitWait: 3600)  // no turn is ever refused, however loaded the machine
        policy.baseDelay = 0.001
        let transport = ResilientTransport(base: base, policy: policy, maxConcurrency: 4, limiter: RateLimiter(maxRate: nil))
        _ = try? await transport.send(request)
        return base.sent.withLock { $0 }
    }

    @Test func anIdempotentReadIsRetried() async {
        #expect(await Self.attempts(HTTPRequest(method: "GET", path: "/p/pendinginvitations/i")) == 3)
    }

    @Test func aResendIsNeverRetriedAfterALostConnection() async {
        let endpoint = Endpoint.resendInvitation("65f000000000000000000001", "65f0000000000000000000c1")
        var request = HTTPRequest(method: endpoint.route.method, path: endpoint.path)
        request.idempotent = endpoint.route.idempotent
        #expect(request.method == "GET" && !request.idempotent)
        #expect(await Self.attempts(request) == 1)
    }

    @Test func aPostIsNeverRetriedAfterALostConnection() async {
        #expect(await Self.attempts(HTTPRequest(method: "POST", path: "/p/project_users/invite")) == 1)
    }
}
