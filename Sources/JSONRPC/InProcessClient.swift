import Dispatch
import JSONCore
import Synchronization

/// Calls a method table in process, through the same dispatcher the pipe uses, so a call
/// validates, guards and fails exactly as the same message on stdin would: the shell face's
/// `call` and `doctor`, and tests that need a real call control (cancellation). Notifications
/// (progress, a watch's changes) are not kept: nobody reads them here.
public final class InProcessClient: Sendable {
    private let server: RPCServer
    private let answers = Answers()
    private let nextID = Atomic<Int>(0)

    public init(methods: MethodTable) {
        let answers = self.answers
        server = RPCServer(methods: methods, output: answers.receive)
    }

    /// One call's result or error, awaited without blocking a thread.
    public func call(_ method: String, params: JSON? = nil) async -> Result<JSON, RPCError> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        return Self.outcome(await withCheckedContinuation { continuation in
            answers.expect(id) { continuation.resume(returning: $0) }
            send(id, method, params)
        })
    }

    /// One call's result or error; blocks the calling thread (the main thread, never one of the
    /// concurrency pool's) until it is in.
    public func callBlocking(_ method: String, params: JSON? = nil) -> Result<JSON, RPCError> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let done = DispatchSemaphore(value: 0)
        let answer = Mutex<JSON>(.null)
        answers.expect(id) { message in
            answer.withLock { $0 = message }
            done.signal()
        }
        send(id, method, params)
        done.wait()
        return Self.outcome(answer.withLock { $0 })
    }

    private func send(_ id: Int, _ method: String, _ params: JSON?) {
        var request: JSONObject = ["jsonrpc": "2.0", "id": .number(JSONNumber(id)), "method": .string(method)]
        if let params { request["params"] = params }
        server.receive(message: JSONWriter.bytes(.object(request)))
    }

    private static func outcome(_ response: JSON) -> Result<JSON, RPCError> {
        if let result = response["result"] { return .success(result) }
        let error = response["error"]
        return .failure(RPCError(code: error?["code"]?.intValue ?? RPCError.internalErrorCode,
                                 message: error?["message"]?.stringValue ?? "malformed answer: \(response)", data: error?["data"]))
    }

    /// Routes each answer to whoever waits for its id (registered before the request is sent);
    /// drops notifications.
    private final class Answers: Sendable {
        private let waiting = Mutex<[Int: @Sendable (JSON) -> Void]>([:])

        func expect(_ id: Int, _ deliver: @escaping @Sendable (JSON) -> Void) {
            waiting.withLock { $0[id] = deliver }
        }

        func receive(_ bytes: [UInt8]) {
            guard let message = try? JSONParser.parse(bytes), let id = message["id"]?.intValue else { return }
            waiting.withLock { $0.removeValue(forKey: id) }?(message)
        }
    }
}
