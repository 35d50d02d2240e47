import Synchronization

/// Bounds how many tasks run a section at once; waiters are served first come, first served,
/// except that `urgent` waiters go before the others. Waiting suspends the task (never blocks
/// a thread) and ends early on cancellation.
public final class AsyncSemaphore: Sendable {
    private struct State {
        var available: Int
        var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        var urgentWaiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID = 0
    }
    private let state: Mutex<State>

    public init(_ permits: Int) { state = Mutex(State(available: permits)) }

    public func acquire(urgent: Bool = false) async throws {
        let id = state.withLock { s -> Int? in
            if s.available > 0 { s.available -= 1; return nil }
            s.nextID += 1
            return s.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let cancelledAlready = state.withLock { s -> Bool in
                    if Task.isCancelled { return true }
                    if urgent { s.urgentWaiters.append((id, c)) } else { s.waiters.append((id, c)) }
                    return false
                }
                if cancelledAlready { c.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                if let index = s.urgentWaiters.firstIndex(where: { $0.id == id }) { return s.urgentWaiters.remove(at: index).continuation }
                guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Tasks waiting for a permit.
    var waitingCount: Int { state.withLock { $0.waiters.count + $0.urgentWaiters.count } }

    public func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            if !s.urgentWaiters.isEmpty { return s.urgentWaiters.removeFirst().continuation }
            if s.waiters.isEmpty { s.available += 1; return nil }
            return s.waiters.removeFirst().continuation
        }
        next?.resume()
    }
}
