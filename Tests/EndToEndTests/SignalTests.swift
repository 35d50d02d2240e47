import Foundation
import JSONCore
import Testing

/// SIGTERM through the built binary: every accepted request is answered once, a line is written
/// whole or not at all, and a stdout nobody reads does not hold the process past its grace.
@Suite struct SignalTests {
    static func teamList(_ id: Int) -> String { #"{"jsonrpc":"2.0","id":\#(id),"method":"team.list"}"# }
    static let ping = #"{"jsonrpc":"2.0","id":"after","method":"ping"}"#

    /// Sends SIGTERM and waits (bounded) for the exit; returns the status, `nil` if still running.
    static func terminate(_ bridge: BridgeProcess, within seconds: Double = 15) -> Int32? {
        kill(bridge.process.processIdentifier, SIGTERM)
        return waitForExit(bridge, upTo: seconds)
    }

    static func waitForExit(_ bridge: BridgeProcess, upTo seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while bridge.process.isRunning, Date() < deadline { usleep(10_000) }
        return bridge.process.isRunning ? nil : bridge.process.terminationStatus
    }

    @Test func aThousandMemberBatchGetsItsOneArrayOfAnswers() throws {
        let bridge = try BridgeProcess(["--sandbox", "--sandbox-latency", "30"])
        bridge.send("[" + (0..<1000).map(Self.teamList).joined(separator: ",") + "]")
        bridge.send(Self.ping)
        #expect(bridge.read(1, timeout: 20).first?["id"] == "after")  // the whole batch was read
        #expect(Self.terminate(bridge) == 0)
        let rest = bridge.finish().rest.compactMap { try? JSONParser.parse($0) }
        let batch = try #require(rest.first?.arrayValue)
        #expect(rest.count == 1)
        #expect(batch.count == 1000 && Set(batch.compactMap { $0["id"]?.intValue }) == Set(0..<1000))
        #expect(batch.allSatisfy { $0["error"]?["code"] == -32800 })
    }

    @Test func moreSingleRequestsThanCanRunAreEachAnsweredOnce() throws {
        let bridge = try BridgeProcess(["--sandbox", "--sandbox-latency", "30"])
        for id in 0..<513 { bridge.send(Self.teamList(id)) }
        bridge.send(Self.ping)
        #expect(bridge.read(1, timeout: 20).first?["id"] == "after")
        #expect(Self.terminate(bridge) == 0)
        let rest = bridge.finish().rest.compactMap { try? JSONParser.parse($0) }
        #expect(rest.count == 513 && Set(rest.compactMap { $0["id"]?.intValue }) == Set(0..<513))
        #expect(rest.allSatisfy { $0["error"]?["code"] == -32800 })
    }

    @Test func anAnswerHalfWrittenAtSIGTERMIsFinishedNotCutOff() throws {
        let bridge = try BridgeProcess(["--sandbox"], output: .unread)
        for id in 0..<50 { bridge.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"rpc.discover"}"#) }  // 40 KB answers
        #expect(bridge.waitUntilStdoutPipeIsFull())  // the bridge is stuck inside an answer
        kill(bridge.process.processIdentifier, SIGTERM)
        // The old bridge exited at once, leaving the answer cut; within its grace the bridge
        // must still be there to finish it when the client reads on.
        #expect(Self.waitForExit(bridge, upTo: 1) == nil)
        bridge.startReadingStdout()
        let raw = bridge.rawOutput(timeout: 20) { _ in false }  // all of it, up to the close
        #expect(bridge.finish().status == 0)
        #expect(raw.last == 0x0A)
        let lines = raw.split(separator: 0x0A)
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { (try? JSONParser.parse(Array($0)))?["result"]?["openrpc"] != nil })
    }

    @Test func aStdoutNobodyReadsDoesNotHoldTheProcessPastItsGrace() throws {
        let bridge = try BridgeProcess(["--sandbox"], output: .unread)
        for id in 0..<300 { bridge.send(Self.teamList(id)) }  // about 3 KB of answer each
        #expect(bridge.waitUntilStdoutPipeIsFull())
        #expect(Self.terminate(bridge) == 0)
        bridge.startReadingStdout()
        _ = bridge.finish()
        #expect(bridge.stderrText.contains("stdout is not being read"))
    }
}
