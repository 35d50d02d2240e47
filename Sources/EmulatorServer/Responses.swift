import HTTPCore
import JSONCore

/// The bodies the server makes up itself.
enum CannedBodies {
    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default:
            switch status {
            case 100..<200: "Informational"
            case 200..<300: "Success"
            case 300..<400: "Redirection"
            case 400..<500: "Client Error"
            default: "Server Error"
            }
        }
    }

    /// `{"error": message}` with a JSON content type.
    static func error(status: Int, message: String? = nil) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: ["content-type": "application/json"],
            body: JSONWriter.bytes(.object(["error": .string(message ?? reason(status))])))
    }

    /// A status with no body given: `{"error": reason}` for errors, `{}` for others, nothing when the
    /// status has no body.
    static func defaultResponse(status: Int) -> HTTPResponse {
        if status >= 400 { return error(status: status) }
        if !statusHasBody(status) { return HTTPResponse(status: status) }
        return HTTPResponse(status: status, headers: ["content-type": "application/json"], body: Array("{}".utf8))
    }

    static func statusHasBody(_ status: Int) -> Bool {
        !(100..<200).contains(status) && status != 204 && status != 304
    }

    /// The page a reverse proxy sends when the API behind it fails.
    static func html(status: Int) -> [UInt8] {
        let title = "\(status) \(reason(status))"
        return Array(
            ("<html>\r\n<head><title>\(title)</title></head>\r\n<body>\r\n<center><h1>\(title)</h1></center>\r\n"
                + "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").utf8)
    }

    /// JSON cut short: what a truncated or corrupted response looks like.
    static let malformed = Array(#"{"success": true, "data": [{"_id": "65f0a1b2c3d4e5f6a7b8c9d0", "name": "tru"#.utf8)

    /// The start and end of a streamed padding body: `{"padding":"xxx…"}`.
    static let paddingPrefix = Array(#"{"padding":""#.utf8)
    static let paddingSuffix = Array(#""}"#.utf8)
    static let filler = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
}

/// Serializes response heads.
enum ResponseWriter {
    static let continueHead = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// The status line and headers. `Content-Length` is always set from `contentLength`; the
    /// handler's own `content-length`, `transfer-encoding` and `connection` are replaced.
    /// `announceKeepAlive`: say `connection: keep-alive`, which an HTTP/1.0 client needs to keep the connection.
    static func head(
        status: Int, headers: [String: String], contentLength: Int, keepAlive: Bool, announceKeepAlive: Bool = false,
        into out: inout [UInt8]
    ) {
        out.append(contentsOf: "HTTP/1.1 \(status) \(CannedBodies.reason(status))\r\n".utf8)
        for (name, value) in headers {
            switch name {
            case "content-length", "transfer-encoding", "connection": continue
            default: break
            }
            appendSanitized(name, into: &out)
            out.append(contentsOf: ": ".utf8)
            appendSanitized(value, into: &out)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "content-length: \(contentLength)\r\n".utf8)
        if !keepAlive {
            out.append(contentsOf: "connection: close\r\n".utf8)
        } else if announceKeepAlive {
            out.append(contentsOf: "connection: keep-alive\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
    }

    /// Head and body in one buffer; the body is left out for HEAD and bodiless statuses.
    static func serialize(_ response: HTTPResponse, keepAlive: Bool, announceKeepAlive: Bool = false, isHead: Bool) -> [UInt8] {
        let sendsBody = !isHead && CannedBodies.statusHasBody(response.status)
        var out: [UInt8] = []
        out.reserveCapacity(256 + (sendsBody ? response.body.count : 0))
        // The handler's headers go out as they are: no Content-Type is invented (Tiledesk's
        // passport 401 has none, and a client must cope with that).
        var contentLength = sendsBody ? response.body.count : 0
        if isHead {
            // A HEAD answer states the GET body's length; a handler may have said it already.
            contentLength = response.headers["content-length"].flatMap { Int($0) } ?? response.body.count
        }
        head(
            status: response.status, headers: response.headers, contentLength: contentLength, keepAlive: keepAlive,
            announceKeepAlive: announceKeepAlive, into: &out)
        if sendsBody { out.append(contentsOf: response.body) }
        return out
    }

    /// Appends text with CR and LF replaced by spaces, so no value can split the response.
    private static func appendSanitized(_ text: String, into out: inout [UInt8]) {
        for byte in text.utf8 { out.append(byte == cr || byte == lf ? sp : byte) }
    }
}
