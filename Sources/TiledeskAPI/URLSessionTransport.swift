import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPCore
import Synchronization

/// The production transport: one shared URLSession with keep-alive.
///
/// It works around URLSession on Linux: a 401 carrying `WWW-Authenticate: Basic` (which the
/// real server sends) is answered by the delegate so it arrives as a response instead of
/// hanging; redirects to another host are not followed, so credentials never travel there;
/// timeouts are enforced here to the millisecond (URLSession rounds down to whole seconds);
/// and a body larger than `maxResponseBytes` is refused as it streams in.
public final class URLSessionTransport: HTTPTransport, Sendable {
    public let apiRoot: URL
    private let session: URLSession
    private let delegate: Delegate
    private let timeout: Double

    /// - Parameters:
    ///   - apiRoot: the API root, path kept (`https://api.tiledesk.com/v3`).
    ///   - timeout: seconds per attempt.
    ///   - maxConnections: connections per host (the bridge's `--max-concurrency`).
    public init(apiRoot: URL, timeout: Double, maxConnections: Int, maxResponseBytes: Int = 16 << 20) {
        self.apiRoot = apiRoot
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = maxConnections
        configuration.timeoutIntervalForRequest = timeout.rounded(.up) + 5  // a backstop; ours is exact
        configuration.timeoutIntervalForResource = max(timeout * 4, 60)
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        delegate = Delegate(maxResponseBytes: maxResponseBytes)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let url = URL(string: apiRoot.absoluteString.trimmingSuffix("/") + request.path) else {
            throw TransportError.unreachable("cannot form a URL from \(request.path)")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        urlRequest.timeoutInterval = timeout.rounded(.up) + 5
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        if let body = request.body { urlRequest.httpBody = Data(body) }
        let task = session.dataTask(with: urlRequest)
        let state = TaskState()
        delegate.register(task, state: state)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                state.setContinuation(continuation)
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [weak task] in
                    if state.fail(.timedOut) { task?.cancel() }
                }
                task.resume()
            }
        } onCancel: {
            if state.fail(.cancelled) { task.cancel() }
        }
    }

    /// One request's progress, shared by the delegate, the timer and cancellation. The first
    /// outcome wins; later ones are ignored.
    final class TaskState: Sendable {
        private struct Inner {
            var continuation: CheckedContinuation<HTTPResponse, any Error>?
            var pendingError: TransportError?
            var finished = false
            /// A 401 challenge was cancelled: its response is the outcome, whatever error follows.
            var challenged = false
            var status = 0
            var headers: [String: String] = [:]
            var body = Data()
        }
        private let inner = Mutex(Inner())

        func setContinuation(_ c: CheckedContinuation<HTTPResponse, any Error>) {
            let early: TransportError? = inner.withLock { s in
                if let e = s.pendingError { s.finished = true; return e }
                s.continuation = c
                return nil
            }
            if let early { c.resume(throwing: early) }
        }

        /// Records the failure that ends this request; true when it is the first outcome.
        func fail(_ error: TransportError) -> Bool {
            let (first, continuation): (Bool, CheckedContinuation<HTTPResponse, any Error>?) = inner.withLock { s in
                guard !s.finished, s.pendingError == nil else { return (false, nil) }
                guard let c = s.continuation else { s.pendingError = error; return (true, nil) }
                s.finished = true
                s.continuation = nil
                return (true, c)
            }
            continuation?.resume(throwing: error)
            return first
        }

        func markChallenged() { inner.withLock { $0.challenged = true } }

        func received(status: Int, headers: [String: String]) { inner.withLock { $0.status = status; $0.headers = headers } }

        /// Appends body bytes; false once the body passes `limit`.
        func append(_ data: Data, limit: Int) -> Bool {
            inner.withLock { s in
                s.body.append(data)
                return s.body.count <= limit
            }
        }

        func complete(error: (any Error)?) {
            let (continuation, result): (CheckedContinuation<HTTPResponse, any Error>?, Result<HTTPResponse, any Error>) = inner.withLock { s in
                guard !s.finished, s.pendingError == nil, let c = s.continuation else { return (nil, .failure(TransportError.cancelled)) }
                s.finished = true
                s.continuation = nil
                if let error, !s.challenged { return (c, .failure(URLSessionTransport.transportError(error))) }
                return (c, .success(HTTPResponse(status: s.status, headers: s.headers, body: [UInt8](s.body))))
            }
            continuation?.resume(with: result)
        }
    }

    static func transportError(_ error: any Error) -> TransportError {
        guard let urlError = error as? URLError else { return .connectionLost(String(describing: error)) }
        switch urlError.code {
        case .cannotConnectToHost: return .connectionRefused("connection refused")
        case .cannotFindHost, .dnsLookupFailed: return .unreachable("DNS lookup failed")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
            .serverCertificateHasUnknownRoot, .clientCertificateRejected, .clientCertificateRequired:
            return .unreachable("TLS failure (\(urlError.code.rawValue))")
        case .timedOut: return .timedOut
        case .notConnectedToInternet: return .connectionRefused("not connected to a network")
        default: return .connectionLost("connection failed (URLError \(urlError.code.rawValue))")
        }
    }

    final class Delegate: NSObject, URLSessionDataDelegate, Sendable {
        private let tasks = Mutex<[Int: TaskState]>([:])
        private let maxResponseBytes: Int

        init(maxResponseBytes: Int) { self.maxResponseBytes = maxResponseBytes }

        func register(_ task: URLSessionTask, state: TaskState) { tasks.withLock { $0[task.taskIdentifier] = state } }
        private func state(_ task: URLSessionTask) -> TaskState? { tasks.withLock { $0[task.taskIdentifier] } }

        func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                        completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
            // Never answer a Basic challenge with credentials. URLSession on Linux hangs on any
            // other answer, so cancel the challenge and deliver the 401 it carries as the response.
            if let http = challenge.failureResponse as? HTTPURLResponse, let state = state(task) {
                state.received(status: http.statusCode, headers: Self.headers(of: http))
                state.markChallenged()
            }
            completionHandler(.cancelAuthenticationChallenge, nil)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
            let from = task.originalRequest?.url
            let sameOrigin = request.url?.host?.lowercased() == from?.host?.lowercased()
                && request.url?.port == from?.port && request.url?.scheme == from?.scheme
            completionHandler(sameOrigin ? request : nil)  // nil: the 3xx itself becomes the response
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
            guard let http = response as? HTTPURLResponse, let state = state(dataTask) else { completionHandler(.cancel); return }
            if http.expectedContentLength > Int64(maxResponseBytes) {
                _ = state.fail(.responseTooLarge(limit: maxResponseBytes))
                completionHandler(.cancel)
                return
            }
            state.received(status: http.statusCode, headers: Self.headers(of: http))
            completionHandler(.allow)
        }

        static func headers(of response: HTTPURLResponse) -> [String: String] {
            var headers: [String: String] = [:]
            for (key, value) in response.allHeaderFields {
                if let k = key as? String, let v = value as? String { headers[k.lowercased()] = v }
            }
            return headers
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            guard let state = state(dataTask) else { return }
            if !state.append(data, limit: maxResponseBytes) {
                if state.fail(.responseTooLarge(limit: maxResponseBytes)) { dataTask.cancel() }
            }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            let state = tasks.withLock { $0.removeValue(forKey: task.taskIdentifier) }
            state?.complete(error: error)
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}
