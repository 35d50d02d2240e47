// tiledesk-emulator: serves an emulated Tiledesk API over loopback HTTP, with injected faults,
// for end-to-end tests and benchmarks of the bridge's real network path.
//
// Prints one line, the API root (`http://127.0.0.1:PORT/prefix`), then serves until stdin
// reaches end of file or SIGTERM/SIGINT arrives, and exits 0. Control endpoints at the root:
// GET /__emulator/stats, GET|POST /__emulator/faults, POST /__emulator/reset.

import Dispatch
import EmulatorServer
import Foundation
import HTTPCore
import JSONCore
import TiledeskAPI
import TiledeskSandbox

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let usage = """
    usage: tiledesk-emulator [--host H] [--port N] [--prefix P] [--faults FILE] [--unseeded]
                             [--limiter SHAPE --rps R | --limit N --window S [--burst B] [--nodelay]
                              [--retry-after seconds|date|none]] [--log-limit N] [--ignore-stdin]

      --host H          address to bind: 127.0.0.1 (default), another 127.x.y.z, ::1 or localhost
      --allow-remote    also allow a host that is not loopback (anyone who reaches the emulator can
                        sign in as its seeded users)
      --port N          port (default 0: an ephemeral port)
      --prefix P        API root path, e.g. /api or /v3 (default none)
      --limiter SHAPE   a rate limit from the start, shared by every request:
                          token-bucket   --rps R [--burst B]    (B tokens, default R rounded up)
                          leaky-bucket   --rps R [--burst B] [--nodelay]  (nginx limit_req; burst default 0)
                          fixed-window   --limit N --window S   (N per window, from its first request)
                          sliding-window --limit N --window S   (N in any S seconds)
                        --rps alone means a token bucket
      --retry-after F   how a 429 says when to come back: seconds (default), date or none
      --no-retry-after  the same as --retry-after none
      --faults FILE     faults to start with: the JSON body of POST /__emulator/faults
      --unseeded        start with no data (default: the sandbox seed of protocol/sandbox.md)
      --log-limit N     requests kept in the log (default 10000)
      --ignore-stdin    keep serving at end of stdin (stop with SIGTERM or SIGINT)

    Prints the API root URL on one line, then serves until stdin ends or SIGTERM/SIGINT.
    """

struct Options {
    var host = "127.0.0.1"
    var allowRemote = false
    var port: UInt16 = 0
    var prefix = ""
    var limiter: String?
    var rps: Double?
    var burst: Int?
    var limit: Int?
    var window: Double?
    var nodelay = false
    var retryAfter: RetryAfterStyle?
    var faultsFile: String?
    var seeded = true
    var logLimit = 10_000
    var ignoreStdin = false

    /// The rate limit the flags ask for, if any; a combination that makes no sense exits 2.
    func rateLimit() -> RateLimit? {
        let style = retryAfter ?? .seconds
        guard let shape = limiter ?? (rps != nil ? "token-bucket" : nil) else {
            if burst != nil || limit != nil || window != nil || nodelay || retryAfter != nil {
                fail("--burst, --limit, --window, --nodelay and --retry-after need --limiter (or --rps)")
            }
            return nil
        }
        guard LimiterShape.names.contains(shape) else {
            fail("--limiter: expected one of \(LimiterShape.names.joined(separator: ", ")), not \(shape)")
        }
        if shape.hasSuffix("window") {
            guard let limit, let window, rps == nil, burst == nil, !nodelay else { fail("--limiter \(shape) takes --limit N and --window S") }
            return RateLimit(shape == "fixed-window" ? .fixedWindow(limit: limit, seconds: window) : .slidingWindow(limit: limit, seconds: window),
                             retryAfter: style)
        }
        guard let rps, limit == nil, window == nil else { fail("--limiter \(shape) takes --rps R and optionally --burst B") }
        if shape == "leaky-bucket" { return RateLimit(.leakyBucket(rate: rps, burst: burst ?? 0, delay: !nodelay), retryAfter: style) }
        if nodelay { fail("--nodelay is for --limiter leaky-bucket") }
        // A bucket of no tokens would refuse everything (the faults JSON refuses it too).
        if burst == 0 { fail("--burst: a token bucket holds at least 1 token (0 is for --limiter leaky-bucket)") }
        return RateLimit(.tokenBucket(rate: rps, burst: burst ?? LimiterShape.defaultBurst(rate: rps)), retryAfter: style)
    }
}

func fail(_ message: String, status: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("tiledesk-emulator: \(message)\n".utf8))
    exit(status)
}

