import HTTPCore
import JSONCore
import JSONRPC
import Testing
import TiledeskSandbox
@testable import TiledeskRPC

/// `team.available` with operating hours: the server's own evaluation decides `open`, and hours
/// it cannot evaluate (where the real server would never answer) are a 502 that says so.
@Suite struct AvailabilityTests {
    /// Sets the demo project's hours as the dashboard would (`PUT /projects/{pid}`, as the owner).
    static func setHours(_ transport: RecordingTransport, _ fields: JSON) {
        let response = transport.base.handle(HTTPRequest(
            method: "PUT", path: "/projects/\(SandboxSeed.projectID)",
            headers: ["Authorization": "JWT \(SandboxSeed.ownerToken)", "Content-Type": "application/json"], body: JSONWriter.bytes(fields)))
        #expect(response.status == 200)
    }

    @Test func outsideItsHoursTheProjectIsClosedAndTheListsStillSayWhoIsAvailable() async throws {
        let transport = RecordingTransport()
        Self.setHours(transport, ["activeOperatingHours": true, "operatingHours": #"{"tzname":"UTC"}"#])  // no open day at all
        let answer = try await invoke("team.available", [:], context(transport))
        #expect(answer["open"] == false)
        #expect(answer["available"]?.arrayValue?.count == 2 && answer["busy"]?.arrayValue?.count == 1)
    }

    @Test func hoursTheServerCannotEvaluateAreA502ThatSaysSo() async throws {
        let transport = RecordingTransport()
        Self.setHours(transport, ["activeOperatingHours": true, "operatingHours": "{not json"])
        do {
            _ = try await invoke("team.available", [:], context(transport))
            Issue.record("no error")
        } catch let error as RPCError {
            #expect(error.code == 502)
            #expect(error.message.contains("operating hours"), "\(error.message)")
            #expect(error.data?["request"] == "GET /projects/{pid}/isopen")
        }
        // The team, then the hours, and nothing after them.
        #expect(transport.requests.map(\.pathOnly) == ["/\(SandboxSeed.projectID)/project_users", "/projects/\(SandboxSeed.projectID)/isopen"])
    }

    /// A project that does not exist is 404 from the team read; the operating-hours route (outside
    /// the project checks, where it answers 500) is not asked.
    @Test func anUnknownProjectIs404() async throws {
        let transport = RecordingTransport()
        do {
            _ = try await invoke("team.available", ["project_id": "65f000000000000000000009"], context(transport))
            Issue.record("no error")
        } catch let error as RPCError {
            #expect(error.code == 404)
        }
        #expect(!transport.requests.contains { $0.pathOnly.hasSuffix("/isopen") })
    }
}
