#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Testing
@testable import JSONRPC

/// The writer against a real pipe whose other end the test reads (or leaves full).
@Suite struct MessageWriterTests {
    final class Pipe: Sendable {
        let readEnd: Int32
        let writeEnd: Int32
        init() {
            var ends: [Int32] = [-1, -1]
            precondition(pipe(&ends) == 0)
            (readEnd, writeEnd) = (ends[0], ends[1])
        }
        /// Blocks until exactly `count` bytes have been read.
        func readExactly(_ count: Int) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: count)
            var got = 0
            while got < count {
                let n = out.withUnsafeMutableBytes { read(readEnd, $0.baseAddress! + got, count - got) }
                precondition(n > 0, "the writer's pipe closed early")
                got += n
            }
            return out
        }
        /// Reads what comes until `done` holds and nothing more is there (10 s at most).
        func readUntilQuiet(_ done: () -> Bool) -> [UInt8] {
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            for _ in 0..<1000 {
                var entry = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
                if poll(&entry, 1, 10) == 1 {
                    let n = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                    out += chunk[0..<max(n, 0)]
                } else if done() {
                    break
                }
            }
            return out
        }
        deinit {
            close(readEnd)
            close(writeEnd)
        }
    }

    @Test func answersAndNotificationsGoOutInTheSessionsFraming() {
        let pipe = Pipe()
        let writer = MessageWriter(fd: pipe.writeEnd)
        let answer = Array(#"{"jsonrpc":"2.0","id":1,"result":{}}"#.utf8)
        writer.write(answer)
        #expect(pipe.readExactly(answer.count + 1) == answer + [0x0A])
        writer.adopt(.lsp)
        let progress = Notification(method: "$/progress", params: ["token": 1]).bytes
        writer.write(progress)
        writer.write(answer)
        let expected = Array("Content-Length: \(progress.count)\r\n\r\n".utf8) + progress
            + Array("Content-Length: \(answer.count)\r\n\r\n".utf8) + answer
        #expect(pipe.readExactly(expected.count) == expected)
    }

    @Test func aFullNonBlockingPipeIsWaitedForNotTakenForAFailure() {
        let pipe = Pipe()
        _ = fcntl(pipe.writeEnd, F_SETFL, fcntl(pipe.writeEnd, F_GETFL) | O_NONBLOCK)
        let drained = DispatchSemaphore(value: 0)
        let writer = MessageWriter(fd: pipe.writeEnd, roomBytes: 4096, onProgress: { drained.signal() })
        let messages = (0..<300).map { i in Array("{\"i\":\(i),\"pad\":\"\(String(repeating: "x", count: 1000))\"}".utf8) }
        for message in messages { writer.write(message) }
        #expect(!writer.hasRoom)  // far more than a pipe holds is waiting
        let expected: [UInt8] = messages.flatMap { $0 + [UInt8(0x0A)] }
        #expect(pipe.readExactly(expected.count) == expected)
        for _ in 0..<100 where !writer.isDrained { _ = drained.wait(timeout: .now() + 0.1) }
        #expect(writer.isDrained && writer.hasRoom)
    }

    @Test func abandoningFinishesTheChunkBeingWrittenAndDropsTheRest() {
        let pipe = Pipe()
        let writer = MessageWriter(fd: pipe.writeEnd)
        let messages = (0..<300).map { i in Array("{\"i\":\(i),\"pad\":\"\(String(repeating: "x", count: 1000))\"}".utf8) }
        for message in messages { writer.write(message) }
        var out = pipe.readExactly(1)  // the writer is under way, and soon stuck on the full pipe
        writer.abandonQueued()
        writer.write(messages[0])  // dropped too
        out += pipe.readUntilQuiet { writer.isDrained }
        let lines = out.split(separator: 0x0A).map(Array.init)
        #expect(!lines.isEmpty && lines.count < messages.count)
        #expect(lines == Array(messages.prefix(lines.count)))
        #expect(out.last == 0x0A)
    }
}
