import Foundation
import HTTPCore
import JSONCore

/// Reads the real server's answers: which ones failed, and why, in every body shape it uses.
public enum ResponseClassifier {
    /// The body as JSON when it parses, else as text (HTML pages reduced to their message).
    public static func upstreamBody(_ response: HTTPResponse) -> JSON? {
        guard !response.body.isEmpty else { return nil }
        if let json = try? JSONParser.parse(response.body) { return json }
        let text = String(decoding: response.body.prefix(2000), as: UTF8.self)
        return .string(text)
    }

    /// The server's own words from any of its error shapes: `{msg}`, `{error}`, `{message}`,
    /// `{err}`, `{errors:[{msg,param}]}`, plain text, or an HTML page.
    public static func serverMessage(_ body: JSON?) -> String? {
        switch body {
        case .object(let o)?:
            for key in ["msg", "error", "message", "err"] {
                if case .string(let s)? = o[key], !s.isEmpty { return s }
            }
            if case .array(let errors)? = o["errors"] {
                let parts = errors.compactMap { e -> String? in
                    guard let msg = e["msg"]?.stringValue else { return nil }
                    if let param = e["param"]?.stringValue ?? e["path"]?.stringValue { return "\(param): \(msg)" }
                    return msg
                }
                if !parts.isEmpty { return parts.joined(separator: "; ") }
            }
            return nil
        case .string(let text)?:
            if isHTML(text) { return htmlMessage(text) }
            let trimmed = text.trimmingWhitespace()
            return trimmed.isEmpty ? nil : String(trimmed.prefix(300))
        default:
            return nil
        }
    }

    static func isHTML(_ text: String) -> Bool {
        let head = text.prefix(200).lowercased()
        return head.contains("<!doctype html") || head.contains("<html") || head.contains("<body") || head.contains("<pre>")
    }

    /// Express error pages put the message in `<pre>`; proxies in `<title>`/`<h1>`.
    static func htmlMessage(_ html: String) -> String {
        for tag in ["pre", "h1", "title"] {
            if let start = html.range(of: "<\(tag)>"), let end = html.range(of: "</\(tag)>", range: start.upperBound..<html.endIndex) {
                let inner = html[start.upperBound..<end.lowerBound].trimmingWhitespace()
                if !inner.isEmpty { return "HTML error page: " + inner }
            }
        }
        return "HTML error page"
    }

    /// `Retry-After` as seconds from now (delay-seconds or an HTTP-date); nil when missing, absurd,
    /// or longer than `limit`.
    public static func retryAfter(_ response: HTTPResponse, limit: Double = RetryAfter.sanityLimit) -> Double? {
        RetryAfter.seconds(response.headers["retry-after"], limit: limit)
    }

    /// What a user is told when a route Tiledesk always has answers 404 with something that is not JSON.
    public static let wrongAPIURLHint =
        "the API URL looks wrong: check --api-url (TILEDESK_API_URL); a self-hosted Tiledesk usually ends in /api, the cloud is https://api.tiledesk.com/v3"

    /// Whether a 404 came from outside the Tiledesk API (a web server's or proxy's page): Tiledesk's
    /// own 404s are JSON.
    static func isForeign404(_ response: HTTPResponse) -> Bool {
        response.status == 404 && (try? JSONParser.parse(response.body)) == nil
    }

    /// The error for a response with a failing status, or nil when the status is 2xx.
    /// `operation` names the call for the user (`POST /{pid}/project_users/invite`).
    public static func error(for response: HTTPResponse, operation: String) -> TiledeskError? {
        let status = response.status
        guard !(200...299).contains(status) else { return nil }
        let body = upstreamBody(response)
        let said = serverMessage(body)
        let code = body?["code"]?.intValue
        func make(_ kind: TiledeskError.Kind, _ message: String) -> TiledeskError {
            TiledeskError(kind, message, operation: operation, httpStatus: status, upstream: body, tiledeskCode: code,
                          retryAfter: retryAfter(response))
        }
        let detail = said.map { ": \($0)" } ?? ""
        switch status {
        case 401:
            return make(.notAuthenticated, "Tiledesk refused the credentials (HTTP 401\(detail))")
        case 403:
            if code == 4001 { return make(.conflict, TiledeskError.alreadyMemberMessage) }
            if code == 4000 { return make(.forbidden, TiledeskError.inviteOneselfMessage) }
            // Disabling or deleting a group a department routes to (one the bridge could not see:
            // a hidden department): a conflict with the project's state, as the bridge's own check says.
            if said?.contains("associated with a department") == true { return make(.conflict, "Tiledesk refused\(detail)") }
            return make(.forbidden, "forbidden by Tiledesk\(detail)")
        case 404 where isForeign404(response):
            var error = make(.badUpstream, "Tiledesk has no route \(operation) (HTTP 404 that is not Tiledesk's JSON\(detail))")
            error.hint = wrongAPIURLHint
            return error
        case 404:
            return make(.notFound, "not found\(detail)")
        case 400 where said?.hasPrefix("Project not found") == true:
            return make(.notFound, said ?? "project not found")
        case 400 where said?.contains("not trashed") == true:
            return make(.conflict, "the teammate is not trashed, so there is nothing to restore")
        case 429:
            return make(.rateLimited, "rate limited by Tiledesk (HTTP 429); wait and try again")
        case 300...399:
            let target = response.headers["location"].map { " to \($0)" } ?? ""
            return make(.badUpstream, "Tiledesk redirected the call\(target); a redirect to another host is not followed with credentials")
        case 502, 503, 504:
            return make(.unreachable, "Tiledesk is unavailable (HTTP \(status)\(detail)); try again later")
        default:
            return make(.badUpstream, "Tiledesk failed the call (HTTP \(status)\(detail))")
        }
    }

    /// The JSON body of a 2xx answer, or a 502 for HTML, malformed JSON, or `success: false`.
    public static func successBody(_ response: HTTPResponse, operation: String) throws(TiledeskError) -> JSON {
        guard let json = try? JSONParser.parse(response.body) else {
            let body = upstreamBody(response)
            let what = body?.stringValue.map { isHTML($0) ? "an HTML page" : "a body that is not JSON" } ?? "an empty body"
            throw TiledeskError(.badUpstream, "Tiledesk answered HTTP \(response.status) with \(what)", operation: operation,
                                httpStatus: response.status, upstream: body)
        }
        if json["success"] == .bool(false) {
            let said = serverMessage(json) ?? "success: false"
            throw TiledeskError(.badUpstream, "Tiledesk reported a failure: \(said)", operation: operation,
                                httpStatus: response.status, upstream: json, tiledeskCode: json["code"]?.intValue)
        }
        return json
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
