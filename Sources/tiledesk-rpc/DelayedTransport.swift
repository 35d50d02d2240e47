import HTTPCore

/// Delays every answer of another transport (`--sandbox-latency`), to try timeouts and
/// cancellation offline.
struct DelayedTransport: HTTPTransport {
    let base: any HTTPTransport
    let seconds: Double

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        } catch {
            throw TransportError.cancelled
        }
        return try await base.send(request)
    }
}
