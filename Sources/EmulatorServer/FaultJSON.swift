import JSONCore

/// Why a fault configuration was refused; `message` names the member at fault.
public struct FaultConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

// The JSON of `POST /__emulator/faults`:
// {"rules": [{"match": {"method": "GET", "path_prefix": "/users", "path": "/users"},
//             "times": 2,
//             "action": {"status": 503, "body": "..." | {...}, "headers": {"Retry-After": "1"},
//                        "html": true, "malformed": true, "delay": 0.5, "drop": true,
//                        "redirect": "http://...", "body_bytes": 50000000}}],
//  "rate_limit": {"rps": 50, "burst": 10, "retry_after": true} | null}

extension FaultConfig {
    public init(json: JSON) throws(FaultConfigError) {
        let object = try members(json, "faults", allowed: ["rules", "rate_limit"])
        var rules: [FaultRule] = []
        switch object["rules"] {
        case nil, .null?: break
        case .array(let items)?:
            for (index, item) in items.enumerated() { rules.append(try FaultRule(json: item, at: "rules[\(index)]")) }
        default: throw FaultConfigError("rules: expected an array")
        }
        var rateLimit: RateLimit?
        if let limit = object["rate_limit"], !limit.isNull { rateLimit = try RateLimit(json: limit) }
        self.init(rules: rules, rateLimit: rateLimit)
    }

    public var json: JSON {
        .object(["rules": .array(rules.map(\.json)), "rate_limit": rateLimit?.json ?? .null])
    }
}

extension FaultRule {
    public init(json: JSON) throws(FaultConfigError) { try self.init(json: json, at: "rule") }

    init(json: JSON, at where_: String) throws(FaultConfigError) {
        let object = try members(json, where_, allowed: ["match", "times", "action"])
        var match = FaultMatch()
        if let matchJSON = object["match"], !matchJSON.isNull {
            let members = try members(matchJSON, "\(where_).match", allowed: ["method", "path_prefix", "path"])
            match.method = try string(members["method"], "\(where_).match.method")
            match.pathPrefix = try string(members["path_prefix"], "\(where_).match.path_prefix")
            match.path = try string(members["path"], "\(where_).match.path")
        }
        var times: Int?
        if let value = object["times"], !value.isNull {
            guard let count = value.intValue, count >= 0 else {
                throw FaultConfigError("\(where_).times: expected an integer >= 0")
            }
            times = count
        }
        guard let actionJSON = object["action"] else { throw FaultConfigError("\(where_).action: missing") }
        self.init(match: match, times: times, action: try FaultAction(json: actionJSON, at: "\(where_).action"))
    }

    public var json: JSON {
        var matchObject = JSONObject()
        if let method = match.method { matchObject["method"] = .string(method) }
        if let prefix = match.pathPrefix { matchObject["path_prefix"] = .string(prefix) }
        if let path = match.path { matchObject["path"] = .string(path) }
        return .object([
            "match": .object(matchObject), "times": times.map { JSON.number(JSONNumber($0)) } ?? .null, "action": action.json,
        ])
    }
}

extension FaultAction {
    public init(json: JSON) throws(FaultConfigError) { try self.init(json: json, at: "action") }

