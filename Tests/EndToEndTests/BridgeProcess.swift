import Foundation
import JSONCore
import Synchronization

/// Where the built `tiledesk-rpc` is: `TILEDESK_RPC_BIN`, else the debug build of this checkout.
let bridgeBinary: String = {
    if let bin = ProcessInfo.processInfo.environment["TILEDESK_RPC_BIN"], !bin.isEmpty { return bin }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    for config in ["debug", "release"] {
        let path = root.appendingPathComponent(".build/\(config)/tiledesk-rpc").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return root.appendingPathComponent(".build/debug/tiledesk-rpc").path
}()

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The bridge as a child process, driven line by line through its stdio, as a client would.
final class BridgeProcess: @unchecked Sendable {
    /// Where the bridge's stdout goes: a pipe read from the start, a pipe left unread until
    /// `startReadingStdout()` (a client that stops reading), or a file.
    enum Output {
        case read, unread
        case file(String)
    }

    let process = Process()
    let stdin = Pipe()
    let stdout = Pipe()
    private let stderr = Pipe()
    private let condition = NSCondition()
    private var outBuffer: [UInt8] = []
    private var outRaw: [UInt8] = []
    private var outLines: [[UInt8]] = []
    private var outClosed = false
    private var errBuffer: [UInt8] = []
    private var errClosed = false

    /// `nonBlocking`: the bridge's stdin and stdout come with O_NONBLOCK set, as some parents leave them.
    init(_ args: [String], environment: [String: String] = [:], output: Output = .read, nonBlocking: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: bridgeBinary)
        process.arguments = args
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        env.merge(environment) { _, b in b }
        process.environment = env
        process.standardInput = stdin
        process.standardError = stderr
        if case .file(let path) = output {
            process.standardOutput = FileHandle(forWritingAtPath: path)
            outClosed = true
        } else {
            process.standardOutput = stdout
        }
        if nonBlocking {
            for fd in [stdin.fileHandleForReading.fileDescriptor, stdout.fileHandleForWriting.fileDescriptor] {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            }
        }
        try process.run()
        if case .read = output { startReadingStdout() }
        startReader(stderr.fileHandleForReading.fileDescriptor) { [weak self] data in
            guard let self else { return }
            self.condition.lock()
            self.errBuffer.append(contentsOf: data)
            if data.isEmpty { self.errClosed = true }
            self.condition.unlock()
            self.condition.broadcast()
        }
    }

    func startReadingStdout() {
        startReader(stdout.fileHandleForReading.fileDescriptor) { [weak self] data in self?.receive(data) }
    }

    /// Reads a descriptor on its own thread with blocking read(2) until end of file; the last
    /// call gets an empty chunk.
    private func startReader(_ fd: Int32, _ deliver: @escaping @Sendable ([UInt8]) -> Void) {
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR { continue }
                if n <= 0 { deliver([]); return }
                deliver(Array(buffer[0..<n]))
            }
        }
        thread.start()
    }

    private func receive(_ data: [UInt8]) {
        condition.lock()
        defer { condition.unlock(); condition.broadcast() }
        if data.isEmpty {
            outClosed = true
            return
        }
        outBuffer.append(contentsOf: data)
        outRaw.append(contentsOf: data)
        while let newline = outBuffer.firstIndex(of: 0x0A) {
            outLines.append(Array(outBuffer[..<newline]))
            outBuffer.removeSubrange(...newline)
        }
    }

    /// Writes raw bytes to the bridge's stdin.
    func write(_ bytes: [UInt8]) { try? stdin.fileHandleForWriting.write(contentsOf: Data(bytes)) }
    /// Writes one line (a newline is added).
    func send(_ line: String) { write(Array((line + "\n").utf8)) }
    func send(_ value: JSON) { send(JSONWriter.string(value)) }

    /// Waits for `count` more stdout lines (raw), or fewer when the timeout passes.
    func readLines(_ count: Int, timeout: Double = 10) -> [[UInt8]] {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while outLines.count < count, !outClosed, condition.wait(until: deadline) {}
        let taken = Array(outLines.prefix(count))
        outLines.removeFirst(taken.count)
        return taken
    }

    /// Waits until all stdout so far (raw, nothing taken from it) satisfies `done`, or stdout
    /// closes, or the timeout passes; returns it.
    func rawOutput(timeout: Double = 10, until done: ([UInt8]) -> Bool) -> [UInt8] {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !done(outRaw), !outClosed, condition.wait(until: deadline) {}
        return outRaw
    }

    /// Reads `count` lines, each parsed as JSON (a line that does not parse fails the test run).
    func read(_ count: Int, timeout: Double = 10) -> [JSON] {
        readLines(count, timeout: timeout).map { line in
            (try? JSONParser.parse(line)) ?? .string("NOT JSON: " + String(decoding: line, as: UTF8.self))
        }
    }

    /// Closes stdin and waits for exit; returns the status and any lines written after that.
    func finish(timeout: Double = 20) -> (status: Int32, rest: [[UInt8]]) {
        try? stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        condition.lock()
        // Both streams to their end, so stdout and stderr hold everything the bridge wrote.
        let end = Date().addingTimeInterval(2)
        while !(outClosed && errClosed), condition.wait(until: end) {}
        let rest = outLines
        outLines.removeAll()
        condition.unlock()
        return (process.terminationStatus, rest)
    }

    var stderrText: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: errBuffer, as: UTF8.self)
    }

    /// Sends every line, closes stdin, and returns all output lines and the exit status.
    static func run(_ args: [String], lines: [String], environment: [String: String] = [:]) throws -> (lines: [JSON], status: Int32, stderr: String) {
        let bridge = try BridgeProcess(args, environment: environment)
        for line in lines { bridge.send(line) }
        let (status, rest) = bridge.finish()
        let parsed = rest.map { (try? JSONParser.parse($0)) ?? .string("NOT JSON: " + String(decoding: $0, as: UTF8.self)) }
        return (parsed, status, bridge.stderrText)
    }
}
