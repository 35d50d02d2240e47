import EmulatorServer
import Foundation
import JSONCore
import Testing
import TiledeskSandbox

/// The shell face through the built binary: `tiledesk-rpc [flags] call …` and `… doctor`.
/// One process at a time, each awaited without blocking a thread of the (two-thread) concurrency
/// pool, so this suite does not slow the timing-sensitive suites running beside it.
@Suite(.serialized, .timeLimit(.minutes(1))) struct ShellTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: JSON? { try? JSONParser.parse(stdout) }
        var stderrLines: [Substring] { stderr.split(separator: "\n") }
    }

    /// Runs the binary with `arguments`, and `stdin` (a line) on its standard input, to its end.
    func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) async throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bridgeBinary)
        process.arguments = arguments
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"].merging(environment) { $1 }
        let input = Pipe(), output = Pipe(), errors = Pipe()
        (process.standardInput, process.standardOutput, process.standardError) = (input, output, errors)
        try await withCheckedThrowingContinuation { (finished: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in finished.resume() }
            do { try process.run() } catch { return finished.resume(throwing: error) }
            if let stdin { input.fileHandleForWriting.write(Data((stdin + "\n").utf8)) }
            try? input.fileHandleForWriting.close()
        }
        // The outputs here are far below a pipe's capacity, so reading them after the exit is safe.
        let text = { (pipe: Pipe) in String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        return Run(status: process.terminationStatus, stdout: text(output), stderr: text(errors))
    }

    static let bob = "65f0000000000000000000b4"

    // MARK: call

    @Test func callPrintsTheResultAsPrettyJSONLikeThePipe() async throws {
        let shell = try await run(["--sandbox", "call", "team.get", "project_user_id=\(Self.bob)"])
        let pipe = try await run(["--sandbox"], stdin: #"{"jsonrpc":"2.0","id":1,"method":"team.get","params":{"project_user_id":"\#(Self.bob)"}}"#)
        #expect(shell.status == 0)
        #expect(shell.stderr.isEmpty)
        #expect(shell.json != nil && shell.json == pipe.json?["result"])
        #expect(shell.stdout.hasPrefix("{\n  \"_id\": \"\(Self.bob)\",\n  \"id_project\": "))
        #expect(shell.stdout.hasSuffix("\n}\n"))
    }

    @Test func valuesAreJSONWhenTheyParseAndStringsOtherwise() async throws {
        let shell = try await run(["--sandbox", "call", "team.update", "project_user_id=\(Self.bob)", "user_available=true",
                             "max_assigned_chat=3", "profileStatus=busy", #"attributes={"shift":["mon",2.50]}"#, "dry_run=true"])
        let body = shell.json?["request"]?["body"]
        #expect(shell.status == 0)
        #expect(body?["user_available"] == true)
        #expect(body?["max_assigned_chat"]?.numberValue?.text == "3")
        #expect(body?["profileStatus"] == "busy")
        #expect(body?["attributes"] == ["shift": ["mon", .number(JSONNumber(uncheckedText: "2.50"))]])
        #expect(shell.stdout.contains("2.50"))
    }

    @Test func paramsComeFromJSONOrAFileAndNamedValuesWin() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tiledesk-rpc-params-\(UUID().uuidString).json")
        try Data(#"{"role":"agent","status":"active"}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let emails = { (run: Run) in run.json?.arrayValue?.compactMap { $0["id_user"]?["email"]?.stringValue } }
        let inline = try await run(["--sandbox", "call", "team.list", "--params", #"{"role":"agent"}"#])
        let fromFile = try await run(["--sandbox", "call", "team.list", "--params=@\(file.path)"])
        let overridden = try await run(["--sandbox", "call", "team.list", "--params", "@\(file.path)", "role=admin"])
        #expect(emails(inline) == ["alice@example.com", "bob@example.com"])
        #expect(emails(fromFile) == ["alice@example.com", "bob@example.com"])
        #expect(emails(overridden) == ["admin@example.com"])
        let fromStdin = try await run(["--sandbox", "call", "team.list", "--params", "@-"], stdin: #"{"role":"admin"}"#)
        #expect(emails(fromStdin) == ["admin@example.com"])
    }

    @Test("bad usage and bad requests exit 2 with one line: error CODE: MESSAGE", arguments: [
        ([], -32600),
        (["team.list", "--sandbox"], -32600),
        (["team.list", "--params"], -32600),
        (["team.list", "--params", "3"], -32600),
        (["team.list", "--params", "{"], -32700),
        (["nope.nope"], -32601),
        (["team.get", "project_user_id"], -32602),
        (["team.list", "role=agent", "role=admin"], -32602),
        (["team.list", "--params", "@/nonexistent/params.json"], -32602),
        (["team.list", "--params", "[]", "role=agent"], -32602),
        (["team.get", "project_user_id=nope"], -32602),
    ] as [([String], Int)])
    func usageErrorsExitTwo(words: [String], code: Int) async throws {
        let shell = try await run(["--sandbox", "call"] + words)
        #expect(shell.status == 2)
        #expect(shell.stdout.isEmpty)
        #expect(shell.stderrLines.count == 1)
        #expect(shell.stderr.hasPrefix("error \(code): "), "\(shell.stderr)")
    }

    @Test func otherErrorsExitOne() async throws {
        let owner = try await run(["--sandbox", "call", "team.leave", "project_user_id=65f0000000000000000000b1"])
        #expect(owner.status == 1)
        #expect(owner.stdout.isEmpty)
        #expect(owner.stderrLines == ["error 403: refusing to disable the project's owner: ownership cannot be changed through this bridge"])
        let unreachable = try await run(["--api-url", "http://127.0.0.1:9", "--token", "t", "--retries", "0", "call", "user.get"])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.hasPrefix("error 503: "))
    }

    @Test func flagsAndEnvironmentBeforeCallConfigureIt() async throws {
        let other = try await run(["--sandbox", "--project-id", SandboxSeed.otherProjectID, "call", "team.list"])
        #expect(other.status == 1)
        #expect(other.stderr.hasPrefix("error 403: "))
        let fromEnvironment = try await run(["call", "team.me"], environment: ["TILEDESK_SANDBOX": "1", "TILEDESK_TOKEN": SandboxSeed.aliceToken])
        #expect(fromEnvironment.status == 0)
        #expect(fromEnvironment.json?["role"] == "agent")
        let badFlag = try await run(["--timeout", "soon", "call", "ping"])
        #expect(badFlag.status == 2)
        #expect(badFlag.stdout.isEmpty)
    }

    // MARK: doctor

    @Test func doctorReportsEachCheckAndExitsZeroWhenAllPass() async throws {
        let shell = try await run(["--sandbox", "--token", SandboxSeed.aliceToken, "doctor"])
        #expect(shell.status == 0)
        #expect(shell.stdout == """
            ok    api      sandbox (the embedded emulator, no network)
            ok    answers  yes
            ok    user     alice@example.com (Alice Agent, 65f0000000000000000000a3)
            ok    project  65f000000000000000000001 (Demo Support)
            ok    role     agent

            """)
    }

    @Test func doctorFailsForAProjectTheCallerIsNotIn() async throws {
        let shell = try await run(["--sandbox", "--project-id", SandboxSeed.otherProjectID, "doctor"])
        #expect(shell.status == 1)
        #expect(shell.stdout.contains("FAIL  project  65f000000000000000000002: you are not a member of it; yours: 65f000000000000000000001 (Demo Support)\n"))
        #expect(shell.stdout.contains("--    role     not checked"))
    }

    @Test func doctorFailsForRefusedCredentialsButSaysTheAPIAnswers() async throws {
        let shell = try await run(["--sandbox", "--token", "revoked", "doctor"])
        #expect(shell.status == 1)
        #expect(shell.stdout.contains("ok    answers  yes (HTTP 401)\n"))
        #expect(shell.stdout.contains("FAIL  user     401 "))
    }

    @Test func doctorFailsWhenTheAPIDoesNotAnswer() async throws {
        let shell = try await run(["--api-url", "http://127.0.0.1:9", "--token", "t", "--retries", "0", "doctor"])
        #expect(shell.status == 1)
        #expect(shell.stdout.hasPrefix("ok    api      http://127.0.0.1:9\nFAIL  answers  no: 503 "))
        #expect(shell.stdout.contains("--    user     not checked: the API does not answer\n"))
    }

    @Test func doctorFailsWithoutADefaultProjectAndListsTheCallersOwn() async throws {
        let server = LoopbackHTTPServer(pathPrefix: "/v3", handler: Sandbox(seeded: true).handle)
        try server.start()
        let shell = try await run(["--api-url", server.baseURL, "--token", SandboxSeed.ownerToken, "doctor"])
        #expect(shell.status == 1)
        #expect(shell.stdout.hasPrefix("ok    api      \(server.baseURL)\nok    answers  yes\nok    user     owner@example.com"))
        #expect(shell.stdout.contains("FAIL  project  none configured: set TILEDESK_PROJECT_ID or --project-id; yours: 65f000000000000000000001 (Demo Support)\n"))
    }

    @Test func doctorTakesNoArguments() async throws {
        let shell = try await run(["--sandbox", "doctor", "now"])
        #expect(shell.status == 2)
        #expect(shell.stderr.hasPrefix("error -32600: "))
    }
}
