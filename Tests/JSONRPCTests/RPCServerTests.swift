import Dispatch
import JSONCore
import Synchronization
import Testing
@testable import JSONRPC

/// The dispatcher in process: an output sink collects the messages it sends.
final class Sink: Sendable {
    private let raw = Mutex<[[UInt8]]>([])
    func write(_ bytes: [UInt8]) { raw.withLock { $0.append(bytes) } }
    /// Each message as sent.
    var texts: [String] { raw.withLock { $0.map { String(decoding: $0, as: UTF8.self) } } }
    /// Each message parsed.
    var all: [JSON] { raw.withLock { $0.map { try! JSONParser.parse($0) } } }
}

/// A wait a test ends by hand; it ignores task cancellation, as a handler busy with I/O would.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
    func open() {
        for waiter in state.withLock({ state in state.open = true; defer { state.waiters = [] }; return state.waiters }) { waiter.resume() }
    }
}

func makeTable() -> MethodTable {
    var table = MethodTable()
    table.registerInline("echo") { $0.params ?? .null }
    table.registerInline("nothing") { _ in .null }
    table.register("slow") { _, _ in
        try await Task.sleep(nanoseconds: 60_000_000_000)
        return "late"
    }
    table.register("fail") { _, _ in throw RPCError(code: 404, message: "nope", data: ["retryable": false]) }
    table.registerCancellation("notifications/cancelled", idParam: "requestId", answersCancelled: false)
    return table
}

func makeServer(_ sink: Sink, table: MethodTable = makeTable(), maxRunning: Int = 512, maxWaiting: Int = 4096,
                onRoom: @escaping @Sendable () -> Void = {}) -> RPCServer {
    RPCServer(methods: table, maxRunning: maxRunning, maxWaiting: maxWaiting, output: sink.write, onRoom: onRoom)
}

func send(_ server: RPCServer, _ message: String) { server.receive(message: Array(message.utf8)) }

func request(_ id: String, _ method: String, _ params: String? = nil) -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)""# + (params.map { #","params":\#($0)"# } ?? "") + "}"
}

@Suite struct RPCServerTests {
    @Test func nullResultIsPresent() async throws {
        let sink = Sink()
        let server = makeServer(sink)
        send(server, request("1", "nothing"))
        await server.idle()
        #expect(sink.all == [["jsonrpc": "2.0", "id": 1, "result": nil]])
        #expect(sink.all[0].objectValue?.keys.contains("result") == true)
    }

