import Foundation
import HTTPCore
import JSONCore
import JSONRPC
import Synchronization
import Testing
import TiledeskAPI
import TiledeskSandbox
@testable import TiledeskRPC

/// What the method layer does with its call control: progress notifications, answers to a cancel
/// once a change may have reached Tiledesk, and a bulk job's own answer to its cancel.
@Suite struct CallControlTests {
    /// Holds every request the predicate picks until `open()`; serves the rest at once.
    final class GatedTransport: HTTPTransport, Sendable {
        let base = Sandbox(seeded: true)
        let holds: @Sendable (HTTPRequest) -> Bool
        private let state = Mutex<(open: Bool, held: Int, waiters: [CheckedContinuation<Void, Never>])>((false, 0, []))

        init(holding holds: @escaping @Sendable (HTTPRequest) -> Bool) { self.holds = holds }

        var held: Int { state.withLock { $0.held } }

        func open() {
            for waiter in state.withLock({ s in s.open = true; defer { s.waiters = [] }; return s.waiters }) { waiter.resume() }
        }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            if holds(request) {
                // Like a request already on the wire: a cancel does not take it back.
                await withCheckedContinuation { continuation in
                    let now = state.withLock { s -> Bool in
                        s.held += 1
                        if s.open { return true }
                        s.waiters.append(continuation)
                        return false
                    }
                    if now { continuation.resume() }
                }
            }
            return base.handle(request)
        }
    }

    final class Sink: Sendable {
        private let messages = Mutex<[JSON]>([])
        func write(_ bytes: [UInt8]) { if let m = try? JSONParser.parse(bytes) { messages.withLock { $0.append(m) } } }
        var all: [JSON] { messages.withLock { $0 } }
        func answer(_ id: Int) -> JSON? { all.first { $0["id"]?.intValue == id } }
    }

    static func server(_ transport: any HTTPTransport, _ sink: Sink) -> RPCServer {
        let auth = Authenticator(token: SandboxSeed.ownerToken, email: nil, password: nil, log: .silent)
        let client = TiledeskClient(apiRoot: "https://api.tiledesk.com/v3", transport: transport, auth: auth)
        let context = MethodContext(client: client, defaultProjectID: SandboxSeed.projectID, isSandbox: true)
        return RPCServer(methods: MethodRegistry.methodTable(context: context), output: sink.write)
    }

    static func send(_ server: RPCServer, _ message: JSON) { server.receive(message: JSONWriter.bytes(message)) }

    static func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<2000 where !condition() { try await Task.sleep(nanoseconds: 5_000_000) }
    }

    @Test func aCancelAfterTheInviteWentOutSaysItMayHaveBeenApplied() async throws {
        let transport = GatedTransport { $0.method == "POST" }
        let sink = Sink()
        let server = Self.server(transport, sink)
        Self.send(server, ["jsonrpc": "2.0", "id": 1, "method": "team.invite", "params": ["email": "new@example.com", "role": "agent"]])
        try await Self.eventually { transport.held == 1 }
        Self.send(server, ["jsonrpc": "2.0", "method": "$/cancelRequest", "params": ["id": 1]])
        try await Self.eventually { sink.answer(1) != nil }
        let error = sink.answer(1)?["error"]
        #expect(error?["code"] == -32800)
        #expect(error?["data"]?["maybe_applied"] == true)
        transport.open()
    }

    @Test func aCancelBeforeAnyChangeWentOutIsAPlainCancel() async throws {
        let transport = GatedTransport { $0.method == "GET" }
        let sink = Sink()
        let server = Self.server(transport, sink)
        Self.send(server, ["jsonrpc": "2.0", "id": 1, "method": "team.update", "params": ["project_user_id": .string(SandboxSeed.bobTeammateID), "user_available": true]])
        try await Self.eventually { transport.held == 1 }
        Self.send(server, ["jsonrpc": "2.0", "method": "$/cancelRequest", "params": ["id": 1]])
        try await Self.eventually { sink.answer(1) != nil }
        #expect(sink.answer(1)?["error"]?["code"] == -32800)
        #expect(sink.answer(1)?["error"]?["data"]?["maybe_applied"] == nil)
        transport.open()
    }

    static let roster: JSON = [["email": "alice@example.com", "role": "admin"], ["email": "bob@example.com", "role": "agent", "user_available": true],
                               ["email": "new.one@example.com", "role": "agent"]]

    @Test func applyReportsProgressPerActionToTheTokenItWasGiven() async throws {
        let sink = Sink()
        let server = Self.server(GatedTransport { _ in false }, sink)
        Self.send(server, ["jsonrpc": "2.0", "id": 1, "method": "team.apply", "params": ["roster": Self.roster, "_meta": ["progressToken": "t-1"]]])
        try await Self.eventually { sink.answer(1) != nil }
        #expect(sink.answer(1)?["result"]?["applied"]?.arrayValue?.count == 3)
        let progress = sink.all.filter { $0["method"] == "$/progress" }
        #expect(progress.count == 3)
        #expect(progress.allSatisfy { $0["params"]?["token"] == "t-1" && $0["params"]?["value"]?["total"] == 3 })
        #expect(Set(progress.compactMap { $0["params"]?["value"]?["done"]?.intValue }) == [1, 2, 3])
        #expect(progress.last?["params"]?["value"]?["action"]?["action"] != nil)
        // Every notification came before the answer.
        #expect(sink.all.last?["id"] == 1)
    }

    @Test func overMCPProgressIsNotificationsProgress() async throws {
        let sink = Sink()
        let server = Self.server(GatedTransport { _ in false }, sink)
        Self.send(server, ["jsonrpc": "2.0", "id": 1, "method": "tools/call",
                           "params": ["name": "team_apply", "arguments": ["roster": Self.roster], "_meta": ["progressToken": 7]]])
        try await Self.eventually { sink.answer(1) != nil }
        #expect(sink.answer(1)?["result"]?["isError"] == false)
        let progress = sink.all.filter { $0["method"] == "notifications/progress" }
        #expect(progress.count == 3)
        #expect(progress.allSatisfy { $0["params"]?["progressToken"] == 7 && $0["params"]?["total"] == 3 && $0["params"]?["message"]?.stringValue != nil })
    }

    @Test func aCancelledApplyStopsStartingActionsAndSaysWhatItApplied() async throws {
        // Hold the update of Bob (the second phase): the invite (first phase) is done by then.
        let transport = GatedTransport { $0.method == "PUT" }
        let sink = Sink()
        let server = Self.server(transport, sink)
        // absent: disable adds a last phase (Adam disabled), which the cancel keeps from starting.
        Self.send(server, ["jsonrpc": "2.0", "id": 1, "method": "team.apply", "params": ["roster": Self.roster, "absent": "disable"]])
        try await Self.eventually { transport.held >= 2 }
        Self.send(server, ["jsonrpc": "2.0", "method": "$/cancelRequest", "params": ["id": 1]])
        try await Task.sleep(nanoseconds: 50_000_000)
        #expect(sink.answer(1) == nil, "the apply answers its own cancel, once what is under way is done")
        transport.open()
        try await Self.eventually { sink.answer(1) != nil }
        let error = sink.answer(1)?["error"]
        #expect(error?["code"] == -32800)
        let applied = error?["data"]?["applied"]?.arrayValue ?? []
        #expect(applied.contains { $0["action"] == "invite" })
        #expect(applied.contains { $0["action"] == "update" }, "the held updates were under way: they finished")
        #expect(error?["data"]?["not_started"] == [["action": "disable", "email": "admin@example.com", "project_user_id": .string(SandboxSeed.adminTeammateID),
                                                    "user_id": .string(SandboxSeed.adminUserID), "changes": ["status": ["from": "active", "to": "disabled"]]]])
        let adam = transport.base.handle(HTTPRequest(method: "GET", path: "/\(SandboxSeed.projectID)/project_users/\(SandboxSeed.adminTeammateID)",
                                                     headers: ["Authorization": "JWT \(SandboxSeed.ownerToken)"]))
        #expect(try JSONParser.parse(adam.body)["status"] == "active", "the disable never started")
    }
}
