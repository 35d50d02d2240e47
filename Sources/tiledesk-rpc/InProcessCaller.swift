import Dispatch
import JSONCore
import JSONRPC
import Synchronization

/// Sends requests one at a time through an in-process `RPCServer` holding the pipe's method
/// table, so the shell commands validate, guard and fail exactly as the same line on stdin would.
final class InProcessCaller: Sendable {
    private let server: RPCServer
    private let answers: Answers

    init(methods: MethodTable) {
        let answers = Answers()
        self.answers = answers
        server = RPCServer(methods: methods, output: answers.receive)
    }

    /// One request's result or error. Blocks the calling thread (the main thread, never one of
    /// the concurrency pool's) until the answer is in.
    func call(_ method: String, params: JSON? = nil) -> Result<JSON, RPCError> {
        var request: JSONObject = ["jsonrpc": "2.0", "id": 1, "method": .string(method)]
        request["params"] = params
        server.receive(line: JSONWriter.bytes(.object(request)))
        let response = answers.next()
        if let result = response["result"] { return .success(result) }
        let error = response["error"]
        return .failure(RPCError(
            code: error?["code"]?.intValue ?? RPCError.internalErrorCode,
            message: error?["message"]?.stringValue ?? "malformed answer: \(response)",
            data: error?["data"]))
    }
}

/// The answers the server writes, in order; notifications (no `id`) are not answers and are dropped.
private final class Answers: Sendable {
    private let queue = Mutex<[JSON]>([])
    private let ready = DispatchSemaphore(value: 0)

    func receive(_ line: [UInt8]) {
        guard let message = try? JSONParser.parse(line), message["id"] != nil else { return }
        queue.withLock { $0.append(message) }
        ready.signal()
    }

    func next() -> JSON {
        ready.wait()
        return queue.withLock { $0.removeFirst() }
    }
}