    @Test func idsAreEchoedExactly() async throws {
        let sink = Sink()
        let server = makeServer(sink)
        send(server, request("123456789012345678901234567890", "echo"))
        send(server, request(#""x\u2028y""#, "echo"))
        send(server, request("1.50", "echo"))
        let texts = sink.all.map { JSONWriter.string($0["id"]!) }
        #expect(texts == ["123456789012345678901234567890", #""x\u2028y""#, "1.50"])
    }

    @Test func idsHoldingLoneSurrogatesAreEchoedWithTheirEscapesNotMerged() async throws {
        let sink = Sink()
        let server = makeServer(sink)
        send(server, request(#""\ud800""#, "echo"))
        send(server, request(#""\udbff""#, "echo"))
        send(server, "[" + request(#""a\uDC00""#, "echo") + "," + request(#""\ud800""#, "nope") + "]")
        #expect(sink.texts == [
            #"{"jsonrpc":"2.0","id":"\ud800","result":null}"#,
            #"{"jsonrpc":"2.0","id":"\udbff","result":null}"#,
            #"[{"jsonrpc":"2.0","id":"a\uDC00","result":null},{"jsonrpc":"2.0","id":"\ud800","error":{"code":-32601,"message":"Method not found: nope","data":{"retryable":false,"method":"nope"}}}]"#,
        ])
    }

    @Test func cancellingALoneSurrogateIdCancelsThatRequestOnly() async throws {
        let sink = Sink()
        let server = makeServer(sink)
        send(server, request(#""\ud800""#, "slow"))
        send(server, request(#""\udbff""#, "slow"))
        send(server, #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"\udbff"}}"#)
        #expect(sink.texts.count == 1)
        #expect(sink.texts.first?.hasPrefix(#"{"jsonrpc":"2.0","id":"\udbff","error":{"code":-32800"#) == true)
        server.cancelAll()
        await server.idle()
        #expect(sink.texts.count == 2)
    }

    @Test func idsCompareAsSpeltSoCancelling1Point0LeavesRequest1Running() async throws {
        let sink = Sink()
        let server = makeServer(sink)
        send(server, request("1", "slow"))
        send(server, request("1.0", "slow"))
        send(server, #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1.0}}"#)
        #expect(sink.texts == [#"{"jsonrpc":"2.0","id":1.0,"error":{"code":-32800,"message":"Request cancelled","data":{"retryable":false}}}"#])
        send(server, #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#)
        await server.idle()
        #expect(sink.texts.last?.hasPrefix(#"{"jsonrpc":"2.0","id":1,"error""#) == true)
        #expect(sink.all.count == 2)
    }

    @Test("invalid ids are refused with id null", arguments: ["true", "[1]", #"{"a":1}"#])
    func invalidIDs(_ id: String) async {
        let sink = Sink()
        send(makeServer(sink), request(id, "echo"))
        #expect(sink.all == [["jsonrpc": "2.0", "id": nil, "error": ["code": -32600, "message": sink.all[0]["error"]!["message"]!, "data": ["retryable": false]]]])
    }

    @Test func invalidRequestKeepsAReadableID() async {
        let sink = Sink()
        send(makeServer(sink), #"{"jsonrpc":"1.0","id":"keep","method":"echo"}"#)
        #expect(sink.all.first?["id"] == "keep")
        #expect(sink.all.first?["error"]?["code"] == -32600)
    }

    @Test func notificationsGetNoAnswerEvenWhenUnknownOrFailing() async {
        let sink = Sink()
        let server = makeServer(sink)
        send(server, #"{"jsonrpc":"2.0","method":"nope"}"#)
        send(server, #"{"jsonrpc":"2.0","method":"fail"}"#)
        await server.idle()
        #expect(sink.all.isEmpty)
    }

    @Test func batchMixesResultsErrorsAndNotifications() async {
        let sink = Sink()
        let server = makeServer(sink)
        send(server, #"[{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]},{"jsonrpc":"2.0","method":"echo"},1,{"jsonrpc":"2.0","id":2,"method":"fail"}]"#)
        await server.idle()
        let batch = sink.all.first?.arrayValue ?? []
        #expect(sink.all.count == 1)
        #expect(batch.count == 3)
        #expect(Set(batch.map { $0["id"]! }) == [1, 2, nil])
    }

    @Test func allNotificationBatchIsAnsweredByNothingAndEmptyBatchIsInvalid() async {
        let sink = Sink()
        let server = makeServer(sink)
        send(server, #"[{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","method":"echo"}]"#)
        send(server, "[]")
        await server.idle()
        #expect(sink.all.count == 1)
        #expect(sink.all.first?["error"]?["code"] == -32600)
        #expect(sink.all.first?.arrayValue == nil)
    }

    @Test func cancelRequestAnswersMinus32800Once() async throws {
        let sink = Sink()
        let server = makeServer(sink)
        send(server, request("7", "slow"))
        send(server, #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":7}}"#)
        await server.idle()
        #expect(sink.all.count == 1)
        #expect(sink.all.first?["error"]?["code"] == -32800)
        #expect(sink.all.first?["id"] == 7)
    }

    @Test func aRegisteredSilentCancellationCancelsWithNoAnswer() async {
        let sink = Sink()
        let server = makeServer(sink)
        send(server, request(#""s""#, "slow"))
        send(server, #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"s"}}"#)
        await server.idle()
        #expect(sink.all.isEmpty)
    }

    @Test func aCancellationSentWithAnIdIsAnsweredItself() async {
        var table = makeTable()
        table.registerCancellation("custom/stop", idParam: "target", answersCancelled: true)
        let sink = Sink()
        let server = makeServer(sink, table: table)
        send(server, request("1", "slow"))
        send(server, request("2", "custom/stop", #"{"target":1}"#))
        await server.idle()
        #expect(Set(sink.all) == [
            ["jsonrpc": "2.0", "id": 2, "result": [:]],
            ["jsonrpc": "2.0", "id": 1, "error": ["code": -32800, "message": "Request cancelled", "data": ["retryable": false]]],
        ])
    }

    @Test func cancelAllAnswersEveryInFlightRequest() async {
        let sink = Sink()
        let server = makeServer(sink)
        for i in 0..<5 { send(server, request("\(i)", "slow")) }
        server.cancelAll()
        await server.idle()
        #expect(sink.all.count == 5)
        #expect(sink.all.allSatisfy { $0["error"]?["code"] == -32800 })
    }

    @Test func thousandsOfConcurrentRequestsAreEachAnsweredOnce() async {
        let sink = Sink()
        let server = makeServer(sink, maxRunning: 64)
        for i in 0..<5000 { send(server, request("\(i)", "echo", #"{"i":\#(i)}"#)) }
        await server.idle()
        let ids = sink.all.compactMap { $0["id"]?.intValue }
        #expect(ids.count == 5000)
        #expect(Set(ids).count == 5000)
    }

    @Test func notifyWritesAnUnsolicitedNotification() {
        let sink = Sink()
        let server = makeServer(sink)
        server.notify(method: "team.changed", params: ["subscription": "w1"])
        server.session.notify(method: "bare")
        #expect(sink.texts == [#"{"jsonrpc":"2.0","method":"team.changed","params":{"subscription":"w1"}}"#, #"{"jsonrpc":"2.0","method":"bare"}"#])
    }
}

/// Beyond `maxRunning`, requests wait in a queue instead of blocking the reader: control
/// messages still get through, and every accepted request is answered once, even at shutdown.
@Suite struct WaitingRequestTests {
    @Test func receiveNeverBlocksAndControlMessagesGetThroughWhileRequestsWait() async {
        let sink = Sink()
        let server = makeServer(sink, maxRunning: 2)
        for i in 1...4 { send(server, request("\(i)", "slow")) }  // 1 and 2 run, 3 and 4 wait
        send(server, request("5", "echo", "[5]"))
        send(server, #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":4}}"#)
        send(server, #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}}"#)
        send(server, #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#)
        #expect(sink.all.map { $0["id"]! } == [5, 4, 1])
        #expect(sink.all.dropFirst().allSatisfy { $0["error"]?["code"] == -32800 })
        server.cancelAll()
        await server.idle()
        #expect(sink.all.map { $0["id"]! } == [5, 4, 1, 2])
    }

    @Test func waitingRequestsStartInArrivalOrderAsSlotsFree() async {
        let sink = Sink()
        let gate = Gate()
        var table = makeTable()
        table.register("gated") { request, _ in
            await gate.wait()
            return request.params ?? .null
        }
        let server = makeServer(sink, table: table, maxRunning: 1)
        for i in 1...5 { send(server, request("\(i)", "gated", "[\(i)]")) }
        #expect(sink.all.isEmpty)
        gate.open()
        await server.idle()
        #expect(sink.all.map { $0["id"]! } == [1, 2, 3, 4, 5])
    }

    @Test func theWaitingQueueIsBoundedAndSaysWhenItHasRoomAgain() async {
        let sink = Sink()
        let roomCalls = Mutex(0)
        let server = makeServer(sink, maxRunning: 1, maxWaiting: 2, onRoom: { roomCalls.withLock { $0 += 1 } })
        send(server, request("1", "slow"))
        send(server, request("2", "slow"))
        #expect(server.hasRoom)
        send(server, request("3", "slow"))
        #expect(!server.hasRoom)
        send(server, #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":3}}"#)
        #expect(server.hasRoom)
        #expect(roomCalls.withLock { $0 } == 1)
        server.cancelAll()
        await server.idle()
    }

    @Test func atShutdownABatchBeyondMaxRunningGetsItsOneArrayOfAnswers() async throws {
        let sink = Sink()
        let server = makeServer(sink, maxRunning: 4)
        send(server, "[" + (0..<20).map { request("\($0)", "slow") }.joined(separator: ",") + "]")
        server.beginShutdown()  // the 16 waiting ones are answered now, the 4 running ones go on
        #expect(sink.all.isEmpty)
        server.cancelAll()
        await server.idle()
        let batch = try #require(sink.all.first?.arrayValue)
        #expect(sink.all.count == 1)
        #expect(Set(batch.compactMap { $0["id"]?.intValue }) == Set(0..<20))
        #expect(batch.allSatisfy { $0["error"]?["code"] == -32800 })
    }

    @Test func atShutdownSingleRequestsWaitingForASlotAreAnswered() async {
        let sink = Sink()
        let server = makeServer(sink, maxRunning: 4)
        for i in 0..<5 { send(server, request("\(i)", "slow")) }
        server.beginShutdown()
        #expect(sink.all.map { $0["id"]! } == [4])
        server.cancelAll()
        await server.idle()
        #expect(Set(sink.all.compactMap { $0["id"]?.intValue }) == Set(0..<5))
    }
}

/// The per-call control handed to async handlers.
@Suite struct CallControlTests {
    /// Holds a handler's control for the test to use after the call.
    final class Kept: Sendable {
        let control = Mutex<CallControl?>(nil)
    }

    @Test func notificationsGoOutBeforeTheAnswerAndNeverAfterIt() async throws {
        let sink = Sink()
        let kept = Kept()
        var table = makeTable()
        table.register("job") { _, control in
            kept.control.withLock { $0 = control }
            control.notify(method: "$/progress", params: ["token": "t", "value": ["done": 1, "total": 2]])
            control.notify(method: "$/progress", params: ["token": "t", "value": ["done": 2, "total": 2]])
            return "done"
        }
        let server = makeServer(sink, table: table)
        send(server, request("1", "job"))
        await server.idle()
        let control = try #require(kept.control.withLock { $0 })
        control.notify(method: "$/progress", params: ["late": true])
        control.session.notify(method: "team.changed")
        #expect(sink.texts == [
            #"{"jsonrpc":"2.0","method":"$/progress","params":{"token":"t","value":{"done":1,"total":2}}}"#,
            #"{"jsonrpc":"2.0","method":"$/progress","params":{"token":"t","value":{"done":2,"total":2}}}"#,
            #"{"jsonrpc":"2.0","id":1,"result":"done"}"#,
            #"{"jsonrpc":"2.0","method":"team.changed"}"#,
        ])
    }

    static func maybeAppliedTable(started: Gate) -> MethodTable {
        var table = makeTable()
        table.register("invite") { _, control in
            control.markMaybeApplied("Request cancelled after the invitation was sent")
            started.open()
            try await Task.sleep(nanoseconds: 60_000_000_000)
            return "sent"
        }
        return table
    }

    /// A server running request 1 of `method`, whose handler has opened `started`.
    static func running(_ method: String, _ table: MethodTable, started: Gate) async -> (Sink, RPCServer) {
        let sink = Sink()
        let server = makeServer(sink, table: table)
        send(server, request("1", method))
        await started.wait()
        return (sink, server)
    }

    @Test func aCancelAfterMarkMaybeAppliedSaysTheChangeMayHaveBeenApplied() async {
        let started = Gate()
        let (sink, server) = await Self.running("invite", Self.maybeAppliedTable(started: started), started: started)
        send(server, #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#)
        await server.idle()
        #expect(sink.all == [[
            "jsonrpc": "2.0", "id": 1,
            "error": ["code": -32800, "message": "Request cancelled after the invitation was sent", "data": ["retryable": false, "maybe_applied": true]],
        ]])
    }

    @Test func theGraceRunningOutAlsoSaysTheChangeMayHaveBeenApplied() async {
        let started = Gate()
        let (sink, server) = await Self.running("invite", Self.maybeAppliedTable(started: started), started: started)
        server.beginShutdown()
        server.cancelAll()
        await server.idle()
        #expect(sink.all.first?["error"]?["data"]?["maybe_applied"] == true)
    }

    /// A bulk job that answers its own cancellation with what it applied.
    static func cooperativeTable(started: Gate, stopped: Gate) -> MethodTable {
        var table = makeTable()
        table.register("bulk") { _, control in
            control.answerOwnCancellation()
            started.open()
            do {
                try await Task.sleep(nanoseconds: 60_000_000_000)
                return "finished"
            } catch {
                await stopped.wait()
                throw RPCError(code: -32800, message: "Stopped after 2 of 5 actions", data: ["retryable": false, "applied": [1, 2]])
            }
        }
        return table
    }

    @Test func aHandlerThatAnswersItsOwnCancellationGivesTheOneAnswer() async {
        let (started, stopped) = (Gate(), Gate())
        let (sink, server) = await Self.running("bulk", Self.cooperativeTable(started: started, stopped: stopped), started: started)
        send(server, #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#)
        #expect(sink.all.isEmpty)  // the bridge does not answer for it
        stopped.open()
        await server.idle()
        #expect(sink.all == [[
            "jsonrpc": "2.0", "id": 1,
            "error": ["code": -32800, "message": "Stopped after 2 of 5 actions", "data": ["retryable": false, "applied": [1, 2]]],
        ]])
    }

    @Test func aSilentCancelOfSuchAHandlerStillSendsNothing() async {
        let (started, stopped) = (Gate(), Gate())
        let (sink, server) = await Self.running("bulk", Self.cooperativeTable(started: started, stopped: stopped), started: started)
        send(server, #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}"#)
        stopped.open()
        await server.idle()
        #expect(sink.all.isEmpty)
    }

    @Test func shutdownAsksSuchHandlersToStopAndTheGraceStillBoundsThem() async {
        let (started, stopped) = (Gate(), Gate())
        let (sink, server) = await Self.running("bulk", Self.cooperativeTable(started: started, stopped: stopped), started: started)
        send(server, request("2", "slow"))
        server.beginShutdown()  // bulk is cancelled and takes its time; slow goes on
        #expect(sink.all.isEmpty)
        server.cancelAll()  // the grace is over: both are answered by the bridge
        #expect(Set(sink.all.compactMap { $0["id"]?.intValue }) == [1, 2])
        #expect(sink.all.allSatisfy { $0["error"]?["message"] == "Request cancelled" })
        stopped.open()
        await server.idle()
        #expect(sink.all.count == 2)
    }
}
