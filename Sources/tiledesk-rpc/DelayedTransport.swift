import HTTPCore

/// Delays every answer of another transport (`--sandbox-latency`), to try timeouts and
/// cancellation offline. The delay stands for the network, so `--timeout` cuts it as it would
/// cut a slow server: a delay of at least `timeout` fails as a timeout once `timeout` has passed.
struct DelayedTransport: HTTPTransport {
    let base: any HTTPTransport
    let seconds: Double
    let timeout: Double

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            try await pause(seconds: min(seconds, timeout))
        } catch {
            throw TransportError.cancelled
        }
        guard seconds < timeout else { throw TransportError.timedOut }
        return try await base.send(request)
    }
}
