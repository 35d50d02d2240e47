import Dispatch
import JSONCore
import Synchronization
import Testing
@testable import JSONRPC

/// The dispatcher in process: an output sink collects response lines.
final class Sink: Sendable {
    let lines = Mutex<[JSON]>([])
    func write(_ bytes: [UInt8]) {
        let value = try! JSONParser.parse(bytes)
        lines.withLock { $0.append(value) }
    }
    var all: [JSON] { lines.withLock { $0 } }
}

func makeServer(_ sink: Sink) -> RPCServer {
    var table = MethodTable()
    table.registerInline("echo") { $0.params ?? .null }
    table.registerInline("nothing") { _ in .null }
    table.register("slow") { _ in
        try await Task.sleep(nanoseconds: 5_000_000_000)
        return "late"
    }
    table.register("fail") { _ in throw RPCError(code: 404, message: "nope", data: ["retryable": false]) }
    // Far above what these tests send: `receive` runs on the test's pool thread here.
    return RPCServer(methods: table, maxInFlight: 100_000, output: sink.write)
}

func send(_ server: RPCServer, _ line: String) { server.receive(line: Array(line.utf8)) }

@Suite struct RPCServerTests {
    @Test func nullResultIsPresent() async throws {
        let sink = Sink()
        let server = makeServer(sink)
        send(server, #"{"jsonrpc":"2.0","id":1,"method":"nothing"}"#)
        await server.idle()
        #expect(sink.all == [["jsonrpc": "2.0", "id": 1, "result": nil]])
        #expect(sink.all[0].objectValue?.keys.contains("result") == true)
    }

    @Test func idsAreEchoedExactly() async throws {
        let sink = Sink()
        let server = makeServer(sink)
        send(server, #"{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"echo"}"#)
        send(server, #"{"jsonrpc":"2.0","id":"x\u2028y","method":"echo"}"#)
        send(server, #"{"jsonrpc":"2.0","id":1.50,"method":"echo"}"#)
        let texts = sink.all.map { JSONWriter.string($0["id"]!) }
        #expect(texts == ["123456789012345678901234567890", #""x\u2028y""#, "1.50"])
    }

    @Test("invalid ids are refused with id null", arguments: ["true", "[1]", #"{"a":1}"#])
    func invalidIDs(_ id: String) async {
        let sink = Sink()
        send(makeServer(sink), #"{"jsonrpc":"2.0","id":\#(id),"method":"echo"}"#)
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
        send(server, #"{"jsonrpc":"2.0","id":7,"method":"slow"}"#)
        send(server, #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":7}}"#)
        await server.idle()
        #expect(sink.all.count == 1)
        #expect(sink.all.first?["error"]?["code"] == -32800)
        #expect(sink.all.first?["id"] == 7)
    }

    @Test func mcpCancelledNotificationCancelsSilently() async {
        let sink = Sink()
        let server = makeServer(sink)
        send(server, #"{"jsonrpc":"2.0","id":"s","method":"slow"}"#)
        send(server, #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"s"}}"#)
        await server.idle()
        #expect(sink.all.isEmpty)
    }

    @Test func cancelAllAnswersEveryInFlightRequest() async {
        let sink = Sink()
        let server = makeServer(sink)
        for i in 0..<5 { send(server, #"{"jsonrpc":"2.0","id":\#(i),"method":"slow"}"#) }
        server.cancelAll()
        await server.idle()
        #expect(sink.all.count == 5)
        #expect(sink.all.allSatisfy { $0["error"]?["code"] == -32800 })
    }

    @Test func thousandsOfConcurrentRequestsAreEachAnsweredOnce() async {
        let sink = Sink()
        let server = makeServer(sink)
        for i in 0..<5000 { send(server, #"{"jsonrpc":"2.0","id":\#(i),"method":"echo","params":{"i":\#(i)}}"#) }
        await server.idle()
        let ids = sink.all.compactMap { $0["id"]?.intValue }
        #expect(ids.count == 5000)
        #expect(Set(ids).count == 5000)
    }
}
