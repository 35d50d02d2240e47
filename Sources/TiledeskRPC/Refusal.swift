import JSONCore
import JSONRPC

/// A call the bridge refuses itself from what its guards read, before anything changes: the
/// object is not in the project (404), the owner would be touched (403), the change conflicts
/// with the current state (409). `data` says where (`field`, `id`) when that helps.
struct Refusal: Error, RPCErrorConvertible {
    enum Kind: Int, Sendable {
        case forbidden = 403
        case notFound = 404
        case conflict = 409
    }

    let kind: Kind
    let message: String
    var data: JSONObject = [:]

    init(_ kind: Kind, _ message: String, data: JSONObject = [:]) {
        self.kind = kind
        self.message = message
        self.data = data
    }

    var rpcError: RPCError {
        var data = self.data
        data["retryable"] = false
        return RPCError(code: kind.rawValue, message: message, data: .object(data))
    }
}
