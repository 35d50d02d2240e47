import JSONCore

/// Serves one JSON-RPC method. Throw `RPCError` (or any `RPCErrorConvertible`) to fail.
/// `control` is this call's link to the client: notifications while it runs, and how a cancel
/// should be answered.
public typealias MethodHandler = @Sendable (Request, CallControl) async throws -> JSON
/// A method answered on the reading thread without a task: for cheap, non-blocking work.
public typealias InlineMethodHandler = @Sendable (Request) throws -> JSON

/// The method table: each name served inline, by an async handler, or as a cancellation.
public struct MethodTable: Sendable {
    enum Entry: Sendable {
        case inline(InlineMethodHandler)
        case async(MethodHandler)
        case cancellation(Cancellation)
    }

    /// A notification that cancels the request whose id is in the params member `idParam`.
    struct Cancellation: Sendable {
        let idParam: String
        /// Whether the cancelled request is still answered (-32800), or not at all.
        let answersCancelled: Bool
    }

    var entries: [String: Entry] = [:]

    /// A table holding JSON-RPC's own `$/cancelRequest` `{"id": X}`: request X is answered -32800.
    public init() {
        registerCancellation("$/cancelRequest", idParam: "id", answersCancelled: true)
    }

    /// Registers an async handler (run concurrently, cancellable).
    public mutating func register(_ method: String, _ handler: @escaping MethodHandler) {
        entries[method] = .async(handler)
    }

    /// Registers a handler cheap enough to answer immediately on the reading thread.
    public mutating func registerInline(_ method: String, _ handler: @escaping InlineMethodHandler) {
        entries[method] = .inline(handler)
    }

    /// Registers a notification that cancels a request, such as MCP's `notifications/cancelled`
    /// `{"requestId": X}`: `idParam` names the params member holding the id, `answersCancelled`
    /// says whether the cancelled request still gets its -32800 answer. Sent with an id, the
    /// notification itself is answered `{}`.
    public mutating func registerCancellation(_ method: String, idParam: String, answersCancelled: Bool) {
        entries[method] = .cancellation(Cancellation(idParam: idParam, answersCancelled: answersCancelled))
    }
}
