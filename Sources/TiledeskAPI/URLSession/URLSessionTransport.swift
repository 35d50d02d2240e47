import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPCore
import Synchronization

/// The production transport: URLSession with keep-alive, one request per session at a time.
///
/// Each request borrows a session from a pool and gives it back when its answer is in, so each
/// session keeps one warm connection: never more connections than requests in flight, and none
/// closed and reopened while the pool is busy (one shared session lets libcurl shrink its
/// connection cache whenever few requests are in flight). It also isolates a hostile upstream:
/// a session whose transfer could not be stopped cleanly (a body past the limit, a timeout) is
/// retired rather than reused, so a flood of bytes it may still be receiving delays nobody else.
///
/// It works around URLSession on Linux (see `SessionDelegate`): a 401 carrying `WWW-Authenticate:
/// Basic` arrives as a response instead of hanging; redirects are not followed; a request libcurl
/// would re-send without its body fails instead; timeouts are enforced here to the millisecond
/// (URLSession rounds down to whole seconds); compressed answers are refused before their first
/// byte (no decompression bomb); and answers are refused as they stream in once one passes
/// `maxResponseBytes`, or all those held at once together pass it.
public final class URLSessionTransport: HTTPTransport, Sendable {
    public let apiRoot: URL
    private let pool: SessionPool
    private let timeout: Double
    /// Where tasks are created and started, off the Swift concurrency pool.
    private static let submitter = DispatchQueue(label: "tiledesk-rpc.urlsession.submit")

    /// - Parameters:
    ///   - apiRoot: the API root, path kept (`https://api.tiledesk.com/v3`).
    ///   - timeout: seconds per attempt.
    ///   - maxConnections: connections at most, one per request in flight (`--max-concurrency`).
    public init(apiRoot: URL, timeout: Double, maxConnections: Int, maxResponseBytes: Int = 16 << 20) {
        self.apiRoot = apiRoot
        self.timeout = timeout
        let budget = ResponseBudget(perResponse: maxResponseBytes, total: maxResponseBytes)
        pool = SessionPool(size: maxConnections) { SessionPool.Member(timeout: timeout, budget: budget) }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let url = URL(string: apiRoot.absoluteString.trimmingSuffix("/") + request.path) else {
            throw TransportError.unreachable("cannot form a URL from \(request.path)")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        urlRequest.timeoutInterval = timeout.rounded(.up) + 5  // a backstop; ours is exact
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        // No compression: an answer is refused before its first byte if it comes compressed
        // anyway, so no decompression bomb can go off (Tiledesk's JSON answers are small).
        urlRequest.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        if let body = request.body { urlRequest.httpBody = Data(body) }
        let prepared = urlRequest
        // libcurl silently sends a request again on a new connection when a reused one dies
        // before the answer; for a request with a body that asks for the body again (and is
        // refused, see SessionDelegate), but a body-less one that must not repeat (a resend of an
        // invitation email) would just go out twice. It gets a connection of its own instead:
        // a fresh connection is never retried.
        let ownConnection = !request.idempotent && request.body == nil
        let member = ownConnection ? pool.fresh() : pool.lease()
        let state = TaskState(budget: member.delegate.budget)
        let started = Mutex<URLSessionTask?>(nil)
        let timeout = self.timeout
        let outcome: Result<HTTPResponse, any Error> = await withTaskCancellationHandler {
            do {
                return .success(try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                    state.setContinuation(continuation)
                    DispatchQueue.global().asyncAfter(deadline: .now() + min(timeout, pauseLimit)) {
                        if state.fail(.timedOut), let task = started.withLock({ $0 }) { SessionDelegate.abandon(task) }
                    }
                    // Creating a task waits for URLSession's one shared queue, which a flood of
                    // bytes can hold for seconds: never on a thread of Swift's small pool.
                    Self.submitter.async {
                        let task = member.session.dataTask(with: prepared)
                        member.delegate.register(task, state: state)
                        started.withLock { $0 = task }
                        if state.isSettled { SessionDelegate.stop(task) } else { task.resume() }
                    }
                })
            } catch {
                return .failure(error)
            }
        } onCancel: {
            if state.fail(.cancelled), let task = started.withLock({ $0 }) { SessionDelegate.stop(task) }
        }
        // A session whose transfer may still be running is not lent again.
        if state.endedCleanly, !ownConnection { pool.giveBack(member) } else { pool.retire(member) }
        return try outcome.get()
    }
}

/// URLSessions lent out one request at a time; see `URLSessionTransport`.
final class SessionPool: Sendable {
    /// A session and the delegate that hears its transfers.
    final class Member: Sendable {
        let session: URLSession
        let delegate: SessionDelegate

        init(timeout: Double, budget: ResponseBudget) {
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpMaximumConnectionsPerHost = 1
            configuration.timeoutIntervalForRequest = timeout.rounded(.up) + 5
            configuration.timeoutIntervalForResource = max(timeout * 4, 60)
            configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
            configuration.urlCache = nil
            configuration.httpCookieStorage = nil
            configuration.httpShouldSetCookies = false
            configuration.httpCookieAcceptPolicy = .never
            delegate = SessionDelegate(budget: budget)
            session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: DeliveryQueue())
        }
    }

    private let idle = Mutex<[Member]>([])
    private let size: Int
    private let make: @Sendable () -> Member

    init(size: Int, make: @escaping @Sendable () -> Member) {
        self.size = size
        self.make = make
    }

    /// The most recently returned session (its connection the likeliest still open), or a new one.
    func lease() -> Member { idle.withLock { $0.popLast() } ?? make() }

    /// A new session, whose first request opens a new connection.
    func fresh() -> Member { make() }

    func giveBack(_ member: Member) {
        let extra = idle.withLock { members -> Member? in
            guard members.count < size else { return member }
            members.append(member)
            return nil
        }
        extra?.session.finishTasksAndInvalidate()
    }

    /// Lets the session finish what it still runs, then frees it.
    func retire(_ member: Member) { member.session.finishTasksAndInvalidate() }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}
