import JSONCore

/// A JSON-RPC request id, echoed exactly as sent: a string as the same string, a number with
/// the same digits (beyond 2^53 too), or null.
///
/// Ids compare as they were spelt: `1.0` is not `1`, so cancelling one never cancels the other.
public enum RequestID: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case number(JSONNumber)
    case null
    /// A string that cannot live in a Swift `String` (it holds a lone surrogate, `"\ud800"`),
    /// kept as its exact JSON text and echoed byte for byte, so two such ids never merge.
    case verbatim(String)

    /// The id of a request, or `nil` when `value` is not a valid id (booleans, arrays, objects).
    /// `spelling` is the string's source text when the parser could not keep it exactly.
    public init?(_ value: JSON, spelling: String? = nil) {
        switch value {
        case .string(let s): self = spelling.map(RequestID.verbatim) ?? .string(s)
        case .number(let n): self = .number(n)
        case .null: self = .null
        default: return nil
        }
    }

    /// Appends the id's JSON text.
    public func write(into out: inout [UInt8]) {
        switch self {
        case .string(let s): JSONWriter.writeString(s, into: &out)
        case .number(let n): out.append(contentsOf: n.text.utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .verbatim(let text): out.append(contentsOf: text.utf8)
        }
    }

    public var description: String {
        var out: [UInt8] = []
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func == (lhs: RequestID, rhs: RequestID) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)), (.verbatim(let a), .verbatim(let b)): a == b
        case (.number(let a), .number(let b)): a.text == b.text
        case (.null, .null): true
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .string(let s): hasher.combine(0); hasher.combine(s)
        case .number(let n): hasher.combine(1); hasher.combine(n.text)
        case .null: hasher.combine(2)
        case .verbatim(let text): hasher.combine(3); hasher.combine(text)
        }
    }
}

/// The error object of a JSON-RPC response. Codes form an open set: the specification's own
/// below, and whatever the application layer defines (Tiledesk's mirror HTTP statuses).
public struct RPCError: Error, Sendable, Equatable {
    public var code: Int
    public var message: String
    public var data: JSON?

