import HTTPCore
import JSONCore

// The control endpoints, served at the root whatever the prefix:
//   GET  /__emulator/stats[?log=0]  counters and request log
//   GET  /__emulator/faults         the faults now in force (rules with the matches they have left)
//   POST /__emulator/faults         replace every fault: {"rules": [...], "rate_limit": {...} | null}
//   POST /__emulator/reset          clear counters, log and faults
extension ServerCore {
    func control(_ request: ParsedRequest) -> HTTPResponse {
        let target = request.head.target
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts[0].hasSuffix("/") && parts[0].count > 1 ? String(parts[0].dropLast()) : String(parts[0])
        let query = parts.count > 1 ? String(parts[1]) : ""
        let method = request.head.method
        switch path {
        case "/__emulator/stats":
            guard method == "GET" || method == "HEAD" else { return methodNotAllowed("GET") }
            let items = HTTPRequest(method: method, path: "/?" + query).queryItems
            let includeLog = !items.contains { $0.name == "log" && ($0.value == "0" || $0.value == "false") }
            return json(stats.snapshot(includeLog: includeLog).json)
        case "/__emulator/faults":
            switch method {
            case "GET", "HEAD":
                return json(faults.config.json)
            case "POST", "PUT":
                let body: JSON
                do {
                    body = try JSONParser.parse(request.body.isEmpty ? Array("{}".utf8) : request.body)
                } catch {
                    return CannedBodies.error(status: 400, message: "faults: invalid JSON: \(error)")
                }
                do {
                    try faults.set(json: body)
                } catch {
                    return CannedBodies.error(status: 400, message: error.message)
                }
                return json(faults.config.json)
            default:
                return methodNotAllowed("GET, POST")
            }
        case "/__emulator/reset":
            guard method == "POST" else { return methodNotAllowed("POST") }
            reset()
            return json(["ok": true])
        default:
            return CannedBodies.error(status: 404, message: "unknown control endpoint \(path)")
        }
    }

    private func json(_ value: JSON) -> HTTPResponse {
        HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: JSONWriter.bytes(value))
    }

    private func methodNotAllowed(_ allowed: String) -> HTTPResponse {
        var response = CannedBodies.error(status: 405)
        response.headers["allow"] = allowed
        return response
    }
}
