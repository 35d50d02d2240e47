import Dispatch
import JSONCore
import Synchronization

/// The async calls of one session, kept by serial number. At most `maxRunning` run at once; the
/// others wait their turn in arrival order, in a queue the reader stops filling while `hasRoom`
/// is false, so control messages (cancels, `ping`) are still read while data requests wait.
///
/// Whoever removes a call from the table answers it, so no request is answered twice.
final class CallTable: Sendable {
    struct Limits: Sendable {
        var maxRunning: Int
        var maxWaiting: Int
        /// Bytes of the waiting requests' messages.
        var maxWaitingBytes: Int
    }

    private struct Call {
        let request: Request
        let handler: MethodHandler
        let control: CallControl
        let weight: Int
        let deliver: @Sendable (Response?) -> Void
        /// `nil` while waiting for a slot.
        var task: Task<Void, Never>?
        /// A silent cancel reached a call that answers its own cancellation: drop its answer.
        var silenced = false
    }

    private struct State {
        var nextSerial = 0
        var calls: [Int: Call] = [:]
        /// Serials of waiting calls, oldest first from `queueHead` (cancelled ones are skipped).
        var queue: [Int] = []
        var queueHead = 0
        var running = 0
        var waiting = 0
        var waitingBytes = 0
    }

    private let state = Mutex(State())
    private let limits: Limits
    private let onRoom: @Sendable () -> Void
    /// Entered per accepted call, left when its task ends or it is removed before starting.
    private let active = DispatchGroup()

    /// `onRoom` is called whenever the waiting queue goes from full to not full.
    init(limits: Limits, onRoom: @escaping @Sendable () -> Void) {
        self.limits = limits
        self.onRoom = onRoom
    }

    var hasRoom: Bool { state.withLock { hasRoom($0) } }

    /// Runs `request` now, or queues it when `maxRunning` calls are running.
    func accept(_ request: Request, handler: @escaping MethodHandler, control: CallControl, weight: Int,
                deliver: @escaping @Sendable (Response?) -> Void) {
        active.enter()
        state.withLock { state in
            let serial = state.nextSerial
            state.nextSerial += 1
            state.calls[serial] = Call(request: request, handler: handler, control: control, weight: weight, deliver: deliver)
            if state.running < limits.maxRunning {
                start(serial, in: &state)
            } else {
                state.queue.append(serial)
                state.waiting += 1
                state.waitingBytes += weight
            }
        }
    }

    /// Cancels the calls with `id`. A waiting call is answered -32800 at once; a running one has
    /// its task cancelled and is answered -32800 (maybe applied, if it said so), unless it
    /// answers its own cancellation. `silently`: no answer at all.
    func cancel(id: RequestID, silently: Bool) {
        cancel(where: { $0.request.id == id }, silently: silently, overridingHandlers: false)
    }

    /// Shutdown begins: waiting calls are answered -32800 (they never started), and handlers
    /// that answer their own cancellation are asked to stop; other running calls go on.
    func beginShutdown() {
        cancel(where: { $0.task == nil || $0.control.answersOwnCancellation }, silently: false, overridingHandlers: false)
    }

    /// Answers every remaining call -32800 now, whatever its handler would say (the grace is over).
    func cancelAll() {
        cancel(where: { _ in true }, silently: false, overridingHandlers: true)
    }

    /// Calls `body` (on another thread) once no accepted call is left.
    func whenIdle(_ body: @escaping @Sendable () -> Void) {
        active.notify(queue: .global(), execute: body)
    }

    var isIdle: Bool { active.wait(timeout: .now()) == .success }

    private func hasRoom(_ state: State) -> Bool {
        state.waiting < limits.maxWaiting && state.waitingBytes < limits.maxWaitingBytes
    }

    private func start(_ serial: Int, in state: inout State) {
        guard let call = state.calls[serial] else { return }
        state.running += 1
        state.calls[serial]?.task = Task {
            let response: Response?
            do {
                let result = try await call.handler(call.request, call.control)
                response = call.request.id.map { .success(id: $0, result: result) }
            } catch {
                response = call.request.id.map { .failure(id: $0, error: wireError(from: error)) }
            }
            self.finish(serial, response: response)
        }
    }

    private func finish(_ serial: Int, response: Response?) {
        let (call, roomFreed) = state.withLock { state in
            state.running -= 1
            let call = state.calls.removeValue(forKey: serial)
            let hadRoom = hasRoom(state)
            startWaiting(in: &state)
            return (call, !hadRoom && hasRoom(state))
        }
        if let call { answer(call, call.silenced ? nil : response) }
        active.leave()
        if roomFreed { onRoom() }
    }

    /// Starts waiting calls, oldest first, while slots are free.
    private func startWaiting(in state: inout State) {
        while state.running < limits.maxRunning, state.queueHead < state.queue.count {
            let serial = state.queue[state.queueHead]
            state.queueHead += 1
            guard let call = state.calls[serial], call.task == nil else { continue }
            state.waiting -= 1
            state.waitingBytes -= call.weight
            start(serial, in: &state)
        }
        if state.queueHead > 1024, state.queueHead * 2 > state.queue.count {
            state.queue.removeFirst(state.queueHead)
            state.queueHead = 0
        }
    }

    /// The one cancellation path. `overridingHandlers`: even calls that answer their own
    /// cancellation are answered now.
    private func cancel(where matches: (Call) -> Bool, silently: Bool, overridingHandlers: Bool) {
        var tasks: [Task<Void, Never>] = []
        var answered: [Call] = []
        var removedWaiting = 0
        let roomFreed = state.withLock { state in
            let hadRoom = hasRoom(state)
            for (serial, call) in state.calls.filter({ matches($0.value) }) {
                if let task = call.task {
                    tasks.append(task)
                    if call.control.answersOwnCancellation, !overridingHandlers {
                        state.calls[serial]?.silenced = call.silenced || silently
                        continue
                    }
                } else {
                    state.waiting -= 1
                    state.waitingBytes -= call.weight
                    removedWaiting += 1
                }
                state.calls[serial] = nil
                answered.append(call)
            }
            return !hadRoom && hasRoom(state)
        }
        for task in tasks { task.cancel() }
        for call in answered {
            answer(call, silently ? nil : call.request.id.map { .failure(id: $0, error: call.control.cancellationError) })
        }
        for _ in 0..<removedWaiting { active.leave() }
        if roomFreed { onRoom() }
    }

    private func answer(_ call: Call, _ response: Response?) {
        call.control.markAnswered()
        call.deliver(response)
    }
}
