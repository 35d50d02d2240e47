import Foundation
import JSONCore
import Testing

/// What the bridge refuses before it reads a line: every one exits 2 with one line on stderr,
/// never repeating a secret.
@Suite struct StartupTests {
    static let ping = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#

    func refused(_ args: [String], environment: [String: String] = [:]) throws -> String {
        let out = try BridgeProcess.run(args, lines: [Self.ping], environment: environment)
        #expect(out.status == 2, "\(args): \(out.stderr)")
        #expect(out.lines.isEmpty, "nothing on stdout")
        #expect(out.stderr.split(separator: "\n").count == 1, "one line: \(out.stderr)")
        return out.stderr
    }

    /// Each of these crashed (SIGILL) converting to nanoseconds or sizing a buffer.
    @Test(arguments: [
        ["--timeout", "1e17"], ["--sandbox-latency", "1e11"], ["--max-line-bytes", "9223372036854775807"],
        ["--rate-limit-wait", "1e13"], ["--max-rate", "1e300"], ["--retries", "9223372036854775807"],
        ["--max-concurrency", "100000000"], ["--timeout", "nan"], ["--timeout", "0"],
    ])
    func hugeOrAbsurdNumbersAreRefused(_ flag: [String]) throws {
        let said = try refused(["--sandbox"] + flag)
        #expect(said.contains(flag[0]))
    }

    @Test func hugeNumbersFromTheEnvironmentToo() throws {
        _ = try refused(["--sandbox"], environment: ["TILEDESK_TIMEOUT": "1e17"])
    }

    @Test(arguments: ["http://user:hunter22@api.example.com/v3", "https://:hunter22@api.example.com/v3", "https://hunter22@api.example.com/v3"])
    func userinfoInTheAPIURLIsRefusedAndNeverShown(_ url: String) throws {
        let said = try refused(["--api-url", url, "--token", "t", "--allow-insecure-http"])
        #expect(!said.contains("hunter22"))
        #expect(said.contains("user name or password"))
    }

    @Test(arguments: ["https://api.example.com/v3?token=x", "https://api.example.com/v3#x"])
    func aQueryOrFragmentIsRefused(_ url: String) throws {
        #expect(try refused(["--api-url", url, "--token", "t"]).contains("query"))
    }

    /// Loopback is an IP literal in 127.0.0.0/8, ::1 or exactly localhost.
    @Test(arguments: ["http://127.attacker.example/v3", "http://localhost.attacker.example/v3", "http://127.0.0.1.nip.io/v3", "http://10.0.0.1/v3"])
    func plainHTTPToANameThatOnlyLooksLocalIsRefused(_ url: String) throws {
        #expect(try refused(["--api-url", url, "--token", "t"]).contains("not loopback"))
    }

    @Test(arguments: ["http://127.0.0.1:9/v3", "http://127.8.9.10:9/api", "http://localhost:9/v3", "http://[::1]:9/v3"])
    func plainHTTPToLoopbackStarts(_ url: String) throws {
        let out = try BridgeProcess.run(["--api-url", url, "--token", "t"], lines: [Self.ping])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.lines.first?["result"] == [:])
    }

    #if os(Linux)
    /// FoundationNetworking on Linux refuses a URL whose host is an IPv6 address (URLError -1000,
    /// before anything is sent). The bridge starts, as for any loopback URL, but says so at once,
    /// and a call's error names the cause instead of a bare "connection failed".
    @Test func anIPv6APIURLIsWarnedAboutAndItsFailureExplained() throws {
        let out = try BridgeProcess.run(["--api-url", "http://[::1]:9/v3", "--token", "t", "--retries", "0"],
                                        lines: [#"{"jsonrpc":"2.0","id":1,"method":"user.get"}"#])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stderr.contains("IPv6"), "\(out.stderr)")
        let message = out.lines.first?["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains("IPv6"), "\(out.lines)")
    }
    #endif

    @Test(arguments: ["abc\ndef", "abc\rdef", "JWT abc\r\nX-Injected: 1"])
    func aTokenWithALineBreakIsRefusedAndNeverShown(_ token: String) throws {
        let said = try refused(["--sandbox", "--token", token])
        #expect(!said.contains("abc") && !said.contains("def"))
        _ = try refused(["--sandbox"], environment: ["TILEDESK_TOKEN": token])
    }

    @Test func emailWithoutPasswordOrTheReverseNamesTheMissingOne() throws {
        #expect(try refused(["--sandbox"], environment: ["TILEDESK_EMAIL": "a@example.com"]).contains("TILEDESK_PASSWORD is not"))
        let said = try refused(["--sandbox"], environment: ["TILEDESK_PASSWORD": "hunter22"])
        #expect(said.contains("TILEDESK_EMAIL is not"))
        #expect(!said.contains("hunter22"))
    }

    /// The sandbox's delay stands for the network: the timeout cuts it like a slow server (504).
    @Test func sandboxLatencyIsCutByTheTimeout() throws {
        let out = try BridgeProcess.run(["--sandbox", "--sandbox-latency", "30", "--timeout", "0.2"],
                                        lines: [#"{"jsonrpc":"2.0","id":1,"method":"team.list"}"#])
        #expect(out.status == 0)
        #expect(out.lines.first?["error"]?["code"] == 504, "\(out.lines)")
    }
}
