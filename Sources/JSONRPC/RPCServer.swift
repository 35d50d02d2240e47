import Dispatch
import JSONCore
import Synchronization

/// The dispatch point: takes framed messages, runs requests concurrently, and hands each
/// encoded response to `output` exactly once per request id.
///
/// `receive` never blocks: async requests beyond `maxRunning` wait in a bounded queue, and the
/// reader checks `hasRoom` before it reads more, so cancels and inline methods (`ping`) are
/// always read while data requests wait.
public final class RPCServer: Sendable {
    private let methods: MethodTable
    private let output: @Sendable ([UInt8]) -> Void
    private let calls: CallTable

    /// `output` receives each message to send (compact JSON, unframed). At most `maxRunning`
    /// async requests run at once; up to `maxWaiting` more (`maxWaitingBytes` of messages) wait
    /// their turn. `onRoom` is called when the waiting queue stops being full.
    public init(
        methods: MethodTable, maxRunning: Int = 512, maxWaiting: Int = 4096, maxWaitingBytes: Int = 16 << 20,
        output: @escaping @Sendable ([UInt8]) -> Void, onRoom: @escaping @Sendable () -> Void = {}
    ) {
        self.methods = methods
        self.output = output
        calls = CallTable(limits: .init(maxRunning: maxRunning, maxWaiting: maxWaiting, maxWaitingBytes: maxWaitingBytes), onRoom: onRoom)
    }

    /// Handles one framed message (an object or a batch).
    public func receive(message bytes: [UInt8]) {
        let document: JSONDocument
        do {
            document = try JSONParser.parseDocument(bytes)
        } catch {
            emit(.failure(id: .null, error: .parseError(error.message)))
            return
        }
        if case .array(let members) = document.value {
            receiveBatch(members, inexactStrings: document.inexactStrings, bytes: bytes.count)
        } else {
            dispatch(Request.decode(document.value, inexactStrings: document.inexactStrings), weight: bytes.count) { [self] response in
                if let response { emit(response) }
            }
        }
    }

    /// Answers a message that passed the size limit.
    public func rejectOversize(limit: Int) {
        emit(.failure(id: .null, error: .invalidRequest("message longer than \(limit) bytes")))
    }

    /// Answers a frame whose header block framed nothing.
    public func rejectMalformedFrame(_ reason: String) {
        emit(.failure(id: .null, error: .parseError("malformed frame header: \(reason)")))
    }

    /// Sends the client a notification that belongs to no request (changes a watch found).
    public func notify(method: String, params: JSON? = nil) { session.notify(method: method, params: params) }

    /// The same, as a value handlers can keep.
    public var session: SessionNotifier { SessionNotifier(output: output) }

    /// False while the waiting queue is full: the reader should not take more requests.
    public var hasRoom: Bool { calls.hasRoom }

    /// Shutdown begins: requests that have not started are answered -32800, handlers that answer
    /// their own cancellation are cancelled; the other running requests go on.
    public func beginShutdown() { calls.beginShutdown() }

    /// Answers every request still running -32800 (the grace period is over).
    public func cancelAll() { calls.cancelAll() }

    /// Calls `body` (on another thread) once every accepted request has finished.
    func whenIdle(_ body: @escaping @Sendable () -> Void) { calls.whenIdle(body) }

    var isIdle: Bool { calls.isIdle }

    /// Suspends until every accepted request has finished.
    func idle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            whenIdle { continuation.resume() }
        }
    }

    private func emit(_ response: Response) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128)
        response.write(into: &bytes)
        output(bytes)
    }

    private func receiveBatch(_ members: [JSON], inexactStrings: [JSONInexactString], bytes: Int) {
        guard !members.isEmpty else {
            emit(.failure(id: .null, error: .invalidRequest("empty batch")))
            return
        }
        let decoded = members.enumerated().map { index, member in
            Request.decode(member, inexactStrings: inexactStrings.inside(.index(index)))
        }
        let weight = bytes / members.count + 1
        let expected = decoded.filter {
            if case .request(let r) = $0 { r.id != nil } else { true }
        }.count
        guard expected > 0 else {
            for member in decoded { dispatch(member, weight: weight) { _ in } }
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
                dispatch(member, weight: weight) { _ in }
            } else {
                dispatch(member, weight: weight) { collector.add($0) }
            }
        }
    }

    /// Runs one decoded message; `deliver` gets its response (nil for a notification or a
    /// silently cancelled request).
    private func dispatch(_ decoded: DecodedMessage, weight: Int, deliver: @escaping @Sendable (Response?) -> Void) {
        let request: Request
        switch decoded {
        case .invalid(let response): deliver(response); return
        case .request(let r): request = r
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
            calls.accept(request, handler: handler, control: CallControl(output: output), weight: weight, deliver: deliver)
        case .cancellation(let cancellation):
            if let target = request.requestID(inParam: cancellation.idParam) {
                calls.cancel(id: target, silently: !cancellation.answersCancelled)
            }
            deliver(request.id.map { .success(id: $0, result: [:]) })
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
