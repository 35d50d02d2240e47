import JSONCore
import JSONRPC
import TiledeskAPI

/// Tiledesk failures on the wire: codes that mirror HTTP (the bridge acting as a gateway),
/// and `data` with `retryable`, `http_status`, `upstream`, `tiledesk_code`, `request`, `retry_after`.
extension TiledeskError: RPCErrorConvertible {
    public var rpcError: RPCError {
        var data: JSONObject = ["retryable": .bool(retryable)]
        let code: Int
        switch kind {
        case .notAuthenticated: code = 401
        case .forbidden: code = 403
        case .notFound: code = 404
        case .conflict: code = 409
        case .rateLimited: code = 429
        case .badUpstream: code = 502
        case .unreachable: code = 503
        case .timeout: code = 504
        case .invalidParams(let field):
            code = RPCError.invalidParamsCode
            data["field"] = .string(field)
        }
        if let httpStatus { data["http_status"] = .number(JSONNumber(httpStatus)) }
        if let upstream { data["upstream"] = upstream }
        if let tiledeskCode { data["tiledesk_code"] = .number(JSONNumber(tiledeskCode)) }
        if let operation { data["request"] = .string(operation) }
        if let retryAfter { data["retry_after"] = .number(JSONNumber(retryAfter)) }
        if let apiURL { data["api_url"] = .string(apiURL) }
        if let hint { data["hint"] = .string(hint) }
        return RPCError(code: code, message: advice.map { "\(message); \($0)" } ?? message, data: .object(data))
    }

    /// What the bridge's user can do about it, in the bridge's own settings (the REST client
    /// knows none of them).
    var advice: String? {
        switch kind {
        case .notAuthenticated: "set TILEDESK_TOKEN (or --token), or TILEDESK_EMAIL and TILEDESK_PASSWORD"
        case .timeout: "raise --timeout or try again"
        case .rateLimited where httpStatus == nil: "the wait is bounded by --rate-limit-wait"
        case .badUpstream where (300...399).contains(httpStatus ?? 0): "check --api-url"
        default: nil
        }
    }
}
