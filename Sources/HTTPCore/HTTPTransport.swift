/// Moves one HTTP request to a Tiledesk server and back. The seam between the REST client
/// and the wire: URLSession in production, the in-memory emulator in the sandbox and tests.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// Why an HTTP exchange produced no response.
public enum TransportError: Error, Sendable, Equatable {
    /// The connection was refused before anything was sent: always safe to retry.
    case connectionRefused(String)
    /// The connection failed or dropped after the request may have been sent.
    case connectionLost(String)
    /// DNS or TLS failure.
    case unreachable(String)
    /// No answer within the per-attempt timeout.
    case timedOut
    /// The response body was larger than the bridge accepts.
    case responseTooLarge(limit: Int)
    /// The upstream's answer was not valid HTTP (broken chunked framing, conflicting lengths, a
    /// body cut short, too many redirects): a bad upstream answer, not a network failure.
    case badResponse(String)
    /// The call was cancelled by its caller.
    case cancelled
}
