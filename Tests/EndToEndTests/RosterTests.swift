import EmulatorServer
import Foundation
import HTTPCore
import JSONCore
import Testing
import TiledeskSandbox

/// `team.plan` and `team.apply` through the built binary against the emulator over loopback HTTP:
/// a 30-person roster applied and applied again, an injected failure reported and fixed by a
/// rerun, and a fingerprint that refuses an apply after someone else changed the team.
@Suite struct RosterTests: EmulatedUpstream {
    let emulator = Sandbox(seeded: true)
    let server: LoopbackHTTPServer

    init() throws {
        server = try Self.serve(emulator)
    }

    /// The owner, Adam as he is, Alice made supervisor, Bob made available, and 26 new people.
    static let roster: JSON = .array([
        ["email": "owner@example.com", "role": "admin"], ["email": "admin@example.com", "role": "admin"],
        ["email": "Alice@Example.com", "role": "supervisor"], ["email": "bob@example.com", "role": "agent", "user_available": true],
    ] + (1...26).map { i in ["email": .string("new\(i)@example.com"), "role": "agent", "groups": ["Support team"]] })

    func mutations() -> [LoggedRequest] { server.stats().log.filter { $0.method != "GET" } }

    @Test func aThirtyPersonRosterIsPlannedAppliedAndThenNothingIsLeftToDo() throws {
        let b = try bridge()
        let plan = call(b, 1, "team.plan", ["roster": Self.roster])["result"]
        #expect(plan?["summary"] == ["invite": 26, "update": 2])
        #expect(plan?["skipped"] == [["email": "owner@example.com", "skipped": "owner"]])
        #expect(plan?["unchanged"] == 1)
        #expect(plan?["waiting"]?.arrayValue?.count == 26)
        #expect(mutations().isEmpty, "a plan changes nothing")

        let applied = call(b, 2, "team.apply", ["roster": Self.roster, "fingerprint": plan?["fingerprint"] ?? .null], timeout: 60)["result"]
        #expect(applied?["applied"]?.arrayValue?.count == 28)
        #expect(applied?["failed"] == [])
        #expect(mutations().count == 28, "one request per action")

        let again = call(b, 3, "team.apply", ["roster": Self.roster])["result"]
        #expect(again?["applied"] == [] && again?["failed"] == [])
        #expect(again?["unchanged"] == 29)
        #expect(mutations().count == 28, "the same roster again sends nothing")
        #expect(b.finish().status == 0)
    }

    @Test func aFailedActionIsReportedTheOthersAppliedAndARerunFixesIt() throws {
        server.faults.set(rules: [rule("PUT", "/\(Self.project)/project_users/\(SandboxSeed.bobTeammateID)", times: 1, .status(500))])
        let b = try bridge()
        let first = call(b, 1, "team.apply", ["roster": Self.roster], timeout: 60)["result"]
        let failed = first?["failed"]?.arrayValue ?? []
        #expect(failed.count == 1)
        #expect(failed.first?["action"] == "update" && failed.first?["email"] == "bob@example.com")
        #expect(failed.first?["error"]?["code"] == 502)
        #expect(first?["applied"]?.arrayValue?.count == 27)

        let rerun = call(b, 2, "team.apply", ["roster": Self.roster])["result"]
        #expect(rerun?["failed"] == [])
        #expect(rerun?["applied"]?.arrayValue?.map { $0["action"] } == ["update"])
        #expect(rerun?["applied"]?.arrayValue?.first?["result"]?["user_available"] == true)
        #expect(b.finish().status == 0)
    }

    @Test func aStaleFingerprintRefusesTheApplyAndChangesNothing() throws {
        let b = try bridge()
        let plan = call(b, 1, "team.plan", ["roster": Self.roster])["result"]
        // Someone else changes Alice's role in the meantime.
        let outside = emulator.handle(HTTPRequest(
            method: "PUT", path: "/\(Self.project)/project_users/\(SandboxSeed.aliceTeammateID)",
            headers: ["Authorization": "JWT \(SandboxSeed.adminToken)", "Content-Type": "application/json"], body: JSONWriter.bytes(["role": "admin"])))
        #expect(outside.status == 200)
        let refused = call(b, 2, "team.apply", ["roster": Self.roster, "fingerprint": plan?["fingerprint"] ?? .null])
        #expect(refused["error"]?["code"] == 409)
        let fresh = refused["error"]?["data"]?["plan"]
        #expect(fresh?["fingerprint"] != plan?["fingerprint"])
        #expect(fresh?["actions"]?.arrayValue?.contains { $0["email"] == "alice@example.com" && $0["changes"]?["role"] == ["from": "admin", "to": "supervisor"] } == true)
        #expect(mutations().isEmpty, "nothing was applied")
        #expect(b.finish().status == 0)
    }

    /// A cancel stops every invite that has not gone out, those queued for the upstream's turn
    /// included: one at a time, each taking half a second, the applier has 16 started ahead, and
    /// they used to go out one by one for seconds after the cancel.
    @Test func aCancelSendsNothingMore() throws {
        server.faults.set(rules: [rule("POST", "/\(Self.project)/project_users/invite", .delay(0.5))])
        let b = try bridge(["--max-concurrency", "1"])
        let roster: JSON = .array((1...40).map { i in ["email": .string("late\(i)@example.com"), "role": "agent"] })
        b.send(["jsonrpc": "2.0", "id": "A", "method": "team.apply", "params": ["roster": roster, "_meta": ["progressToken": "t"]]])
        #expect(b.read(2, timeout: 30).allSatisfy { $0["method"] == "$/progress" })
        let sentBeforeCancel = mutations().count
        b.send(["jsonrpc": "2.0", "method": "$/cancelRequest", "params": ["id": "A"]])
        var answer: JSON = .null
        while answer == .null, let line = b.read(1, timeout: 30).first {
            if line["id"] == "A" { answer = line }
        }
        #expect(answer["error"]?["code"] == -32800)
        let applied = answer["error"]?["data"]?["applied"]?.arrayValue?.count ?? -1
        let notStarted = answer["error"]?["data"]?["not_started"]?.arrayValue?.count ?? -1
        // The invite on the wire when the cancel came (and one more, if the cancel raced it) finish.
        #expect(mutations().count <= sentBeforeCancel + 2, "\(mutations().count) invites sent, \(sentBeforeCancel) before the cancel")
        #expect(applied == mutations().count)
        #expect(applied + notStarted == 40)
        #expect(b.finish().status == 0)
    }
}