    public init(code: Int, message: String, data: JSON? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603
    public static let requestCancelledCode = -32800

    public static func parseError(_ detail: String) -> RPCError {
        RPCError(code: parseErrorCode, message: "Parse error: \(detail)", data: ["retryable": false])
    }
    public static func invalidRequest(_ detail: String) -> RPCError {
        RPCError(code: invalidRequestCode, message: "Invalid Request: \(detail)", data: ["retryable": false])
    }
    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: methodNotFoundCode, message: "Method not found: \(method)", data: ["retryable": false, "method": .string(method)])
    }
    /// Invalid params, naming the offending `field` (a dotted path such as `settings.email`).
    public static func invalidParams(_ detail: String, field: String? = nil) -> RPCError {
        var data: JSONObject = ["retryable": false]
        if let field { data["field"] = .string(field) }
        return RPCError(code: invalidParamsCode, message: "Invalid params: \(detail)", data: .object(data))
    }
    public static func internalError(_ detail: String) -> RPCError {
        RPCError(code: internalErrorCode, message: "Internal error: \(detail)", data: ["retryable": false])
    }
    public static let cancelled = RPCError(code: requestCancelledCode, message: "Request cancelled", data: ["retryable": false])
    /// Cancelled after its change was sent on: `data.maybe_applied` tells the caller to check
    /// before trying again.
    public static func cancelledMaybeApplied(_ message: String) -> RPCError {
        RPCError(code: requestCancelledCode, message: message, data: ["retryable": false, "maybe_applied": true])
    }

    public var json: JSON {
        var object: JSONObject = ["code": .number(JSONNumber(code)), "message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }
}

/// An error type that knows its JSON-RPC form. The application layer conforms its own
/// errors, so the JSON-RPC layer needs no knowledge of them.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

extension RPCError: RPCErrorConvertible {
    public var rpcError: RPCError { self }
}

/// The one place any Swift error becomes a wire error.
public func wireError(from error: any Error) -> RPCError {
    if let convertible = error as? any RPCErrorConvertible { return convertible.rpcError }
    if error is CancellationError { return .cancelled }
    return .internalError(String(describing: error))
}

/// A JSON-RPC response, encoded straight to bytes.
public enum Response: Sendable {
    case success(id: RequestID, result: JSON)
    case failure(id: RequestID, error: RPCError)

    /// The compact encoding; `result` is always present on success, `null` included.
    public func write(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
        switch self {
        case .success(let id, let result):
            id.write(into: &out)
            out.append(contentsOf: #","result":"#.utf8)
            JSONWriter.write(result, into: &out)
        case .failure(let id, let error):
            id.write(into: &out)
            out.append(contentsOf: #","error":"#.utf8)
            JSONWriter.write(error.json, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

/// A notification from the bridge to the client (progress, changes it watches).
public struct Notification: Sendable {
    public var method: String
    /// Omitted from the message when `nil`.
    public var params: JSON?

    public init(method: String, params: JSON?) {
        self.method = method
        self.params = params
    }

    /// The compact encoding.
    public var bytes: [UInt8] {
        var out: [UInt8] = Array(#"{"jsonrpc":"2.0","method":"#.utf8)
        JSONWriter.writeString(method, into: &out)
        if let params {
            out.append(contentsOf: #","params":"#.utf8)
            JSONWriter.write(params, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

/// What one message object turned out to be.
public enum DecodedMessage: Sendable {
    case request(Request)
    /// Not a valid request: the error response to send.
    case invalid(Response)
}

/// A well-formed request or notification.
public struct Request: Sendable {
    /// `nil` for a notification (no `id` member); `.null` for a request whose id is null.
    public var id: RequestID?
    public var method: String
    /// Absent, an array or an object.
    public var params: JSON?
    /// The strings of this message the parser could not keep exactly (nearly always none),
    /// with paths from the message object.
    var inexactStrings: [JSONInexactString] = []

    public init(id: RequestID?, method: String, params: JSON?) {
        self.id = id
        self.method = method
        self.params = params
    }

    /// The id held by the params member `name` (a cancellation's target), spelling kept.
    func requestID(inParam name: String) -> RequestID? {
        params?[name].flatMap { RequestID($0, spelling: inexactStrings.spelling(at: [.key("params"), .key(name)])) }
    }

    /// Validates one message object against JSON-RPC 2.0; an invalid one yields the error
    /// response, carrying the id when it could be read. `inexactStrings` are the parser's,
    /// with paths from this object.
    public static func decode(_ value: JSON, inexactStrings: [JSONInexactString] = []) -> DecodedMessage {
        guard case .object(let object) = value else {
            return .invalid(.failure(id: .null, error: .invalidRequest("a request must be an object")))
        }
        var id: RequestID? = nil
        if let rawID = object["id"] {
            guard let parsed = RequestID(rawID, spelling: inexactStrings.spelling(at: [.key("id")])) else {
                return .invalid(.failure(id: .null, error: .invalidRequest("id must be a string, a number or null")))
            }
            id = parsed
        }
        let replyID = id ?? .null
        guard object["jsonrpc"] == .string("2.0") else {
            return .invalid(.failure(id: replyID, error: .invalidRequest(#"jsonrpc must be exactly "2.0""#)))
        }
        guard case .string(let method)? = object["method"] else {
            return .invalid(.failure(id: replyID, error: .invalidRequest("method must be a string")))
        }
        let params = object["params"]
        switch params {
        case nil, .array?, .object?: break
        default: return .invalid(.failure(id: replyID, error: .invalidRequest("params must be an array or an object")))
        }
        var request = Request(id: id, method: method, params: params)
        request.inexactStrings = inexactStrings
        return .request(request)
    }
}
