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
//                        "redirect": "http://...", "body_bytes": 50000000,
//                        "hostile": "endless" | "gzip-bomb" | "bad-chunked" | "conflicting-length"}}],
//  "rate_limit": {"shape": "token-bucket", "rps": 50, "burst": 10, "retry_after": "seconds"} | null}
// rate_limit shapes: token-bucket {rps, burst}, leaky-bucket {rps, burst, nodelay},
// fixed-window and sliding-window {limit, window}; retry_after: seconds, date, none (or a boolean).

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
            json, where_,
            allowed: ["status", "body", "headers", "html", "malformed", "delay", "drop", "redirect", "body_bytes", "hostile"])
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
        if let name = try string(object["hostile"], "\(where_).hostile") {
            guard let kind = HostileBody(rawValue: name) else {
                throw FaultConfigError("\(where_).hostile: expected one of \(HostileBody.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            hostile = kind
        }
        let kinds = [html, malformed, drop, redirect != nil, bodyBytes != nil, hostile != nil].filter { $0 }.count
        guard kinds <= 1 else {
            throw FaultConfigError("\(where_): html, malformed, drop, redirect, body_bytes and hostile exclude one another")
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
        if let hostile { object["hostile"] = .string(hostile.rawValue) }
        return .object(object)
    }
}

extension RateLimit {
    public init(json: JSON) throws(FaultConfigError) {
        let object = try members(
            json, "rate_limit", allowed: ["shape", "rps", "burst", "limit", "window", "nodelay", "retry_after"])
        func number(_ key: String, _ condition: (Double) -> Bool, _ expected: String) throws(FaultConfigError) -> Double? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let number = value.numberValue?.doubleValue, number.isFinite, condition(number) else {
                throw FaultConfigError("rate_limit.\(key): expected \(expected)")
            }
            return number
        }
        func count(_ key: String) throws(FaultConfigError) -> Int? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let count = value.intValue, count >= 1 else { throw FaultConfigError("rate_limit.\(key): expected an integer >= 1") }
            return count
        }
        let shapeName = try string(object["shape"], "rate_limit.shape") ?? "token-bucket"
        let shape: LimiterShape
        switch shapeName {
        case "token-bucket", "leaky-bucket":
            guard let rps = try number("rps", { $0 > 0 && $0 <= 1e6 }, "a number > 0") else {
                throw FaultConfigError("rate_limit.rps: expected a number > 0")
            }
            if shapeName == "token-bucket" {
                shape = .tokenBucket(rate: rps, burst: try count("burst") ?? LimiterShape.defaultBurst(rate: rps))
            } else {
                let nodelay = try flag(object["nodelay"], "rate_limit.nodelay")
                let burst = try number("burst", { $0 >= 0 && $0 <= 1e6 && $0 == $0.rounded() }, "an integer >= 0") ?? 0
                shape = .leakyBucket(rate: rps, burst: Int(burst), delay: !nodelay)
            }
        case "fixed-window", "sliding-window":
            guard let limit = try count("limit") else { throw FaultConfigError("rate_limit.limit: expected an integer >= 1") }
            guard let window = try number("window", { $0 > 0 && $0 <= 86_400 }, "seconds > 0") else {
                throw FaultConfigError("rate_limit.window: expected seconds > 0")
            }
            shape = shapeName == "fixed-window" ? .fixedWindow(limit: limit, seconds: window) : .slidingWindow(limit: limit, seconds: window)
        default:
            throw FaultConfigError("rate_limit.shape: expected one of \(LimiterShape.names.joined(separator: ", "))")
        }
        var style = RetryAfterStyle.seconds
        switch object["retry_after"] {
        case nil, .null?: break
        case .bool(let sent)?: style = sent ? .seconds : .none
        case .string(let name)? where RetryAfterStyle(rawValue: name) != nil: style = RetryAfterStyle(rawValue: name)!
        default: throw FaultConfigError("rate_limit.retry_after: expected seconds, date, none or a boolean")
        }
        self.init(shape, retryAfter: style)
    }

    public var json: JSON {
        var object: JSONObject
        switch shape {
        case .tokenBucket(let rate, let burst):
            object = ["shape": "token-bucket", "rps": .number(JSONNumber(rate)), "burst": .number(JSONNumber(burst))]
        case .leakyBucket(let rate, let burst, let delay):
            object = ["shape": "leaky-bucket", "rps": .number(JSONNumber(rate)), "burst": .number(JSONNumber(burst)), "nodelay": .bool(!delay)]
        case .fixedWindow(let limit, let seconds):
            object = ["shape": "fixed-window", "limit": .number(JSONNumber(limit)), "window": .number(JSONNumber(seconds))]
        case .slidingWindow(let limit, let seconds):
            object = ["shape": "sliding-window", "limit": .number(JSONNumber(limit)), "window": .number(JSONNumber(seconds))]
        }
        object["retry_after"] = .string(retryAfter.rawValue)
        return .object(object)
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
