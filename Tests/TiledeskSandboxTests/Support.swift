import HTTPCore
import JSONCore
import TiledeskAPI
import Testing

@testable import TiledeskSandbox

typealias Seed = SandboxSeed

/// The pinned time every test emulator runs at.
let testNow: Int64 = 1_769_904_000_000  // 2026-02-01T00:00:00.000Z
let testNowISO = "2026-02-01T00:00:00.000Z"

/// A fresh seeded emulator at a fixed time (`testNow` unless an ISO-8601 instant is given).
func makeEmulator(seeded: Bool = true, at instant: String? = nil) -> Sandbox {
    let now = instant.flatMap(ISODate.parse) ?? testNow
    return Sandbox(seeded: seeded, clock: { now })
}

let P1 = Seed.projectID
let P2 = Seed.otherProjectID

/// A response with helpers for the assertions.
struct Answer {
    let response: HTTPResponse
    var status: Int { response.status }
    var text: String { String(decoding: response.body, as: UTF8.self) }
    var json: JSON { (try? JSONParser.parse(response.body)) ?? .string("<not JSON: \(text)>") }
    func header(_ name: String) -> String? { response.headers[name] }
    var array: [JSON] { json.arrayValue ?? [] }
    var isJSON: Bool { header("content-type") == "application/json; charset=utf-8" }
}

extension Sandbox {
    /// One request. `token` becomes `Authorization: JWT <token>` unless `authorization` is given
    /// (pass `authorization: ""` with `token: nil` for no header at all).
    @discardableResult
    func call(
        _ method: String, _ path: String, token: String? = Seed.ownerToken, authorization: String? = nil,
        json: JSON? = nil, rawBody: [UInt8]? = nil, contentType: String? = nil, headers: [String: String] = [:]
    ) -> Answer {
        var all = headers
        if let authorization {
            if !authorization.isEmpty { all["Authorization"] = authorization }
        } else if let token {
            all["Authorization"] = "JWT \(token)"
        }
        var body: [UInt8]?
        if let json {
            body = JSONWriter.bytes(json)
            all["Content-Type"] = contentType ?? "application/json"
        } else if let rawBody {
            body = rawBody
            if let contentType { all["Content-Type"] = contentType }
        }
        return Answer(response: handle(HTTPRequest(method: method, path: path, headers: all, body: body)))
    }
}

/// `{success:false, msg}`.
func msgBody(_ message: String) -> JSON { ["success": false, "msg": .string(message)] }
/// `{success:false, error}`.
func errorBody(_ message: String) -> JSON { ["success": false, "error": .string(message)] }

func basic(_ email: String, _ password: String) -> String {
    "Basic " + Base64.encode(Array("\(email):\(password)".utf8))
}

extension JSON {
    /// Member lookup through nested objects: `json["a", "b"]`.
    subscript(path: String...) -> JSON? {
        var current: JSON? = self
        for key in path { current = current?[key] }
        return current
    }
}

func ids(_ items: [JSON]) -> [String] { items.compactMap { $0["_id"]?.stringValue } }
