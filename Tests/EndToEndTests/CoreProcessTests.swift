import Foundation
import JSONCore
import Testing

/// The core through the built binary: framing, concurrency, lifecycle, flags.
@Suite struct CoreProcessTests {
    @Test func pingAnswersEmptyObject() throws {
        let out = try BridgeProcess.run([], lines: [#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#])
        #expect(out.status == 0)
        #expect(out.lines == [["jsonrpc": "2.0", "id": 1, "result": [:]]])
    }

    @Test func crlfBlankLinesOversizeAndInvalidUTF8() throws {
        let bridge = try BridgeProcess(["--sandbox", "--max-line-bytes", "100"])
        bridge.write(Array("\r\n\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n".utf8))
        bridge.write(Array(("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":{\"pad\":\"" + String(repeating: "x", count: 500) + "\"}}\n").utf8))
        bridge.write(Array("{\"jsonrpc\":\"2.0\",\"id\":\"".utf8) + [0xC3, 0x28] + Array("\",\"method\":\"ping\"}\n".utf8))
        bridge.write(Array("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}".utf8))  // last line, no newline
        let (status, lines) = bridge.finish()
        let parsed = lines.map { try? JSONParser.parse($0) }
        #expect(status == 0)
        #expect(parsed.count == 4)
        #expect(parsed[0] == ["jsonrpc": "2.0", "id": 1, "result": [:]])
        #expect(parsed[1]?["error"]?["code"] == -32600 && parsed[1]?["id"] == .null)
        #expect(parsed[2]?["error"]?["code"] == -32700 && parsed[2]?["id"] == .null)
        #expect(parsed[3] == ["jsonrpc": "2.0", "id": 4, "result": [:]])
    }

    @Test func tenThousandPipelinedRequestsAreAnsweredOnceEach() throws {
        let lines = (0..<10_000).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"ping"}"# }
        let out = try BridgeProcess.run(["--sandbox"], lines: lines)
        let ids = out.lines.compactMap { $0["id"]?.intValue }
        #expect(out.status == 0)
        #expect(ids.count == 10_000)
        #expect(Set(ids) == Set(0..<10_000))
    }

    @Test func endOfInputFinishesRequestsInFlight() throws {
        let lines = (0..<5).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"team.list"}"# }
        let started = Date()
        let out = try BridgeProcess.run(["--sandbox", "--sandbox-latency", "0.5"], lines: lines)
        #expect(out.status == 0)
        #expect(out.lines.count == 5)
        #expect(out.lines.allSatisfy { $0["result"]?.arrayValue != nil })
        #expect(Date().timeIntervalSince(started) >= 0.5)
    }

    @Test func sigtermStopsAfterAGracePeriodAnsweringEveryRequest() throws {
        let bridge = try BridgeProcess(["--sandbox", "--sandbox-latency", "30"])
        bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"team.list"}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#)
        #expect(bridge.read(1).first?["id"] == 2)
        kill(bridge.process.processIdentifier, SIGTERM)
        let started = Date()
        bridge.process.waitUntilExit()
        #expect(bridge.process.terminationStatus == 0)
        #expect(Date().timeIntervalSince(started) < 10)
        let (_, rest) = bridge.finish()
        let last = rest.compactMap { try? JSONParser.parse($0) }
        #expect(last.count == 1 && last.first?["error"]?["code"] == -32800 && last.first?["id"] == 1)
    }

    @Test func aClosedStdoutEndsTheProcessQuietly() throws {
        // `head -n 1` reads one answer, then closes the pipe; the bridge must exit without a crash report.
        let script = "(i=0; while [ $i -lt 2000 ]; do echo '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}'; i=$((i+1)); done; sleep 1) | \"\(bridgeBinary)\" --sandbox 2>/tmp/tiledesk-rpc-epipe.err | head -n 1; echo \"status=${PIPESTATUS[1]}\""
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(output.contains("status=0"), "\(output)")
        let stderr = (try? String(contentsOfFile: "/tmp/tiledesk-rpc-epipe.err", encoding: .utf8)) ?? ""
        #expect(!stderr.contains("Fatal") && !stderr.contains("backtrace") && !stderr.contains("Crash"))
    }

