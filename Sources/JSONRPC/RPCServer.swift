import Dispatch
import JSONCore
import Synchronization

/// Serves one JSON-RPC method. Throw `RPCError` (or any `RPCErrorConvertible`) to fail.
public typealias MethodHandler = @Sendable (Request) async throws -> JSON
/// A method answered on the reading thread without a task: for cheap, non-blocking work.
public typealias InlineMethodHandler = @Sendable (Request) throws -> JSON

/// The method table: each name served either inline or by an async handler.
public struct MethodTable: Sendable {
    enum Entry: Sendable {
        case inline(InlineMethodHandler)
        case async(MethodHandler)
    }
    var entries: [String: Entry] = [:]

    public init() {}

    /// Registers an async handler (run concurrently, cancellable).
    public mutating func register(_ method: String, _ handler: @escaping MethodHandler) {
        entries[method] = .async(handler)
    }
    /// Registers a handler cheap enough to answer immediately on the reading thread.
    public mutating func registerInline(_ method: String, _ handler: @escaping InlineMethodHandler) {
        entries[method] = .inline(handler)
    }
}

/// The dispatch point: takes framed lines, runs requests concurrently, and hands each
/// encoded response line to `output` exactly once per request id.
///
/// In-flight requests are kept by a serial number so `$/cancelRequest` (answered -32800)
/// and MCP's `notifications/cancelled` (no answer) can stop them; whoever removes an entry
/// from the table is the one who answers, so no request is answered twice.
public final class RPCServer: Sendable {
    private struct InFlight {
        /// `nil` for a notification, which cannot be cancelled by id.
        var id: RequestID?
        var task: Task<Void, Never>?
        var deliver: @Sendable (Response?) -> Void
    }

    private let methods: MethodTable
    private let output: @Sendable ([UInt8]) -> Void
    private let state = Mutex<(next: Int, table: [Int: InFlight])>((0, [:]))
    private let active = DispatchGroup()
    /// Back-pressure: the reading thread waits here while `maxInFlight` requests run, so a
    /// client writing far ahead fills the pipe instead of the bridge's memory.
    private let slots: DispatchSemaphore

    /// `output` receives each response line (compact JSON, no newline). At most `maxInFlight`
    /// async requests run at once; `receive` blocks its (non-pool) caller beyond that.
    public init(methods: MethodTable, maxInFlight: Int = 512, output: @escaping @Sendable ([UInt8]) -> Void) {
        self.methods = methods
        self.output = output
        self.slots = DispatchSemaphore(value: maxInFlight)
    }

    /// Handles one input line.
    public func receive(line: [UInt8]) {
        let message: JSON
        do {
            message = try JSONParser.parse(line)
        } catch {
            emit(.failure(id: .null, error: .parseError(error.message)))
            return
        }
        if case .array(let members) = message {
            receiveBatch(members)
        } else {
            dispatch(Request.decode(message)) { [self] response in
                if let response { emit(response) }
            }
        }
    }

    /// Answers a line that passed the length limit.
    public func receiveOversizeLine(limit: Int) {
        emit(.failure(id: .null, error: .invalidRequest("line longer than \(limit) bytes")))
    }

    /// Blocks the calling (non-pool) thread until every accepted request has been answered,
    /// or until `seconds` pass; returns whether all finished.
    @discardableResult
    public func waitUntilIdle(seconds: Double? = nil) -> Bool {
        guard let seconds else { active.wait(); return true }
        return active.wait(timeout: .now() + seconds) == .success
    }

