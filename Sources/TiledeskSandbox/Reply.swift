import HTTPCore
import JSONCore

/// What a route answers, before it becomes bytes (that happens outside the state lock).
struct Reply: Sendable {
    enum Body: Sendable {
        /// `res.json`: `application/json; charset=utf-8`.
        case json(JSON)
        /// passport's `res.end(STATUS_CODES[status])`: plain text with no Content-Type.
        case bare(String)
        /// Express's `res.send(string)`: `text/html; charset=utf-8`.
        case html(String)
        /// Express's `res.send(null)`: an empty body with no Content-Type.
        case empty
        /// finalhandler's 404 page for a path no route matched.
        case notFoundPage(method: String, path: String)
        /// A CORS preflight answer.
        case preflight(requestedHeaders: String?)
    }

    var status: Int
    var body: Body

    static func json(_ status: Int, _ value: JSON) -> Reply { Reply(status: status, body: .json(value)) }

    /// `{success:false, msg}`.
    static func msg(_ status: Int, _ message: String) -> Reply {
        .json(status, .object(JSONObject([(key: "success", value: false), (key: "msg", value: .string(message))])))
    }

    /// `{success:false, error}`.
    static func error(_ status: Int, _ message: String) -> Reply {
        .json(status, .object(JSONObject([(key: "success", value: false), (key: "error", value: .string(message))])))
    }

    /// A request the real server never answers (it throws where nothing catches, so the client
    /// waits for its own timeout): the sandbox answers 500 saying so instead of hanging, so a
    /// caller's handling of that case can be tested. `never_answered` marks it.
    static func neverAnswered(_ reason: String) -> Reply {
        .json(
            500,
            [
                "success": false, "msg": .string("the real Tiledesk server never answers this request: \(reason)"),
                "never_answered": true,
            ])
    }

    /// The app's final error handler: 500 `{"err":"error"}`.
    static let internalError = Reply.json(500, ["err": "error"])
    /// passport, every strategy failed: 401 `Unauthorized` with a Basic challenge.
    static let unauthorized = Reply(status: 401, body: .bare("Unauthorized"))
    /// passport-http, malformed header: 400 `Bad Request`.
    static let badRequest = Reply(status: 400, body: .bare("Bad Request"))
    /// `validtoken`: the Authorization header does not split into exactly two parts.
    static let invalidToken = Reply.msg(403, "Unauthorized.")

    static func notFound(_ request: RequestContext) -> Reply {
        Reply(status: 404, body: .notFoundPage(method: request.isHead ? "HEAD" : request.method, path: String(request.path)))
    }

    private static let common: [String: String] = [
        "x-powered-by": "Express",
        "access-control-allow-origin": "*",
    ]
    private static let jsonHeaders = common.merging(["content-type": "application/json; charset=utf-8"]) { a, _ in a }
    private static let htmlHeaders = common.merging(["content-type": "text/html; charset=utf-8"]) { a, _ in a }
    private static let challengeHeaders = common.merging(["www-authenticate": "Basic realm=\"Users\""]) { a, _ in a }
    private static let notFoundHeaders = common.merging([
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": "default-src 'none'",
        "x-content-type-options": "nosniff",
    ]) { a, _ in a }

    /// The HTTP response to `request`. Whatever Express's `res.send` writes carries a weak
    /// `ETag`, and a GET or HEAD whose `If-None-Match` matches it gets 304 with no body; a HEAD
    /// request gets the headers without the body, as Express does.
    func response(for request: RequestContext) -> HTTPResponse {
        var response = HTTPResponse(status: status)
        var sentByExpress = true
        switch body {
        case .json(let value):
            response.headers = Self.jsonHeaders
            response.body = JSONWriter.bytes(value)
        case .bare(let text):
            sentByExpress = false
            response.headers = status == 401 ? Self.challengeHeaders : Self.common
            response.body = Array(text.utf8)
        case .html(let text):
            response.headers = Self.htmlHeaders
            response.body = Array(text.utf8)
        case .empty:
            response.headers = Self.common
        case .notFoundPage(let method, let path):
            sentByExpress = false
            response.headers = Self.notFoundHeaders
            let message = "Cannot \(method) \(Text.escapeHTML(path[...]))"
            response.body = Array(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>\(message)</pre>\n</body>\n</html>\n"
                    .utf8)
        case .preflight(let requested):
            sentByExpress = false
            var headers = Self.common
            headers["access-control-allow-methods"] = "GET,HEAD,PUT,PATCH,POST,DELETE"
            headers["vary"] = "Access-Control-Request-Headers"
            if let requested { headers["access-control-allow-headers"] = requested }
            headers["content-length"] = "0"
            response.headers = headers
        }
        if sentByExpress {
            let etag = ETag.weak(response.body)
            response.headers["etag"] = etag
            if request.method == "GET", (200..<300).contains(status),
                ETag.isFresh(
                    etag: etag, ifNoneMatch: request.ifNoneMatch, ifModifiedSince: request.ifModifiedSince,
                    cacheControl: request.cacheControl)
            {
                response.status = 304
                response.headers["content-type"] = nil
                response.body = []
            }
        }
        if request.isHead { response.body = [] }
        return response
    }
}

