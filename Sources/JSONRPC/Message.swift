import JSONCore

/// A JSON-RPC request id, echoed exactly as sent: a string as the same string, a number
/// with the same digits (beyond 2^53 too), or null.
public enum RequestID: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case number(JSONNumber)
    case null

    /// The id of a request, or `nil` when `value` is not a valid id (booleans, arrays, objects).
    public init?(_ value: JSON) {
        switch value {
        case .string(let s): self = .string(s)
        case .number(let n): self = .number(n)
        case .null: self = .null
        default: return nil
        }
    }

    public var json: JSON {
        switch self {
        case .string(let s): .string(s)
        case .number(let n): .number(n)
        case .null: .null
        }
    }

    public var description: String { JSONWriter.string(json) }
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
            JSONWriter.write(id.json, into: &out)
            out.append(contentsOf: #","result":"#.utf8)
            JSONWriter.write(result, into: &out)
        case .failure(let id, let error):
            JSONWriter.write(id.json, into: &out)
            out.append(contentsOf: #","error":"#.utf8)
            JSONWriter.write(error.json, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

/// What one message object turned out to be.
public enum Decoded: Sendable {
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

    public init(id: RequestID?, method: String, params: JSON?) {
        self.id = id
        self.method = method
        self.params = params
    }

    /// Validates one message object against JSON-RPC 2.0; an invalid one yields the error
    /// response, carrying the id when it could be read.
    public static func decode(_ value: JSON) -> Decoded {
        guard case .object(let object) = value else {
            return .invalid(.failure(id: .null, error: .invalidRequest("a request must be an object")))
        }
        var id: RequestID? = nil
        if let rawID = object["id"] {
            guard let parsed = RequestID(rawID) else {
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
        return .request(Request(id: id, method: method, params: params))
    }
}
