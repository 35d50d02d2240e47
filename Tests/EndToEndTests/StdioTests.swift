import Foundation
import JSONCore
import Testing

/// The stdio transport of the built binary against the descriptors a parent may hand it:
/// non-blocking ones, a stdout nobody reads, a stdout on a full disk.
@Suite struct StdioTests {
    static func request(_ id: Int, _ method: String, _ params: String? = nil) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)""# + (params.map { #","params":\#($0)"# } ?? "") + "}"
    }

    @Test func aNonBlockingStdinWithNoDataYetIsNotTheEndOfInput() throws {
        let bridge = try BridgeProcess(["--sandbox"], nonBlocking: true)
        for id in 1...5 {
            bridge.send(Self.request(id, "ping"))
            #expect(bridge.read(1).first?["id"] == .number(JSONNumber(id)))
        }
        #expect(bridge.finish().status == 0)
    }

    @Test func aFullNonBlockingStdoutIsWaitedForAndEveryAnswerDelivered() throws {
        let bridge = try BridgeProcess(["--sandbox"], output: .unread, nonBlocking: true)
        for id in 0..<200 { bridge.send(Self.request(id, "team.list")) }  // about 3 KB each
        #expect(bridge.waitUntilStdoutPipeIsFull())
        bridge.startReadingStdout()
        let (status, lines) = bridge.finish()
        let ids = lines.compactMap { try? JSONParser.parse($0)["id"]?.intValue }
        #expect(status == 0)
        #expect(ids.count == 200 && Set(ids) == Set(0..<200))
    }

    @Test func aStdoutOnAFullDiskIsReportedAndExitsNonZero() throws {
        let bridge = try BridgeProcess(["--sandbox"], output: .file("/dev/full"))
        bridge.send(Self.request(1, "ping"))
        let (status, _) = bridge.finish()
        #expect(status == 1)
        #expect(bridge.stderrText.contains("cannot write to stdout (No space left on device)"), "\(bridge.stderrText)")
    }

    @Test func aClientThatStopsReadingStopsTheBridgeReadingWithMemoryBounded() throws {
        let bridge = try BridgeProcess(["--sandbox"], output: .unread)
        // team.list answers are about 3 KB: a few hundred fill what the bridge may hold.
        let messages = (0..<50_000).map { Array((Self.request($0, "team.list") + "\n").utf8) }
        let stopped = bridge.writeUntilStalled(messages)  // (a local, so a failure does not print all the requests)
        let stall = try #require(stopped, "the bridge read all 50,000 requests of a client that reads nothing")
        let rss = try #require(bridge.residentMegabytes())
        #expect(rss < 150, "resident \(rss) MB with \(stall.begun) requests read")
        bridge.startReadingStdout()
        bridge.write(Array(stall.unwritten))
        let (status, lines) = bridge.finish(timeout: 60)
        #expect(status == 0)
        #expect(lines.count == stall.begun)
    }

    @Test func cancelsAndPingGetThroughWithSixHundredRequestsOutstanding() throws {
        let bridge = try BridgeProcess(["--sandbox", "--sandbox-latency", "30"])
        for id in 0..<600 { bridge.send(Self.request(id, "team.list")) }
        bridge.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":0}}"#)  // running
        bridge.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":599}}"#)  // waiting for a slot
        bridge.send(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":598}}"#)  // MCP: no answer
        bridge.send(Self.request(1000, "ping"))
        let first = bridge.read(3, timeout: 20)
        #expect(Set(first.compactMap { $0["id"]?.intValue }) == [0, 599, 1000])
        #expect(first.filter { $0["id"] != 1000 }.allSatisfy { $0["error"]?["code"] == -32800 })
        kill(bridge.process.processIdentifier, SIGTERM)
        let (status, rest) = bridge.finish()
        let ids = rest.compactMap { try? JSONParser.parse($0)["id"]?.intValue }
        #expect(status == 0)
        #expect(ids.count == 597 && Set(ids) == Set(1..<598))
    }
}

extension BridgeProcess {
    /// Waits until the bridge's unread stdout pipe is full: it holds at least half its capacity
    /// and has not grown for a second (a full pipe holds somewhat less than its capacity, as the
    /// kernel fills a partly used page only with a write that fits in it whole).
    func waitUntilStdoutPipeIsFull(timeout: Double = 20) -> Bool {
        let fd = stdout.fileHandleForReading.fileDescriptor
        let capacity = fcntl(fd, 1032)  // F_GETPIPE_SZ, which Glibc's Swift module leaves out
        let deadline = Date().addingTimeInterval(timeout)
        var (waiting, seen, since): (Int32, Int32, Date) = (0, -1, Date())
        while Date() < deadline {
            guard ioctl(fd, UInt(FIONREAD), &waiting) == 0 else { return false }
            if waiting != seen { (seen, since) = (waiting, Date()) }
            if waiting >= capacity / 2, Date().timeIntervalSince(since) >= 1 { return true }
            usleep(10_000)
        }
        return false
    }

    /// Writes `messages` to stdin until the bridge stops reading it for `stall` seconds; returns
    /// how many messages were begun and the bytes of the last not yet written, or `nil` when
    /// every message went in without such a stop.
    func writeUntilStalled(_ messages: [[UInt8]], stall: Double = 3) -> (begun: Int, unwritten: ArraySlice<UInt8>)? {
        let fd = stdin.fileHandleForWriting.fileDescriptor
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(fd, F_SETFL, flags) }
        for (index, message) in messages.enumerated() {
            var rest = message[...]
            while !rest.isEmpty {
                let n = rest.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    rest = rest.dropFirst(n)
                    continue
                }
                guard errno == EAGAIN else { return nil }
                var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&entry, 1, Int32(stall * 1000)) == 0 { return (index + 1, rest) }
            }
        }
        return nil
    }

    /// The bridge's resident memory, from /proc.
    func residentMegabytes() -> Int? {
        let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        let line = status?.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line?.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 / 1024 }
    }
}