    @Test("bad flags exit 2 with one line before reading stdin", arguments: [
        ["--bogus"], ["--timeout", "abc"], ["--retries", "-1"], ["--log-level", "loud"], ["--project-id", "nothex"],
        ["--api-url", "http://example.com/v3"], ["--max-concurrency", "0"], ["--api-url"], ["--framing", "xml"],
    ])
    func badFlags(_ args: [String]) throws {
        let out = try BridgeProcess.run(args, lines: [#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#])
        #expect(out.status == 2)
        #expect(out.lines.isEmpty)
        #expect(out.stderr.split(separator: "\n").count == 1)
    }

    @Test func badEnvironmentExits2() throws {
        let out = try BridgeProcess.run([], lines: [], environment: ["TILEDESK_TIMEOUT": "soon"])
        #expect(out.status == 2)
    }

    @Test func helpAndVersionPrintAndExit0() throws {
        let help = try BridgeProcess(["--help"])
        let helpOut = help.finish()
        #expect(helpOut.status == 0)
        #expect(helpOut.rest.contains { String(decoding: $0, as: UTF8.self).contains("--sandbox") })
        let version = try BridgeProcess(["--version"])
        let versionOut = version.finish()
        #expect(versionOut.status == 0)
        #expect(String(decoding: versionOut.rest.first ?? [], as: UTF8.self).hasPrefix("tiledesk-rpc "))
    }

    @Test func insecureHTTPIsAllowedWithTheFlagAndForLoopback() throws {
        for args in [["--api-url", "http://example.com/v3", "--allow-insecure-http"], ["--api-url", "http://127.0.0.1:9/api"]] {
            let out = try BridgeProcess.run(args, lines: [#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#])
            #expect(out.status == 0)
            #expect(out.lines.count == 1)
        }
    }

    /// 100,000 seeded, reproducible lines: valid requests among garbage, truncated JSON, huge
    /// and fractional numbers, deep nesting, invalid UTF-8 and oversize lines.
    @Test func fuzzedInputNeverBreaksTheStream() throws {
        var rng = SplitMix64(seed: 20261126)
        var input: [UInt8] = []
        var expectedIDs = Set<String>()
        let valid = [
            #"{"jsonrpc":"2.0","id":ID,"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":ID,"method":"team.get","params":{"project_user_id":"65f0000000000000000000b3"}}"#,
            #"{"jsonrpc":"2.0","id":ID,"method":"user.get"}"#,
            #"{"jsonrpc":"2.0","id":ID,"method":"nope"}"#,
            #"{"jsonrpc":"2.0","id":ID,"method":"team.get","params":{"project_user_id":"bad"}}"#,
        ]
        for i in 0..<100_000 {
            switch rng.next() % 10 {
            case 0, 1, 2, 3:
                let id = rng.next() % 2 == 0 ? "\(i)" : "\"s\(i)\""
                expectedIDs.insert(id)
                input += Array(valid[Int(rng.next() % UInt64(valid.count))].replacingOccurrences(of: "ID", with: id).utf8)
            case 4:
                let line = Array(valid[0].replacingOccurrences(of: "ID", with: "\(i)").utf8)
                input += line.prefix(Int(rng.next() % UInt64(line.count)))
            case 5:
                input += (0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next() % 255) + 1 }.filter { $0 != 0x0A }
            case 6:
                input += Array("{\"jsonrpc\":\"2.0\",\"id\":\(rng.next())\(rng.next())\(rng.next()).5e3,\"method\":1}".utf8)
            case 7:
                let depth = Int(rng.next() % 2000)
                input += Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
            case 8:
                input += [0x7B, 0x22, 0xFF, 0xC0, 0x80, 0x22, 0x7D]
            default:
                input += Array(repeating: UInt8(ascii: "a"), count: 2000 + Int(rng.next() % 3000))
            }
            input.append(0x0A)
        }
        let bridge = try BridgeProcess(["--sandbox", "--max-line-bytes", "4096"])
        bridge.write(input)
        let (status, lines) = bridge.finish(timeout: 120)
        #expect(status == 0)
        var seen: [String: Int] = [:]
        var invalid = 0
        for line in lines {
            guard let value = try? JSONParser.parse(line) else { invalid += 1; continue }
            let members = value.arrayValue ?? [value]
            for member in members {
                guard member["jsonrpc"] == "2.0", let id = member["id"] else { invalid += 1; continue }
                if !id.isNull { seen[JSONWriter.string(id), default: 0] += 1 }
            }
        }
        #expect(invalid == 0)
        #expect(expectedIDs.isSubset(of: Set(seen.keys)))
        #expect(expectedIDs.allSatisfy { seen[$0] == 1 })
        #expect(bridge.stderrText.isEmpty || !bridge.stderrText.contains("Fatal"))
    }
}

/// A small, seeded, reproducible generator.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
