import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPCore
import Synchronization

/// Hears a session's transfers and settles each request's `TaskState`.
final class SessionDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private let tasks = Mutex<[Int: TaskState]>([:])
    let budget: ResponseBudget

    init(budget: ResponseBudget) { self.budget = budget }

    func register(_ task: URLSessionTask, state: TaskState) { tasks.withLock { $0[task.taskIdentifier] = state } }
    private func state(_ task: URLSessionTask) -> TaskState? { tasks.withLock { $0[task.taskIdentifier] } }

    /// Cancels a transfer without waiting for it: FoundationNetworking's `cancel()` waits for the
    /// session's queue, which a flood of bytes can keep busy for seconds, so it gets a thread of
    /// its own rather than one the bridge needs.
    static func stop(_ task: URLSessionTask) {
        Thread.detachNewThread { task.cancel() }
    }

    /// Stops a transfer the bridge gave up on, cutting its connection if bytes keep pouring in.
    static func abandon(_ task: URLSessionTask) {
        stop(task)
        if let url = task.originalRequest?.url, let port = url.port ?? (url.scheme == "https" ? 443 : 80) as Int? {
            FloodCutter.cut(port: port)
        }
    }

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
        // Never followed: the API does not redirect, credentials must not travel, and one
        // attempt is one request. The 3xx itself becomes the answer (a bad upstream answer).
        completionHandler(nil)
    }

    /// libcurl asks for the body again only to re-send a request on a new connection after the
    /// server closed a reused one, and FoundationNetworking would send it without its body. A
    /// request is never re-sent behind the bridge's back: it fails here as a lost connection,
    /// and the retry policy decides (a POST is not repeated).
    func urlSession(_ session: URLSession, task: URLSessionTask, needNewBodyStream completionHandler: @escaping (InputStream?) -> Void) {
        if let state = state(task), state.fail(.connectionLost("the server closed the connection after the request was sent")) {
            Self.stop(task)
        }
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse, let state = state(dataTask) else { completionHandler(.cancel); return }
        let headers = Self.headers(of: http)
        // FoundationNetworking ignores `.cancel` here (it cannot pause the transfer): the task
        // is abandoned instead.
        if http.expectedContentLength > Int64(budget.perResponse) {
            if state.fail(.responseTooLarge(limit: budget.perResponse)) { Self.abandon(dataTask) }
            completionHandler(.cancel)
            return
        }
        if let encoding = headers["content-encoding"], encoding.lowercased() != "identity" {
            let why = "the answer is compressed (Content-Encoding: \(encoding)) although the bridge asked for none"
            if state.fail(.badResponse(why)) { Self.abandon(dataTask) }
            completionHandler(.cancel)
            return
        }
        state.received(status: http.statusCode, headers: headers)
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
        guard let state = state(dataTask), let limit = state.append(data), state.fail(.responseTooLarge(limit: limit)) else { return }
        Self.abandon(dataTask)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let state = tasks.withLock { $0.removeValue(forKey: task.taskIdentifier) }
        state?.complete(error: error)
    }
}

/// Bounds the answers held in memory: each to `perResponse` bytes, all those held at once to `total`.
final class ResponseBudget: Sendable {
    let perResponse: Int
    let total: Int
    private let held = Atomic<Int>(0)

    init(perResponse: Int, total: Int) {
        self.perResponse = perResponse
        self.total = total
    }

    /// Takes `bytes` more for an answer already holding `holding`. Nil when taken; else the most
    /// that answer could have held (nothing is taken).
    func take(_ bytes: Int, holding: Int) -> Int? {
        guard holding + bytes <= perResponse else { return perResponse }
        let after = held.add(bytes, ordering: .relaxed).newValue
        guard after <= total else {
            held.subtract(bytes, ordering: .relaxed)
            return total - (after - bytes - holding)
        }
        return nil
    }

    func giveBack(_ bytes: Int) { held.subtract(bytes, ordering: .relaxed) }
}

/// One request's progress, shared by the delegate, the timer and cancellation. The first outcome
/// wins; later ones are ignored, and once there is one no more body is kept.
final class TaskState: Sendable {
    private struct Inner {
        var continuation: CheckedContinuation<HTTPResponse, any Error>?
        var pendingError: TransportError?
        var finished = false
        /// The transfer itself ended (rather than the bridge giving up on it).
        var completed = false
        /// A 401 challenge was cancelled: its response is the outcome, whatever error follows.
        var challenged = false
        var status = 0
        var headers: [String: String] = [:]
        let body: AnswerBuffer
    }
    private let inner: Mutex<Inner>
    private let budget: ResponseBudget