    init(json: JSON, at where_: String) throws(FaultConfigError) {
        let object = try members(
            json, where_, allowed: ["status", "body", "headers", "html", "malformed", "delay", "drop", "redirect", "body_bytes"])
        self.init()
        if let value = object["status"], !value.isNull {
            guard let status = value.intValue, (100...599).contains(status) else {
                throw FaultConfigError("\(where_).status: expected an integer from 100 to 599")
            }
            self.status = status
        }
        if let body = object["body"], !body.isNull { self.body = body }
        if let headersJSON = object["headers"], !headersJSON.isNull {
            guard case .object(let headers) = headersJSON else { throw FaultConfigError("\(where_).headers: expected an object") }
            for (name, value) in headers {
                guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                    throw FaultConfigError("\(where_).headers: bad header name \(name)")
                }
                switch value {
                case .string(let text): self.headers[name] = text
                case .number(let number): self.headers[name] = number.text
                case .bool(let flag): self.headers[name] = flag ? "true" : "false"
                default: throw FaultConfigError("\(where_).headers.\(name): expected a string")
                }
            }
        }
        html = try flag(object["html"], "\(where_).html")
        malformed = try flag(object["malformed"], "\(where_).malformed")
        drop = try flag(object["drop"], "\(where_).drop")
        if let value = object["delay"], !value.isNull {
            guard let seconds = value.numberValue?.doubleValue, seconds.isFinite, seconds >= 0, seconds <= 3600 else {
                throw FaultConfigError("\(where_).delay: expected seconds from 0 to 3600")
            }
            delay = seconds
        }
        redirect = try string(object["redirect"], "\(where_).redirect")
        if let value = object["body_bytes"], !value.isNull {
            guard let count = value.intValue, count >= 0 else {
                throw FaultConfigError("\(where_).body_bytes: expected an integer >= 0")
            }
            bodyBytes = count
        }
        let kinds = [html, malformed, drop, redirect != nil, bodyBytes != nil].filter { $0 }.count
        guard kinds <= 1 else {
            throw FaultConfigError("\(where_): html, malformed, drop, redirect and body_bytes exclude one another")
        }
    }

    public var json: JSON {
        var object = JSONObject()
        if let status { object["status"] = .number(JSONNumber(status)) }
        if let body { object["body"] = body }
        if !headers.isEmpty {
            object["headers"] = .object(
                JSONObject(headers.sorted { $0.key < $1.key }.map { (key: $0.key, value: JSON.string($0.value)) }))
        }
        if html { object["html"] = true }
        if malformed { object["malformed"] = true }
        if let delay { object["delay"] = .number(JSONNumber(delay)) }
        if drop { object["drop"] = true }
        if let redirect { object["redirect"] = .string(redirect) }
        if let bodyBytes { object["body_bytes"] = .number(JSONNumber(bodyBytes)) }
        return .object(object)
    }
}

extension RateLimit {
    public init(json: JSON) throws(FaultConfigError) {
        let object = try members(json, "rate_limit", allowed: ["rps", "burst", "retry_after"])
        guard let rps = object["rps"]?.numberValue?.doubleValue, rps.isFinite, rps > 0 else {
            throw FaultConfigError("rate_limit.rps: expected a number > 0")
        }
        var burst: Int?
        if let value = object["burst"], !value.isNull {
            guard let count = value.intValue, count >= 1 else {
                throw FaultConfigError("rate_limit.burst: expected an integer >= 1")
            }
            burst = count
        }
        var retryAfter = true
        if let value = object["retry_after"], !value.isNull {
            guard let flag = value.boolValue else { throw FaultConfigError("rate_limit.retry_after: expected a boolean") }
            retryAfter = flag
        }
        self.init(rps: rps, burst: burst, retryAfter: retryAfter)
    }

    public var json: JSON {
        .object(["rps": .number(JSONNumber(rps)), "burst": .number(JSONNumber(burst)), "retry_after": .bool(retryAfter)])
    }
}

// MARK: - Helpers

private func members(_ json: JSON, _ where_: String, allowed: Set<String>) throws(FaultConfigError) -> JSONObject {
    guard case .object(let object) = json else { throw FaultConfigError("\(where_): expected an object") }
    for key in object.keys where !allowed.contains(key) {
        throw FaultConfigError("\(where_): unknown member \"\(key)\"")
    }
    return object
}

private func string(_ json: JSON?, _ where_: String) throws(FaultConfigError) -> String? {
    switch json {
    case nil, .null?: return nil
    case .string(let text)?: return text
    default: throw FaultConfigError("\(where_): expected a string")
    }
}

private func flag(_ json: JSON?, _ where_: String) throws(FaultConfigError) -> Bool {
    switch json {
    case nil, .null?: return false
    case .bool(let value)?: return value
    default: throw FaultConfigError("\(where_): expected a boolean")
    }
}
