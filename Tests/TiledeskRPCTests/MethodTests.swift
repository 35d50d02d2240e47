import Foundation
import HTTPCore
import JSONCore
import JSONRPC
import Testing
import TiledeskAPI
import TestSupport
import TiledeskSandbox
@testable import TiledeskRPC

/// Handlers against the in-memory emulator behind a recording transport, so each test sees
/// exactly which requests a call made.
final class RecordingTransport: HTTPTransport, @unchecked Sendable {
    let base = Sandbox(seeded: true)
    private let lock = NSLock()
    private var sent: [HTTPRequest] = []
    var requests: [HTTPRequest] { lock.withLock { sent } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        lock.withLock { sent.append(request) }
        return base.handle(request)
    }
}

func context(_ transport: RecordingTransport, project: String? = SandboxSeed.projectID, token: String? = SandboxSeed.ownerToken) -> MethodContext {
    let auth = Authenticator(token: token, email: nil, password: nil, log: .silent)
    let client = TiledeskClient(apiRoot: "https://api.tiledesk.com/v3/", transport: transport, auth: auth)
    return MethodContext(client: client, defaultProjectID: project, isSandbox: true)
}

/// Calls a method through the dispatcher the pipe uses (validation, call control and all).
func invoke(_ method: String, _ params: JSON, _ context: MethodContext) async throws -> JSON {
    try await InProcessClient(methods: MethodRegistry.methodTable(context: context)).call(method, params: params).get()
}

func rpcCode(_ body: () async throws -> JSON) async -> Int? {
    do { _ = try await body(); return nil } catch { return wireError(from: error).code }
}

@Suite struct RegistryTests {
    @Test func everyMethodIsNamedAfterItsGroup() {
        for group in MethodRegistry.groups where group.name != ProtocolMethods.name {
            for spec in group.methods { #expect(spec.name.hasPrefix(group.name + "."), "\(spec.name) in \(group.name)") }
        }
        #expect(Set(MethodRegistry.specs.map(\.name)).count == MethodRegistry.specs.count, "names are unique")
    }

    @Test func committedOpenRPCDocumentIsTheGeneratedOne() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("protocol/openrpc.json")
        let committed = try JSONParser.parse([UInt8](Data(contentsOf: url)))
        #expect(committed == OpenRPCDocument.json, "regenerate with `make openrpc`")
    }