    /// Suspends (without blocking a thread) until every accepted request has been answered.
    public func idle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            active.notify(queue: .global()) { continuation.resume() }
        }
    }

    private func emit(_ response: Response) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128)
        response.write(into: &bytes)
        output(bytes)
    }

    private func receiveBatch(_ members: [JSON]) {
        guard !members.isEmpty else {
            emit(.failure(id: .null, error: .invalidRequest("empty batch")))
            return
        }
        let decoded = members.map(Request.decode)
        let expected = decoded.filter {
            if case .request(let r) = $0 { r.id != nil } else { true }
        }.count
        guard expected > 0 else {
            for member in decoded { dispatch(member) { _ in } }
            return
        }
        let collector = BatchCollector(expected: expected) { [self] responses in
            guard !responses.isEmpty else { return }
            var bytes: [UInt8] = [UInt8(ascii: "[")]
            for (i, response) in responses.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                response.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
            output(bytes)
        }
        for member in decoded {
            if case .request(let r) = member, r.id == nil {
                dispatch(member) { _ in }
            } else {
                dispatch(member) { collector.add($0) }
            }
        }
    }

    /// Runs one decoded message; `deliver` gets its response (nil for a notification or a
    /// silently cancelled request).
    private func dispatch(_ decoded: Decoded, deliver: @escaping @Sendable (Response?) -> Void) {
        let request: Request
        switch decoded {
        case .invalid(let response): deliver(response); return
        case .request(let r): request = r
        }
        switch request.method {
        case "$/cancelRequest":
            if let target = request.params?["id"].flatMap(RequestID.init) { cancel(target, silently: false) }
            deliver(request.id.map { .success(id: $0, result: [:]) })
            return
        case "notifications/cancelled":
            if let target = request.params?["requestId"].flatMap(RequestID.init) { cancel(target, silently: true) }
            deliver(request.id.map { .success(id: $0, result: [:]) })
            return
        default: break
        }
        guard let entry = methods.entries[request.method] else {
            deliver(request.id.map { .failure(id: $0, error: .methodNotFound(request.method)) })
            return
        }
        switch entry {
        case .inline(let handler):
            let response: Response?
            do {
                let result = try handler(request)
                response = request.id.map { .success(id: $0, result: result) }
            } catch {
                response = request.id.map { .failure(id: $0, error: wireError(from: error)) }
            }
            deliver(response)
        case .async(let handler):
            runAsync(request, handler: handler, deliver: deliver)
        }
    }

    private func runAsync(_ request: Request, handler: @escaping MethodHandler, deliver: @escaping @Sendable (Response?) -> Void) {
        slots.wait()
        active.enter()
        state.withLock { locked in
            let serial = locked.next
            locked.next += 1
            let task = Task { [self] in
                let response: Response?
                do {
                    let result = try await handler(request)
                    response = request.id.map { .success(id: $0, result: result) }
                } catch {
                    response = request.id.map { .failure(id: $0, error: wireError(from: error)) }
                }
                if let entry = self.state.withLock({ $0.table.removeValue(forKey: serial) }) {
                    entry.deliver(response)
                }
                slots.signal()
                active.leave()
            }
            locked.table[serial] = InFlight(id: request.id, task: task, deliver: deliver)
        }
    }

    /// Cancels every in-flight request with `id`; answers -32800 unless `silently`.
    private func cancel(_ id: RequestID, silently: Bool) {
        cancel(where: { $0 == id }, silently: silently)
    }

    /// At shutdown: cancels whatever is still running, answering each request -32800.
    public func cancelAll() {
        cancel(where: { _ in true }, silently: false)
    }

    private func cancel(where matches: (RequestID?) -> Bool, silently: Bool) {
        let cancelled: [InFlight] = state.withLock { state in
            let serials = state.table.filter { matches($0.value.id) }.map(\.key)
            return serials.compactMap { state.table.removeValue(forKey: $0) }
        }
        for entry in cancelled {
            entry.task?.cancel()
            entry.deliver(silently ? nil : entry.id.map { .failure(id: $0, error: .cancelled) })
        }
    }
}

/// Gathers the responses of one batch and emits them together once all are in.
private final class BatchCollector: Sendable {
    private let state: Mutex<(remaining: Int, responses: [Response])>
    private let complete: @Sendable ([Response]) -> Void

    init(expected: Int, complete: @escaping @Sendable ([Response]) -> Void) {
        state = Mutex((expected, []))
        self.complete = complete
    }

    func add(_ response: Response?) {
        let finished = state.withLock { (state: inout (remaining: Int, responses: [Response])) -> [Response]? in
            if let response { state.responses.append(response) }
            state.remaining -= 1
            return state.remaining == 0 ? state.responses : nil
        }
        if let finished { complete(finished) }
    }
}