func parseOptions(_ arguments: [String]) -> Options {
    var options = Options()
    var index = 0
    func value(_ flag: String, inline: String?) -> String {
        if let inline { return inline }
        index += 1
        guard index < arguments.count else { fail("\(flag) needs a value") }
        return arguments[index]
    }
    while index < arguments.count {
        var flag = arguments[index]
        var inline: String?
        if flag.hasPrefix("--"), let equals = flag.firstIndex(of: "=") {
            inline = String(flag[flag.index(after: equals)...])
            flag = String(flag[..<equals])
        }
        switch flag {
        case "--help", "-h":
            print(usage)
            exit(0)
        case "--host":
            options.host = value(flag, inline: inline)
        case "--allow-remote":
            options.allowRemote = true
        case "--port":
            let text = value(flag, inline: inline)
            guard let port = UInt16(text) else { fail("--port: not a port number: \(text)") }
            options.port = port
        case "--prefix":
            options.prefix = value(flag, inline: inline)
        case "--limiter":
            options.limiter = value(flag, inline: inline)
        case "--rps":
            let text = value(flag, inline: inline)
            guard let rps = Double(text), rps.isFinite, rps > 0, rps <= 1e6 else { fail("--rps: expected a number from 0 to 1000000: \(text)") }
            options.rps = rps
        case "--burst":
            let text = value(flag, inline: inline)
            guard let burst = Int(text), burst >= 0, burst <= 1_000_000 else { fail("--burst: expected an integer from 0 to 1000000: \(text)") }
            options.burst = burst
        case "--limit":
            let text = value(flag, inline: inline)
            guard let limit = Int(text), limit >= 1, limit <= 1_000_000 else { fail("--limit: expected an integer from 1 to 1000000: \(text)") }
            options.limit = limit
        case "--window":
            let text = value(flag, inline: inline)
            guard let window = Double(text), window.isFinite, window > 0, window <= 86_400 else { fail("--window: expected seconds from 0 to 86400: \(text)") }
            options.window = window
        case "--nodelay":
            options.nodelay = true
        case "--retry-after":
            let text = value(flag, inline: inline)
            guard let style = RetryAfterStyle(rawValue: text) else { fail("--retry-after: expected seconds, date or none: \(text)") }
            options.retryAfter = style
        case "--no-retry-after":
            options.retryAfter = RetryAfterStyle.none
        case "--faults":
            options.faultsFile = value(flag, inline: inline)
        case "--unseeded":
            options.seeded = false
        case "--log-limit":
            let text = value(flag, inline: inline)
            guard let limit = Int(text), limit >= 0 else { fail("--log-limit: expected an integer >= 0: \(text)") }
            options.logLimit = limit
        case "--ignore-stdin":
            options.ignoreStdin = true
        default:
            fail("unknown argument \(arguments[index]) (see --help)")
        }
        index += 1
    }
    if !options.allowRemote, !Loopback.isLoopback(options.host) {
        fail("--host \(options.host) is not a loopback address; pass --allow-remote to serve it anyway")
    }
    _ = options.rateLimit()  // reports a bad combination before serving
    return options
}

/// Serves until end of stdin or SIGTERM/SIGINT. A plain function, not top-level code: closures
/// formed at the top level of main.swift are main-actor isolated, and the signal handlers below
/// run on a Dispatch queue.
func runEmulator() -> Never {
    let options = parseOptions(Array(CommandLine.arguments.dropFirst()))

    var faults = FaultConfig()
    if let file = options.faultsFile {
        guard let data = FileManager.default.contents(atPath: file) else { fail("--faults: cannot read \(file)") }
        do {
            faults = try FaultConfig(json: try JSONParser.parse(Array(data)))
        } catch let error as JSONParseError {
            fail("--faults: \(file): invalid JSON: \(error)")
        } catch {
            fail("--faults: \(file): \(error)")
        }
    }
    if let limit = options.rateLimit() { faults.rateLimit = limit }

    let emulator = Sandbox(seeded: options.seeded)
    let handler: LoopbackHTTPServer.Handler = { emulator.handle($0) }

    let server = LoopbackHTTPServer(
        host: options.host, port: options.port, pathPrefix: options.prefix, logLimit: options.logLimit, handler: handler)
    server.faults.set(faults)

    signal(SIGPIPE, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    signal(SIGINT, SIG_IGN)
    let finished = DispatchSemaphore(value: 0)
    let signalSources = [SIGTERM, SIGINT].map { signalNumber in
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler { finished.signal() }
        source.resume()
        return source
    }

    do {
        try server.start()
    } catch {
        fail("cannot serve on \(options.host):\(options.port): \(error)", status: 1)
    }
    print(server.baseURL)
    fflush(nil)  // flushes every output stream, stdout included

    if !options.ignoreStdin {
        // A plain thread: a blocking read must not occupy a Dispatch or Swift concurrency worker.
        let reader = Thread {
            var scratch = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = scratch.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if count > 0 || (count < 0 && errno == EINTR) { continue }
                break
            }
            finished.signal()
        }
        reader.start()
    }

    finished.wait()
    server.stop()
    withExtendedLifetime(signalSources) {}
    exit(0)
}

runEmulator()
