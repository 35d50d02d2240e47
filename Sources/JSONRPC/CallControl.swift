import JSONCore
import Synchronization

/// What an async handler can do about its own call besides returning: talk to the client while
/// it runs, say that its change may already have been applied, and answer its own cancellation.
public final class CallControl: Sendable {
    private struct State {
        var answered = false
        var maybeAppliedMessage: String?
        var answersOwnCancellation = false
    }

    private let state = Mutex(State())
    private let output: @Sendable ([UInt8]) -> Void
    /// Notifications that outlive this call (the changes a watch finds), for the whole session.
    public let session: SessionNotifier

    init(output: @escaping @Sendable ([UInt8]) -> Void) {
        self.output = output
        session = SessionNotifier(output: output)
    }

    /// Sends the client a notification (progress, say) in the session's framing. Dropped once
    /// the call has been answered, so the answer is always the call's last word.
    public func notify(method: String, params: JSON? = nil) {
        let bytes = Notification(method: method, params: params).bytes
        state.withLock { state in
            if !state.answered { output(bytes) }
        }
    }

    /// From now on a cancel, or the shutdown grace running out, answers this request -32800 with
    /// `data.maybe_applied: true` and `message`: the change was sent on and may have taken effect.
    public func markMaybeApplied(_ message: String = "Request cancelled after its change was sent: it may already have been applied") {
        state.withLock { $0.maybeAppliedMessage = message }
    }

    /// From now on a cancel only cancels this handler's task, and what the handler returns or
    /// throws is the one answer (a bulk job can answer -32800 listing what it did). A silent
    /// cancel (MCP's) still gets no answer, and at shutdown the grace period still bounds it.
    public func answerOwnCancellation() {
        state.withLock { $0.answersOwnCancellation = true }
    }

    var answersOwnCancellation: Bool { state.withLock { $0.answersOwnCancellation } }

    /// The answer to a cancel the bridge answers itself.
    var cancellationError: RPCError {
        state.withLock { $0.maybeAppliedMessage }.map(RPCError.cancelledMaybeApplied) ?? .cancelled
    }

    /// Called just before the answer goes out: later notifications are dropped.
    func markAnswered() {
        state.withLock { $0.answered = true }
    }
}

/// Sends notifications to the client for the whole session, in its framing.
public struct SessionNotifier: Sendable {
    let output: @Sendable ([UInt8]) -> Void

    public func notify(method: String, params: JSON? = nil) {
        output(Notification(method: method, params: params).bytes)
    }
}
