import EmulatorServer
import Foundation
import HTTPCore
import JSONCore
import Testing
import TiledeskSandbox

/// `team.watch` through the built binary against the emulator over loopback HTTP: changes made
/// outside the bridge (straight on the emulator) arrive as notifications, and polls that find
/// nothing new cost a 304 and send nothing.
@Suite struct WatchTests: EmulatedUpstream {
    let emulator = Sandbox(seeded: true)
    let server: LoopbackHTTPServer

    init() throws {
        server = try Self.serve(emulator)
    }

    /// A change made by someone else, on the server directly.
    func outside(_ method: String, _ path: String, _ body: JSON, token: String? = SandboxSeed.adminToken) -> HTTPResponse {
        var headers = ["Content-Type": "application/json"]
        if let token { headers["Authorization"] = "JWT \(token)" }
        return emulator.handle(HTTPRequest(method: method, path: path, headers: headers, body: JSONWriter.bytes(body)))
    }

    func watch(_ b: BridgeProcess) -> String? {
        b.send(["jsonrpc": "2.0", "id": 1, "method": "team.watch", "params": ["interval": 5]])
        return b.read(1).first?["result"]?["subscription"]?.stringValue
    }

    @Test func anOutsideChangeArrivesAsOneNotification() throws {
        let b = try bridge()
        let subscription = watch(b)
        #expect(subscription != nil)
        let update = outside("PUT", "/\(Self.project)/project_users/\(SandboxSeed.bobTeammateID)", ["user_available": true, "role": "supervisor"])
        #expect(update.status == 200)
        let notes = b.read(1, timeout: 15)
        #expect(notes.first?["method"] == "team.changed")
        #expect(notes.first?["params"]?["subscription"] == subscription.map(JSON.string))
        let changes = notes.first?["params"]?["changes"]?.arrayValue ?? []
        #expect(changes.count == 1)
        #expect(changes.first?["kind"] == "updated")
        #expect(changes.first?["fields"] == ["role": ["from": "agent", "to": "supervisor"], "user_available": ["from": false, "to": true]])
        #expect(b.finish().status == 0)
    }

    @Test func aSignUpIsTheInvitationRemovedAndTheMemberJoinedTogether() throws {
        let b = try bridge()
        _ = watch(b)
        let signup = outside("POST", "/auth/signup", ["email": "pending@example.com", "password": "secret-pw", "firstname": "Pat", "lastname": "Ending"], token: nil)
        #expect(signup.status == 200)
        let changes = b.read(1, timeout: 15).first?["params"]?["changes"]?.arrayValue ?? []
        #expect(changes.map { $0["kind"] } == ["invitation_removed", "joined"])
        #expect(changes.last?["teammate"]?["id_user"]?["email"] == "pending@example.com")
        #expect(b.finish().status == 0)
    }

    /// Polls carry the last `ETag`; the server answers 304, and nothing is sent.
    @Test func pollsThatFindNothingNewCostA304AndSayNothing() throws {
        let b = try bridge()
        _ = watch(b)
        #expect(b.read(1, timeout: 7).isEmpty, "no change, no notification")
        let polls = server.stats().log.filter { $0.method == "GET" && $0.path.hasPrefix("/\(Self.project)/project_users?trashed=true") }
        #expect(polls.count >= 2)
        let auth = ["Authorization": "JWT \(SandboxSeed.ownerToken)"]
        let current = emulator.handle(HTTPRequest(method: "GET", path: polls.last?.path ?? "", headers: auth)).headers["etag"]
        let tag = polls.last?.header("If-None-Match")
        #expect(tag != nil && tag == current, "the poll sends the tag of the list it last saw")
        // The same conditional read, straight on the server: 304, no body.
        let again = emulator.handle(HTTPRequest(method: "GET", path: polls.last?.path ?? "", headers: auth.merging(["If-None-Match": tag ?? ""]) { a, _ in a }))
        #expect(again.status == 304 && again.body.isEmpty)
        #expect(polls.first?.header("If-None-Match") == nil, "the first read has no tag yet")
        #expect(b.finish().status == 0)
    }
}
