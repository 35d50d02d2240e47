import Foundation
import JSONCore
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `tiledesk-emulator` binary SwiftPM built next to the test bundle, if any.
private let emulatorBinary: URL? = {
    var directories: [URL] = []
    #if os(Linux)
    directories.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent())
    #endif
    directories += Bundle.allBundles.filter { $0.bundlePath.hasSuffix(".xctest") }.map {
        $0.bundleURL.deletingLastPathComponent()
    }
    return directories.map { $0.appendingPathComponent("tiledesk-emulator") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

private func binary() throws -> URL {
    guard let emulatorBinary else { throw TestFailure("tiledesk-emulator is not built") }
    return emulatorBinary
}

/// A running `tiledesk-emulator` and the URL it printed.
private struct Launched: @unchecked Sendable {
    let process: Process
    let stdin: Pipe
    let url: String

    static func start(_ arguments: [String]) async throws -> Launched {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = stdout.fileHandleForReading
        let line = try await onThread { () -> String in
            var bytes: [UInt8] = []
            while bytes.last != UInt8(ascii: "\n") {
                let chunk = reader.readData(ofLength: 1)
                guard !chunk.isEmpty else { throw TestFailure("no URL printed") }
                bytes += chunk
            }
            return String(decoding: bytes.dropLast(), as: UTF8.self)
        }
        return Launched(process: process, stdin: stdin, url: line)
    }

    /// The exit status, waiting at most ten seconds.
    func exitStatus() async throws -> Int32 {
        let process = self.process
        return try await onThread {
            for _ in 0..<1000 where process.isRunning { usleep(10_000) }
            guard !process.isRunning else {
                process.terminate()
                throw TestFailure("still running")
            }
            return process.terminationStatus
        }
    }
}

@Suite(.enabled(if: emulatorBinary != nil, "tiledesk-emulator is not built next to the tests"))
struct ExecutableTests {
    @Test func printsItsURLServesAndExitsAtEndOfStdin() async throws {
        let faultsFile = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString).json")
        try Data(#"{"rules": [{"match": {"path": "/broken"}, "action": {"status": 503}}]}"#.utf8).write(to: faultsFile)
        defer { try? FileManager.default.removeItem(at: faultsFile) }

        let emulator = try await Launched.start(["--prefix", "/v3", "--rps", "500", "--burst", "20", "--faults", faultsFile.path])
        #expect(emulator.url.hasPrefix("http://127.0.0.1:"))
        #expect(emulator.url.hasSuffix("/v3"))
        let root = String(emulator.url.dropLast("/v3".count))
        let session = makeSession()
        defer { session.finishTasksAndInvalidate() }

        let faults = try await fetch(root + "/__emulator/faults", session: session)
        #expect(faults.json?["rate_limit"] == ["shape": "token-bucket", "rps": 500, "burst": 20, "retry_after": "seconds"])
        #expect(faults.json?["rules"]?.arrayValue?.count == 1)
        let broken = try await fetch(emulator.url + "/broken", session: session)
        #expect(broken.status == 503)
        let outside = try await fetch(root + "/elsewhere", session: session)
        #expect(outside.status == 404)
        // The real Sandbox answers: passport's bare 401, no Content-Type. Over a raw socket:
        // FoundationNetworking in Swift 6.3.1 never completes a delegate-less request answered 401
        // with WWW-Authenticate (swift-corelibs-foundation#5456).
        let port = try #require(UInt16(root.split(separator: ":").last.map(String.init) ?? ""))
        let unauthenticated = try await onThread { try rawGet("/v3/users", port: port) }
        #expect(unauthenticated.status == 401)
        #expect(unauthenticated.text == "Unauthorized")
        #expect(unauthenticated.headers["content-type"] == nil)
        #expect(unauthenticated.headers["www-authenticate"] != nil)
        let stats = try await fetch(root + "/__emulator/stats", session: session)
        #expect(stats.json?["requests"] == 3)
        #expect(stats.json?["log"]?.arrayValue?.last?["path"] == "/users")

        try emulator.stdin.fileHandleForWriting.close()
        #expect(try await emulator.exitStatus() == 0)
    }

    @Test func exitsZeroOnSIGTERM() async throws {
        let emulator = try await Launched.start(["--port", "0"])
        emulator.process.terminate()
        #expect(try await emulator.exitStatus() == 0)
        try? emulator.stdin.fileHandleForWriting.close()
    }

    /// Exit status and stderr of the emulator run with `arguments` (stdin closed at once).
    func run(_ arguments: [String]) async throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return try await onThread { () -> (Int32, String) in
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
    }

    @Test(arguments: [
        ["--rps", "fast"], ["--limiter", "fixed-window", "--rps", "3"], ["--limiter", "bucket", "--rps", "3"],
        ["--limit", "10"], ["--retry-after", "later", "--rps", "3"], ["--limiter", "token-bucket", "--rps", "3", "--nodelay"],
        // Taken as a bucket of 1 token, where the faults JSON refuses 0.
        ["--rps", "3", "--burst", "0"],
    ])
    func badFlagsExit2(_ arguments: [String]) async throws {
        #expect(try await run(arguments).status == 2)
    }

    /// It serves seeded accounts with no real authentication: only this machine may reach it
    /// unless asked otherwise.
    @Test(arguments: ["0.0.0.0", "192.168.1.10", "127.attacker.example", "localhost.example"])
    func aHostThatIsNotLoopbackIsRefused(_ host: String) async throws {
        let (status, stderr) = try await run(["--host", host])
        #expect(status == 2)
        #expect(stderr.contains("--allow-remote"))
    }

    /// `::1` is loopback too, and the usage offers it; the listener used to bind IPv4 only and
    /// exit 1 ("not an IPv4 address"). Its URL carries the address in brackets.
    @Test func servesOnIPv6Loopback() async throws {
        let emulator = try await Launched.start(["--host", "::1"])
        #expect(emulator.url.hasPrefix("http://[::1]:"), "\(emulator.url)")
        try emulator.stdin.fileHandleForWriting.close()
        #expect(try await emulator.exitStatus() == 0)
    }

    @Test func everyLimiterShapeFromTheCommandLine() async throws {
        let shapes: [([String], JSON)] = [
            (["--limiter", "sliding-window", "--limit", "10", "--window", "1", "--retry-after", "date"],
             ["shape": "sliding-window", "limit": 10, "window": 1, "retry_after": "date"]),
            (["--limiter", "fixed-window", "--limit", "200", "--window", "60", "--no-retry-after"],
             ["shape": "fixed-window", "limit": 200, "window": 60, "retry_after": "none"]),
            (["--limiter", "leaky-bucket", "--rps", "10", "--burst", "5"],
             ["shape": "leaky-bucket", "rps": 10, "burst": 5, "nodelay": false, "retry_after": "seconds"]),
        ]
        let session = makeSession()
        defer { session.finishTasksAndInvalidate() }
        for (arguments, expected) in shapes {
            let emulator = try await Launched.start(arguments)
            let faults = try await fetch(emulator.url + "/__emulator/faults", session: session)
            #expect(faults.json?["rate_limit"] == expected)
            try emulator.stdin.fileHandleForWriting.close()
            #expect(try await emulator.exitStatus() == 0)
        }
    }
}