/// A request, parsed once outside the lock: method, path segments, query, credentials, body.
struct RequestContext: Sendable {
    /// Uppercased; HEAD is routed as GET (`isHead` remembers it).
    var method: String
    var isHead: Bool
    /// The path without its query, as sent (still percent-encoded).
    var path: Substring
    /// Raw path segments; a trailing slash is ignored (Express is not strict).
    var segments: [Substring]
    var query: Query
    /// The Authorization header, surrounding blanks trimmed as Node's HTTP parser does.
    var authorization: String?
    /// `req.body`: the parsed JSON / form body, `{}` when there is none.
    var body: JSON
    /// Set when the body parser already failed (malformed JSON, too large).
    var bodyFailure: Reply?
    /// `Access-Control-Request-Headers` (for preflights).
    var requestedHeaders: String?
    /// The conditional-GET headers Express's freshness check reads.
    var ifNoneMatch: String?
    var ifModifiedSince: String?
    var cacheControl: String?
    var nowMillis: Int64
    var now: String

    /// `bodyParser.json` limit: 500kb.
    static let bodyLimit = 500 * 1024

    init(_ request: HTTPRequest, nowMillis: Int64) {
        let method = request.method.uppercased()
        self.isHead = method == "HEAD"
        self.method = isHead ? "GET" : method
        self.nowMillis = nowMillis
        self.now = ISODate.format(millis: nowMillis)

        let raw = request.path[...]
        if let q = raw.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = raw[..<q]
            query = Query(raw[raw.index(after: q)...])
        } else {
            path = raw
            query = Query("")
        }
        var segments = path.split(separator: "/", omittingEmptySubsequences: false)
        if segments.first?.isEmpty == true { segments.removeFirst() }
        if segments.last?.isEmpty == true { segments.removeLast() }
        self.segments = segments

        var authorization: String?
        var contentType: String?
        var requestedHeaders: String?
        var ifNoneMatch: String?
        var ifModifiedSince: String?
        var cacheControl: String?
        for (name, value) in request.headers {
            if Text.equalsIgnoringCase(name[...], "authorization") {
                authorization = value.trimmingASCII(" \t")
            } else if Text.equalsIgnoringCase(name[...], "content-type") {
                contentType = value
            } else if Text.equalsIgnoringCase(name[...], "access-control-request-headers") {
                requestedHeaders = value
            } else if Text.equalsIgnoringCase(name[...], "if-none-match") {
                ifNoneMatch = value
            } else if Text.equalsIgnoringCase(name[...], "if-modified-since") {
                ifModifiedSince = value
            } else if Text.equalsIgnoringCase(name[...], "cache-control") {
                cacheControl = value
            }
        }
        self.authorization = authorization
        self.requestedHeaders = requestedHeaders
        self.ifNoneMatch = ifNoneMatch
        self.ifModifiedSince = ifModifiedSince
        self.cacheControl = cacheControl

        body = .object(JSONObject())
        bodyFailure = nil
        guard let bytes = request.body, let contentType else { return }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first?.trimmingASCII(" \t").lowercased() ?? ""
        if mediaType == "application/json" {
            if bytes.count > Self.bodyLimit {
                bodyFailure = .json(413, ["err": "Request entity too large", "limit": .number(JSONNumber(Self.bodyLimit))])
                return
            }
            guard !bytes.isEmpty else { return }
            // body-parser's strict mode: only an object or an array, else a SyntaxError.
            guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }),
                first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
                let parsed = try? JSONParser.parse(bytes)
            else {
                bodyFailure = .internalError
                return
            }
            body = parsed
        } else if mediaType == "application/x-www-form-urlencoded" {
            if bytes.count > Self.bodyLimit {
                bodyFailure = .json(413, ["err": "Request entity too large", "limit": .number(JSONNumber(Self.bodyLimit))])
                return
            }
            body = Query(String(decoding: bytes, as: UTF8.self)[...]).asObject()
        }
    }
}

/// A parsed query string, `qs`-style: a name given once is a string, given twice an array.
struct Query: Sendable {
    private(set) var items: [(name: String, value: String)] = []

    init(_ text: Substring) {
        guard !text.isEmpty else { return }
        for pair in text.split(separator: "&") {
            if let eq = pair.firstIndex(of: "=") {
                items.append((Text.decodeQueryComponent(pair[..<eq]), Text.decodeQueryComponent(pair[pair.index(after: eq)...])))
            } else {
                items.append((Text.decodeQueryComponent(pair), ""))
            }
        }
    }

    /// Every value given for `name`, in order.
    func values(_ name: String) -> [String] { items.compactMap { $0.name == name ? $0.value : nil } }

    /// The value when `name` was given exactly once (a repeated name is an array in Express).
    func single(_ name: String) -> String? {
        let all = values(name)
        return all.count == 1 ? all[0] : nil
    }

    /// The filter values when `req.query[name]` is truthy: a non-empty string, or any array.
    func truthy(_ name: String) -> [String]? {
        let all = values(name)
        if all.isEmpty || (all.count == 1 && all[0].isEmpty) { return nil }
        return all
    }

    /// The object a urlencoded body parses to.
    func asObject() -> JSON {
        var object = JSONObject()
        for (name, value) in items {
            switch object[name] {
            case nil: object[name] = .string(value)
            case .array(var list)?:
                list.append(.string(value))
                object[name] = .array(list)
            case let existing?: object[name] = .array([existing, .string(value)])
            }
        }
        return .object(object)
    }
}

extension StringProtocol {
    /// Trims the given ASCII characters from both ends.
    func trimmingASCII(_ set: String) -> String {
        let chars = Set(set.utf8)
        let utf8 = Array(self.utf8)
        var start = 0
        var end = utf8.count
        while start < end, chars.contains(utf8[start]) { start += 1 }
        while end > start, chars.contains(utf8[end - 1]) { end -= 1 }
        if start == 0, end == utf8.count { return String(self) }
        return String(decoding: utf8[start..<end], as: UTF8.self)
    }
}