    @Test func documentAndRegistryNameTheSameMethodsWithTheSameParams() {
        let methods = OpenRPCDocument.json["methods"]?.arrayValue ?? []
        #expect(methods.map { $0["name"]?.stringValue ?? "" } == MethodRegistry.specs.map(\.name))
        for (doc, spec) in zip(methods, MethodRegistry.specs) {
            let names = doc["params"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(names == spec.params.map(\.name), "\(spec.name)")
            #expect(!(spec.examples.isEmpty), "\(spec.name) has an example")
        }
    }

    @Test func everyMutatingMethodTakesDryRun() {
        for spec in MethodRegistry.specs where spec.effect != .read {
            #expect(spec.params.contains { $0.name == "dry_run" }, "\(spec.name)")
        }
    }

    /// A tool per method that makes sense as one: not the protocol ones, not `auth.signin`
    /// (credentials are configuration), not those that answer with notifications or control the
    /// sandbox.
    @Test func toolsAreEveryTiledeskMethodButSignIn() {
        let tools = MCPServer.toolList["tools"]?.arrayValue ?? []
        let names = tools.compactMap { $0["name"]?.stringValue }
        #expect(names == MethodRegistry.specs.filter(\.isTool).map { MCPServer.toolName($0.name) })
        for excluded in ["ping", "auth.signin", "team.watch", "sandbox.signup"] { #expect(!names.contains(MCPServer.toolName(excluded))) }
        #expect(names.contains("team_update") && names.contains("group_addMembers"))
        for tool in tools {
            let name = tool["name"]?.stringValue ?? ""
            #expect(name.range(of: "^[a-zA-Z0-9_-]{1,64}$", options: .regularExpression) != nil)
            let spec = MethodRegistry.specs.first { MCPServer.toolName($0.name) == name }!
            #expect(tool["inputSchema"] == spec.paramsSchema)
            #expect(tool["outputSchema"]?["type"] == "object", "\(name): structuredContent is always an object")
            #expect(tool["annotations"]?["readOnlyHint"] == .bool(spec.effect == .read))
            let description = tool["description"]?.stringValue ?? ""
            #expect(description.count > 40)
            for other in MethodRegistry.specs { #expect(!description.contains(other.name + " "), "\(name) names tools as the agent sees them") }
        }
    }

    /// Every example runs as an MCP tool call: a result, not an error, whose structured content
    /// has what the output schema requires.
    @Test func everyToolAnswersItsExamplesInItsOutputSchema() async throws {
        for spec in MCPServer.tools {
            let tool = MCPServer.tool(spec)
            for example in spec.examples {
                let sandbox = context(RecordingTransport())
                for step in example.setup { _ = try await invoke(step.method, .object(step.params), sandbox) }
                let answer = try await MCPServer.call(["name": .string(MCPServer.toolName(spec.name)), "arguments": .object(example.params)], context: sandbox)
                #expect(answer["isError"] == false, "\(spec.name): \(answer)")
                let structured = answer["structuredContent"]
                let alternatives = tool["outputSchema"]?["oneOf"]?.arrayValue ?? [tool["outputSchema"] ?? .null]
                let fits = alternatives.contains { schema in
                    (schema["required"]?.arrayValue ?? []).allSatisfy { structured?[$0.stringValue ?? ""] != nil }
                }
                #expect(fits, "\(spec.name): \(String(describing: structured))")
            }
        }
    }

    /// What a method's examples send upstream is what its spec declares (`x-http`).
    @Test func everyRequestAMethodMakesIsDeclared() async throws {
        for spec in MethodRegistry.specs {
            for example in spec.examples {
                let transport = RecordingTransport()
                let sandbox = context(transport)
                for step in example.setup { _ = try await invoke(step.method, .object(step.params), sandbox) }
                let before = transport.requests.count
                _ = try await invoke(spec.name, .object(example.params), sandbox)
                for request in transport.requests.dropFirst(before) {
                    #expect(spec.routes.contains { $0.matches(request) }, "\(spec.name) sent \(request.method) \(request.path)")
                }
            }
        }
    }

    /// The published email pattern and the bridge's own check are one rule.
    @Test func theEmailPatternIsTheEmailCheck() throws {
        let regex = try NSRegularExpression(pattern: StringFormat.email.pattern)
        let cases = ["a@b.co", "first.last+tag@sub.example.com", "a@b..c", "a@b", "a b@example.com", "@example.com", "a@-b.com",
                     "a@b-.com", "a@@b.com", "a,b@example.com", "x@exa_mple.com", String(repeating: "a", count: 65) + "@example.com"]
        for address in cases {
            let whole = NSRange(address.startIndex..., in: address)
            let published = regex.firstMatch(in: address, range: whole)?.range == whole
            #expect(published == Validation.isEmail(address), "\(address)")
        }
        #expect(!Validation.isEmail("a@b..c") && Validation.isEmail("a@b.co"))
        // JSON Schema validators read the pattern as ECMA-262: the same answers from Node's RegExp.
        let node = Process()
        node.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = "const r = new RegExp(process.argv[1], 'u'); console.log(JSON.stringify(JSON.parse(process.argv[2]).map(a => r.test(a))))"
        node.arguments = ["node", "-e", script, StringFormat.email.pattern, JSONWriter.string(.array(cases.map(JSON.string)))]
        let out = Pipe()
        node.standardOutput = out
        guard (try? node.run()) != nil else { return }  // no Node here: the ICU comparison above stands
        node.waitUntilExit()
        let answers = try JSONParser.parse([UInt8](out.fileHandleForReading.readDataToEndOfFile()))
        #expect(answers == .array(cases.map { .bool(Validation.isEmail($0)) }))
    }

    /// Every example in the OpenRPC document runs against a fresh sandbox and matches.
    @Test func examplesAreTrueOfTheSandbox() async throws {
        for spec in MethodRegistry.specs {
            for example in spec.examples {
                let sandbox = context(RecordingTransport())
                for step in example.setup { _ = try await invoke(step.method, .object(step.params), sandbox) }
                let result = try await invoke(spec.name, .object(example.params), sandbox)
                #expect(VectorMatcher.matches(example.result, result), "\(spec.name): \(example.name): \(result)")
            }
        }
    }
}

@Suite struct ValidationTests {
    static let invalidCases: [(String, JSON, String)] = {
        var cases: [(String, JSON, String)] = []
        cases.append(("team.get", ["project_user_id": "65f0000000000000000000b"], "project_user_id"))
        cases.append(("team.get", ["project_user_id": "65f0000000000000000000b3/../x"], "project_user_id"))
        cases.append(("team.get", ["project_user_id": 5], "project_user_id"))
        cases.append(("team.getByUser", ["user_id": "a/b"], "user_id"))
        cases.append(("team.getByUser", ["user_id": "x?y=1"], "user_id"))
        cases.append(("team.invite", ["email": "a@b", "role": "agent"], "email"))
        cases.append(("team.invite", ["email": "a b@example.com", "role": "agent"], "email"))
        cases.append(("team.invite", ["email": "x@example.com", "role": "owner"], "role"))
        cases.append(("team.update", ["project_user_id": "65f0000000000000000000b3"], "params"))
        cases.append(("team.update", ["project_user_id": "65f0000000000000000000b3", "max_assigned_chat": -1], "max_assigned_chat"))
        cases.append(("team.update", ["project_user_id": "65f0000000000000000000b3", "max_assigned_chat": 1.5], "max_assigned_chat"))
        cases.append(("team.update", ["project_user_id": "65f0000000000000000000b3", "user_available": 1], "user_available"))
        cases.append(("team.update", ["project_user_id": "65f0000000000000000000b3", "settings": ["email": ["notification": ["conversation": ["pooled": "no"]]]]], "settings.email.notification.conversation.pooled"))
        cases.append(("team.updateMe", ["role": "admin"], "role"))
        cases.append(("team.leave", ["project_user_id": "65f0000000000000000000b3", "mode": "erase"], "mode"))
        cases.append(("team.list", ["include_trashed": "true"], "include_trashed"))
        cases.append(("user.update", ["phone": 5], "phone"))
        cases.append(("user.update", ["firstname": "x", "dry_run": "yes"], "dry_run"))
        cases.append(("auth.signin", ["email": "owner@example.com"], "password"))
        return cases
    }()

    @Test("invalid params are -32602 naming the field, and nothing is sent", arguments: invalidCases)
    func invalid(_ method: String, _ params: JSON, _ field: String) async throws {
        let transport = RecordingTransport()
        do {
            _ = try await invoke(method, params, context(transport))
            Issue.record("\(method) accepted \(params)")
        } catch {
            let wire = wireError(from: error)
            #expect(wire.code == -32602)
            #expect(wire.data?["field"] == .string(field), "\(wire)")
        }
        #expect(transport.requests.isEmpty)
    }

    @Test func missingProjectWithoutDefaultIsInvalidParams() async {
        let transport = RecordingTransport()
        let code = await rpcCode { try await invoke("team.list", [:], context(transport, project: nil)) }
        #expect(code == -32602)
        #expect(transport.requests.isEmpty)
    }

    @Test func integersAreIntegralNumbersNotBooleansOrStrings() {
        let spec = MethodRegistry.spec(named: "team.updateMe")!
        #expect(throws: RPCError.self) { try spec.validate(["max_assigned_chat": true]) }
        #expect(throws: RPCError.self) { try spec.validate(["max_assigned_chat": 2.5]) }
        #expect(throws: RPCError.self) { try spec.validate(["max_assigned_chat": "3"]) }
        #expect(throws: Never.self) { try spec.validate(["max_assigned_chat": 100]) }
        #expect(throws: Never.self) { try spec.validate(["max_assigned_chat": .number(JSONNumber(uncheckedText: "1e2"))]) }
    }
}

@Suite struct HandlerTests {
    @Test func updateSendsAliasAndDottedSettingsAfterTheMembershipRead() async throws {
        let transport = RecordingTransport()
        let result = try await invoke("team.update", [
            "project_user_id": "65f0000000000000000000b4", "max_served_chat": 2,
            "settings": ["email": ["notification": ["conversation": ["assigned": ["toyou": false]]]]],
        ], context(transport))
        #expect(result["max_assigned_chat"] == 2)
        #expect(transport.requests.map(\.method) == ["GET", "PUT"])
        let body = try JSONParser.parse(transport.requests[1].body!)
        #expect(body == ["max_assigned_chat": 2, "max_served_chat": 2, "settings.email.notification.conversation.assigned.toyou": false])
        #expect(transport.requests[1].header("Content-Type") == "application/json")
        #expect(transport.requests[1].header("Authorization") == "JWT sandbox-token-owner")
    }

    @Test func ownerIsNeverChangedAndNothingIsWritten() async {
        for (method, params) in [
            ("team.leave", ["project_user_id": "65f0000000000000000000b1"] as JSON),
            ("team.leave", ["project_user_id": "65f0000000000000000000b1", "mode": "trash"]),
            ("team.update", ["project_user_id": "65f0000000000000000000b1", "role": "admin"]),
            ("team.update", ["project_user_id": "65f0000000000000000000b1", "status": "disabled"]),
        ] {
            let transport = RecordingTransport()
            #expect(await rpcCode { try await invoke(method, params, context(transport)) } == 403)
            #expect(transport.requests.allSatisfy { $0.method == "GET" })
        }
    }

    @Test func theOwnerMayStillChangeTheirAvailability() async throws {
        let result = try await invoke("team.update", ["project_user_id": "65f0000000000000000000b1", "user_available": false], context(RecordingTransport()))
        #expect(result["user_available"] == false)
    }

    @Test func inviteEnsureTurnsAMemberIntoExisting() async throws {
        let result = try await invoke("team.invite", ["email": "ALICE@example.com", "role": "agent", "ensure": true], context(RecordingTransport()))
        #expect(result["status"] == "existing")
        #expect(result["teammate"]?["_id"] == "65f0000000000000000000b3")
    }

    @Test func dryRunFailsWhereTheRealCallWould() async {
        let asAgent = context(RecordingTransport(), token: SandboxSeed.aliceToken)
        #expect(await rpcCode { try await invoke("team.invite", ["email": "x@example.com", "role": "agent", "dry_run": true], asAgent) } == 403)
        #expect(await rpcCode { try await invoke("team.leave", ["project_user_id": "65f0000000000000000000b4", "dry_run": true], asAgent) } == 403)
        let asOwner = context(RecordingTransport())
        #expect(await rpcCode { try await invoke("team.invite", ["email": "owner@example.com", "role": "agent", "dry_run": true], asOwner) } == 403)
        #expect(await rpcCode { try await invoke("team.restore", ["project_user_id": "65f0000000000000000000b3", "dry_run": true], asOwner) } == 409)
    }

    @Test func leaveModesMapToTheServersQuery() async throws {
        for (mode, query) in [("disable", ""), ("trash", "?soft=true"), ("delete", "?hard=true")] {
            let transport = RecordingTransport()
            _ = try await invoke("team.leave", ["project_user_id": "65f0000000000000000000b4", "mode": .string(mode)], context(transport))
            #expect(transport.requests.last?.method == "DELETE")
            #expect(transport.requests.last?.path == "/65f000000000000000000001/project_users/65f0000000000000000000b4" + query)
        }
    }

    /// Every object carries `id` (copied from `_id`), a new invitation included.
    @Test func aNewInvitationCarriesItsID() async throws {
        let result = try await invoke("team.invite", ["email": "zed@example.com", "role": "agent"], context(RecordingTransport()))
        #expect(result["status"] == "pending")
        #expect(result["invitation"]?["id"] != nil && result["invitation"]?["id"] == result["invitation"]?["_id"])
    }

    /// The server pages roles (40 by default): every page is read.
    @Test func roleListReadsEveryPage() async throws {
        let transport = RecordingTransport()
        for i in 0..<150 {
            let created = transport.base.handle(HTTPRequest(
                method: "POST", path: "/\(SandboxSeed.projectID)/roles",
                headers: ["Authorization": "JWT \(SandboxSeed.ownerToken)", "Content-Type": "application/json"],
                body: JSONWriter.bytes(["name": .string("role\(i)"), "permissions": []])))
            #expect(created.status == 200)
        }
        let roles = try await invoke("role.list", [:], context(transport))
        #expect(roles.arrayValue?.count == 151)
        #expect(transport.requests.map(\.path) == ["/\(SandboxSeed.projectID)/roles?limit=100&page=0", "/\(SandboxSeed.projectID)/roles?limit=100&page=1"])
    }

    /// An ObjectId in capitals is the same id to MongoDB, but the server compares ids as strings in
    /// its department check and its filters: the bridge sends one spelling, so its guard and the
    /// server's both see the Support department routing to the Support team.
    @Test func objectIDsAreSentInLowerCase() async throws {
        let transport = RecordingTransport()
        #expect(await rpcCode { try await invoke("group.update", ["group_id": "65F0000000000000000000D1", "enabled": false], context(transport)) } == 409)
        #expect(transport.requests.allSatisfy { $0.method == "GET" })
        let group = try await invoke("group.get", ["group_id": "65F0000000000000000000D1", "project_id": "65F000000000000000000001"], context(transport))
        #expect(group["name"] == "Support team")
        #expect(transport.requests.last?.path == "/65f000000000000000000001/groups/65f0000000000000000000d1")
    }

    @Test func mcpCallWrapsArraysAndReportsFailuresAsResults() async throws {
        let ctx = context(RecordingTransport())
        let list = try await MCPServer.call(["name": "team_list", "arguments": ["role": "admin"]], context: ctx)
        #expect(list["structuredContent"]?["items"]?.arrayValue?.count == 1)
        #expect(list["content"]?.arrayValue?.first?["type"] == "text")
        let failure = try await MCPServer.call(["name": "team_get", "arguments": ["project_user_id": "bad"]], context: ctx)
        #expect(failure["isError"] == true)
        let text = failure["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
        #expect(text.contains("project_user_id"))
    }
}

extension Route {
    /// Whether `request` went to this route: same method, and the path (query aside) matches the
    /// template segment by segment, a `{placeholder}` matching any one segment.
    func matches(_ request: HTTPRequest) -> Bool {
        guard request.method == method else { return false }
        let path = request.pathOnly.split(separator: "/", omittingEmptySubsequences: false)
        let pattern = template.split(separator: "/", omittingEmptySubsequences: false)
        return path.count == pattern.count && zip(path, pattern).allSatisfy { $1.hasPrefix("{") || $0 == $1 }
    }
}

/// The member list a group change sends: the server's PUT replaces the whole list.
@Suite struct GroupMemberListTests {
    @Test func addingAppendsOnlyNewMembersAndRemovingKeepsTheOrder() {
        let current: [JSON] = ["a", "b", "c"]
        #expect(GroupMethods.members(current, adding: ["b", "d", "d"]) == ["a", "b", "c", "d"])
        #expect(GroupMethods.members(current, removing: ["b", "x"]) == ["a", "c"])
        #expect(GroupMethods.members(current, adding: ["d"], removing: ["a"]) == ["b", "c", "d"])
        #expect(GroupMethods.members([], removing: ["a"]) == [])
    }
}
