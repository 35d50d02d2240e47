import HTTPCore
import Synchronization

/// Bounds how many tasks run a section at once. Waiters are served by priority (`followUp`, then
/// `first`, then `background`), first come first served within one. Waiting suspends the task
/// (never blocks a thread) and ends early on cancellation.
public final class AsyncSemaphore: Sendable {
    private struct Waiter: QueuedRequest {
        let id: Int
        let priority: RequestPriority
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        var nextID = 0
    }
    private let state: Mutex<State>

    public init(_ permits: Int) { state = Mutex(State(available: permits)) }

    public func acquire(priority: RequestPriority = .first) async throws {
        let id = state.withLock { s -> Int? in
            if s.available > 0, s.waiters.isEmpty { s.available -= 1; return nil }
            s.nextID += 1
            return s.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { s -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    // A release between the first look and now found no waiter and kept its
                    // permit: take it, or nobody would ever wake this waiter.
                    if s.available > 0 { s.available -= 1; return .success(()) }
                    s.waiters.append(Waiter(id: id, priority: priority, continuation: c))
                    return nil
                }
                if let outcome { c.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> Waiter? in
                guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Tasks waiting for a permit.
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    public func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            guard let index = s.waiters.nextServed else {
                s.available += 1
                return nil
            }
            return s.waiters.remove(at: index).continuation
        }
        next?.resume()
    }
}
