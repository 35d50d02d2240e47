import JSONCore
import Synchronization

/// One request as the server received it.
public struct LoggedRequest: Sendable, Equatable {
    public var method: String
    /// The path the handler saw (server prefix removed, query included); the raw target for a
    /// request outside the prefix.
    public var path: String
    /// The request target as sent.
    public var target: String
    /// Header names as sent.
    public var headers: [String: String]
    /// The body bytes (at most `maxLoggedBody` of them), `nil` when there were none.
    public var body: [UInt8]?
    /// The whole body's size, which `body` falls short of when it was cut.
    public var bodySize: Int

    /// Bodies are logged up to this size, so a long benchmark cannot fill memory with them.
    public static let maxLoggedBody = 64 * 1024

    public init(method: String, path: String, target: String, headers: [String: String], body: [UInt8]?) {
        self.method = method
        self.path = path
        self.target = target
        self.headers = headers
        self.bodySize = body?.count ?? 0
        if let body, body.count > Self.maxLoggedBody {
            self.body = Array(body[0..<Self.maxLoggedBody])
        } else {
            self.body = body
        }
    }

    /// Whether `body` holds only the start of the body.
    public var bodyTruncated: Bool { bodySize > (body?.count ?? 0) }

    /// A header's value, matched case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.key.lowercased() == lowered }?.value
    }

    /// The body parsed as JSON; its text as a string when it is not JSON; `null` when empty.
    public var bodyJSON: JSON {
        guard let body, !body.isEmpty else { return .null }
        if let json = try? JSONParser.parse(body) { return json }
        return .string(String(decoding: body, as: UTF8.self))
    }

    /// `{"method", "path", "target", "headers": {...}, "body": <JSON, string or null>}`, plus
    /// `"body_size"` when the body was cut.
    public var json: JSON {
        let sortedHeaders = headers.sorted { $0.key < $1.key }.map { (key: $0.key, value: JSON.string($0.value)) }
        var object: JSONObject = [
            "method": .string(method), "path": .string(path), "target": .string(target),
            "headers": .object(JSONObject(sortedHeaders)), "body": bodyJSON,
        ]
        if bodyTruncated { object["body_size"] = .number(JSONNumber(bodySize)) }
        return .object(object)
    }
}

/// A snapshot of the server's counters and request log.
public struct EmulatorStats: Sendable, Equatable {
    /// Requests answered by the handler, a fault or the rate limit (control requests excluded).
    public var requests: Int
    /// Connections accepted.
    public var connections: Int
    /// Requests being processed now.
    public var inFlight: Int
    /// The most requests processed at once.
    public var maxInFlight: Int
    /// Requests answered 429 by the rate limit.
    public var rateLimited: Int
    /// Log entries discarded because the log was full (the oldest go first).
    public var logDropped: Int
    /// The most recent requests, oldest first.
    public var log: [LoggedRequest]

    /// The JSON of `GET /__emulator/stats`.
    public var json: JSON {
        .object([
            "requests": .number(JSONNumber(requests)), "connections": .number(JSONNumber(connections)),
            "in_flight": .number(JSONNumber(inFlight)), "max_in_flight": .number(JSONNumber(maxInFlight)),
            "rate_limited": .number(JSONNumber(rateLimited)), "log_dropped": .number(JSONNumber(logDropped)),
            "log": .array(log.map(\.json)),
        ])
    }
}

/// The server's counters and log, behind one lock.
final class Statistics: Sendable {
    private struct State {
        var requests = 0
        var connections = 0
        var inFlight = 0
        var maxInFlight = 0
        var rateLimited = 0
        var logDropped = 0
        var log: [LoggedRequest] = []
    }

    private let state = Mutex(State())
    let logLimit: Int

    init(logLimit: Int) {
        self.logLimit = max(0, logLimit)
    }

    func connectionAccepted() {
        state.withLock { $0.connections += 1 }
    }

    /// A request starts being processed.
    func begin(_ entry: LoggedRequest) {
        let limit = logLimit
        state.withLock { state in
            state.requests += 1
            state.inFlight += 1
            if state.inFlight > state.maxInFlight { state.maxInFlight = state.inFlight }
            guard limit > 0 else {
                state.logDropped += 1
                return
            }
            state.log.append(entry)
            // Trim in batches so a full log costs O(1) per request.
            if state.log.count > limit + limit / 4 {
                let excess = state.log.count - limit
                state.log.removeFirst(excess)
                state.logDropped += excess
            }
        }
    }

    /// A request's processing is over.
    func end() {
        state.withLock { $0.inFlight -= 1 }
    }

    func rateLimitedOne() {
        state.withLock { $0.rateLimited += 1 }
    }

    func snapshot(includeLog: Bool = true) -> EmulatorStats {
        let limit = logLimit
        return state.withLock { state in
            let excess = max(0, state.log.count - limit)
            let log = includeLog ? Array(state.log[excess...]) : []
            let dropped = state.logDropped + excess
            return EmulatorStats(
                requests: state.requests, connections: state.connections, inFlight: state.inFlight,
                maxInFlight: state.maxInFlight, rateLimited: state.rateLimited, logDropped: dropped, log: log)
        }
    }

    /// Clears counters and log; requests still in flight stay counted as in flight.
    func reset() {
        state.withLock { state in
            let inFlight = state.inFlight
            state = State()
            state.inFlight = inFlight
            state.maxInFlight = inFlight
        }
    }
}
