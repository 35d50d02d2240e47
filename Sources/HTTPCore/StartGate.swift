import Synchronization

/// Stops a batch of requests before they reach the upstream without touching those already sent.
/// The upstream layer looks at a request's gate when its turn comes, right before its first
/// attempt goes out; a closed gate fails it unsent (`TransportError.cancelled`). A request already
/// on the wire, and its retries, go on: its outcome is then known rather than guessed.
public final class StartGate: Sendable {
    private let closed = Atomic<Bool>(false)

    public init() {}

    /// From now on, requests that have not gone out stay unsent.
    public func close() { closed.store(true, ordering: .releasing) }

    public var isClosed: Bool { closed.load(ordering: .acquiring) }
}