    init(budget: ResponseBudget) {
        self.budget = budget
        inner = Mutex(Inner(body: AnswerBuffer(limit: budget.perResponse)))
    }

    /// Whether the transfer ended on its own, so its session is idle and may be reused.
    var endedCleanly: Bool { inner.withLock { $0.completed } }

    /// Whether the outcome is known (the request may have failed before its task started).
    var isSettled: Bool { inner.withLock { $0.finished || $0.pendingError != nil } }

    func setContinuation(_ c: CheckedContinuation<HTTPResponse, any Error>) {
        let early: TransportError? = inner.withLock { s in
            if let e = s.pendingError { s.finished = true; return e }
            s.continuation = c
            return nil
        }
        if let early { c.resume(throwing: early) }
    }

    /// Records the failure that ends this request and frees what was received; true when it is
    /// the first outcome.
    func fail(_ error: TransportError) -> Bool {
        let (first, continuation): (Bool, CheckedContinuation<HTTPResponse, any Error>?) = inner.withLock { s in
            guard !s.finished, s.pendingError == nil else { return (false, nil) }
            dropBody(&s)
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

    /// Keeps body bytes; once they pass the budget, returns the limit they passed (and keeps
    /// nothing). Nothing is kept after the outcome is known.
    func append(_ data: Data) -> Int? {
        inner.withLock { s in
            guard !s.finished, s.pendingError == nil else { return nil }
            if let limit = budget.take(data.count, holding: s.body.count) { return limit }
            guard s.body.append(data) else {
                // No memory to be had for it: refused as too large for what is available.
                budget.giveBack(data.count)
                return s.body.count
            }
            return nil
        }
    }

    func complete(error: (any Error)?) {
        let (continuation, result): (CheckedContinuation<HTTPResponse, any Error>?, Result<HTTPResponse, any Error>) = inner.withLock { s in
            s.completed = true
            guard !s.finished, s.pendingError == nil, let c = s.continuation else { return (nil, .failure(TransportError.cancelled)) }
            s.finished = true
            s.continuation = nil
            defer { dropBody(&s) }
            if let error, !s.challenged { return (c, .failure(Self.transportError(error))) }
            return (c, .success(HTTPResponse(status: s.status, headers: s.headers, body: s.body.bytes)))
        }
        continuation?.resume(with: result)
    }

    private func dropBody(_ s: inout Inner) {
        budget.giveBack(s.body.count)
        s.body.release()
    }

    /// Why a transfer failed, in the bridge's terms. FoundationNetworking reports most libcurl
    /// failures as URLError -1 with libcurl's own words: they are read, so a TLS failure says TLS
    /// and a broken answer is a bad answer rather than an unreachable server.
    static func transportError(_ error: any Error) -> TransportError {
        guard let urlError = error as? URLError else { return .connectionLost(String(describing: error)) }
        let said = (urlError.userInfo[NSLocalizedDescriptionKey] as? String) ?? ""
        let code = "URLError \(urlError.code.rawValue)" + (said.isEmpty ? "" : ": \(said)")
        switch urlError.code {
        case .cannotConnectToHost: return .connectionRefused("connection refused")
        case .cannotFindHost, .dnsLookupFailed: return .unreachable("DNS lookup failed")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
            .serverCertificateHasUnknownRoot, .clientCertificateRejected, .clientCertificateRequired:
            return .unreachable("TLS failure (\(code))")
        case .timedOut: return .timedOut
        case .notConnectedToInternet: return .connectionRefused("not connected to a network")
        case .httpTooManyRedirects: return .badResponse("too many redirects (\(code))")
        case .badURL:
            // Nothing was sent: FoundationNetworking on Linux refuses a URL whose host is an IPv6
            // address (its host and libcurl's disagree on the brackets).
            return .connectionRefused("the HTTP client cannot use the API URL (\(code)); an IPv6 address as its host is not supported on Linux: use a host name")
        default: break
        }
        let lowered = said.lowercased()
        if ["ssl", "tls", "certificate", "handshake"].contains(where: lowered.contains) { return .unreachable("TLS failure (\(code))") }
        if badAnswerPhrases.contains(where: lowered.contains) { return .badResponse(code) }
        return .connectionLost("connection failed (\(code))")
    }

    /// libcurl's words for an answer that is not valid HTTP (curl_easy_strerror and its error buffer).
    static let badAnswerPhrases = [
        "chunked", "content-length", "weird server reply", "unsupported http version", "received http/0.9",
        "transfer closed with", "partial file", "header", "content encoding", "redirect",
    ]
}
