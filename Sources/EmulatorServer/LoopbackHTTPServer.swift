import HTTPCore
import JSONCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 server on a loopback address that serves any request handler, with
/// injected faults, statistics and a request log: the emulated Tiledesk server the bridge's real
/// URLSession path is tested and benchmarked against.
///
/// One accept thread and one OS thread per connection (never the Swift concurrency pool, which
/// the handler and injected delays would block). Keep-alive and pipelining, `Content-Length` and
/// chunked request bodies, `Expect: 100-continue`; every response carries `Content-Length`.
///
/// Requests under `pathPrefix` reach the handler with the prefix removed (`/api/users?x=1` →
/// `/users?x=1`); others are answered 404. Control endpoints live at the root, outside the prefix:
/// `GET /__emulator/stats`, `GET|POST /__emulator/faults`, `POST /__emulator/reset`.
public final class LoopbackHTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    /// The address bound (an IPv4 literal, e.g. `127.0.0.2`, or `localhost`).
    public let host: String
    /// The prefix requests must be under, normalized (`/api`, or empty).
    public let pathPrefix: String
    /// The faults injected; change them at any time.
    public let faults: FaultInjector
    private let core: ServerCore

    /// - Parameters:
    ///   - port: 0 for an ephemeral port.
    ///   - pathPrefix: e.g. `/api` or `/v3`; empty for none.
    ///   - logLimit: requests kept in the log; older ones are dropped first.
    ///   - idleTimeout: seconds an idle connection is kept open.
    public init(
        host: String = "127.0.0.1", port: UInt16 = 0, pathPrefix: String = "", logLimit: Int = 10_000,
        idleTimeout: Double = 300, handler: @escaping Handler
    ) {
        var prefix = pathPrefix
        while prefix.hasSuffix("/") { prefix.removeLast() }
        if !prefix.isEmpty, !prefix.hasPrefix("/") { prefix = "/" + prefix }
        self.host = host
        self.pathPrefix = prefix
        self.faults = FaultInjector()
        self.core = ServerCore(
            host: host, port: port, pathPrefix: prefix, handler: handler, faults: faults,
            stats: Statistics(logLimit: logLimit), idleTimeout: idleTimeout)
    }

    deinit { core.stop() }

    /// Binds and starts serving; returns the bound port. Calling it again while serving returns
    /// the same port; after `stop()` it binds anew.
    @discardableResult
    public func start() throws -> UInt16 { try core.start() }

    /// Stops accepting, closes every connection and returns once they are closed (waiting at most
    /// about two seconds for a handler that is still running).
    public func stop() { core.stop() }

    /// The bound port while serving; the port asked for otherwise.
    public var port: UInt16 { core.port }

    /// `http://HOST:PORT/prefix`, the API root to give a client.
    public var baseURL: String { rootURL + pathPrefix }

    /// `http://HOST:PORT`, where the control endpoints are.
    public var rootURL: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Counters and the request log (`GET /__emulator/stats`).
    public func stats(includeLog: Bool = true) -> EmulatorStats { core.stats.snapshot(includeLog: includeLog) }

    /// Clears counters, log and faults (`POST /__emulator/reset`).
    public func reset() { core.reset() }
}

/// The server's state and threads; the public object only fronts it, so dropping the last
/// reference to the server stops it even while its threads run.
final class ServerCore: Sendable {
    enum Outcome {
        case keepOpen
        case close
        /// Close at once, no response (or a broken one).
        case abort
    }

    private struct State {
        var listenFD: Int32 = -1
        var wakeRead: Int32 = -1
        var wakeWrite: Int32 = -1
        var boundPort: UInt16 = 0
        var accepting = false
        var connections: Set<Int32> = []
    }

    let host: String
    let requestedPort: UInt16
    let pathPrefix: String
    let handler: LoopbackHTTPServer.Handler
    let faults: FaultInjector
    let stats: Statistics
    let idleTimeout: Double
    private let state = Mutex(State())
    private let running = Atomic<Bool>(false)

    init(
        host: String, port: UInt16, pathPrefix: String, handler: @escaping LoopbackHTTPServer.Handler, faults: FaultInjector,
        stats: Statistics, idleTimeout: Double
    ) {
        self.host = host
        self.requestedPort = port
        self.pathPrefix = pathPrefix
        self.handler = handler
        self.faults = faults
        self.stats = stats
        self.idleTimeout = idleTimeout
    }

    var port: UInt16 { state.withLock { $0.accepting ? $0.boundPort : requestedPort } }
    var isRunning: Bool { running.load(ordering: .acquiring) }

    func reset() {
        stats.reset()
        faults.clear()
    }

    // MARK: - Lifecycle

    func start() throws(EmulatorServerError) -> UInt16 {
        let (port, listenFD, wakeRead, started) = try state.withLock { state throws(EmulatorServerError) in
            if state.accepting { return (state.boundPort, Int32(-1), Int32(-1), false) }
            let (fd, port) = try Socket.listen(host: host, port: requestedPort)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            guard let wake = Socket.makeWakeChannel() else {
                let message = Socket.errorText("socketpair")
                close(fd)
                throw EmulatorServerError(message)
            }
            state.listenFD = fd
            state.wakeRead = wake.read
            state.wakeWrite = wake.write
            state.boundPort = port
            state.accepting = true
            return (port, fd, wake.read, true)
        }
        if started {
            running.store(true, ordering: .releasing)
            Socket.spawnThread(name: "emu-accept") { [self] in acceptLoop(listenFD: listenFD, wakeRead: wakeRead) }
        }
        return port
    }

    func stop() {
        running.store(false, ordering: .releasing)
        state.withLock { state in
            if state.accepting, state.wakeWrite >= 0 {
                var byte: UInt8 = 1
                _ = send(state.wakeWrite, &byte, 1, Socket.noSignal)
            }
            // Under the lock: a connection's thread removes its descriptor before closing it,
            // so this never touches a descriptor that has been reused.
            for fd in state.connections { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        for _ in 0..<1000 {
            if state.withLock({ !$0.accepting && $0.connections.isEmpty }) { return }
            Socket.sleep(seconds: 0.002)
        }
    }

    private func acceptLoop(listenFD: Int32, wakeRead: Int32) {
        var fds = [
            pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
        ]
        while isRunning {
            fds[0].revents = 0
            fds[1].revents = 0
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if fds[1].revents != 0 { break }
            if fds[0].revents & Int16(POLLERR | POLLNVAL) != 0 { break }
            let fd = Socket.acceptConnection(listenFD)
            if fd < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK, ECONNABORTED, EINTR, EPROTO, EPERM:
                    continue  // the client gave up first, or a spurious wake-up
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    Socket.sleep(seconds: 0.01)  // out of descriptors: let connections close
                    continue
                default:
                    break
                }
                break
            }
            Socket.configureConnection(fd, idleTimeout: idleTimeout)
            stats.connectionAccepted()
            let admitted = state.withLock { state in
                guard isRunning else { return false }
                state.connections.insert(fd)
                return true
            }
            guard admitted else {
                close(fd)
                break
            }
            Socket.spawnThread(name: "emu-conn") { [self] in
                serve(fd)
                state.withLock { state in
                    state.connections.remove(fd)
                    // shutdown first: the peer sees the close even if a spawned process inherited a copy.
                    shutdown(fd, Int32(SHUT_RDWR))
                    close(fd)
                }
            }
        }
        state.withLock { state in
            close(state.listenFD)
            close(state.wakeRead)
            close(state.wakeWrite)
            state.listenFD = -1
            state.wakeRead = -1
            state.wakeWrite = -1
            state.accepting = false
        }
    }

    // MARK: - Connections

    private func serve(_ fd: Int32) {
        var parser = HTTPRequestParser()
        let capacity = 32 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            do {
                while let event = try parser.next() {
                    switch event {
                    case .expectContinue:
                        guard Socket.sendAll(fd, ResponseWriter.continueHead) else { return }
                    case .request(let request):
                        switch respond(to: request, fd: fd) {
                        case .keepOpen: continue
                        case .close:
                            Socket.lingeringClose(fd)
                            return
                        case .abort: return
                        }
                    }
                }
            } catch {
                let response = CannedBodies.error(status: error.status, message: error.message)
                _ = Socket.sendAll(fd, ResponseWriter.serialize(response, keepAlive: false, isHead: false))
                Socket.lingeringClose(fd)
                return
            }
            guard isRunning else { return }
            let count = recv(fd, buffer.baseAddress, capacity, 0)
            if count > 0 {
                parser.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return  // closed by the client, idle timeout, or stop()
            }
        }
    }

    private func respond(to request: ParsedRequest, fd: Int32) -> Outcome {
        let head = request.head
        let keepAlive = head.keepAlive && isRunning
        let isHead = head.method == "HEAD"
        let http10 = head.minorVersion == 0
        if isControlTarget(head.target) {
            return reply(control(request), to: fd, keepAlive: keepAlive, http10: http10, isHead: isHead)
        }

        let path = handlerPath(head.target)
        let headers = head.headerDictionary
        let body = request.body.isEmpty ? nil : request.body
        stats.begin(
            LoggedRequest(method: head.method, path: path ?? head.target, target: head.target, headers: headers, body: body))
        defer { stats.end() }
        guard let path else {
            return reply(CannedBodies.error(status: 404), to: fd, keepAlive: keepAlive, http10: http10, isHead: isHead)
        }

        switch faults.admit() {
        case .limited(let retryAfter):
            stats.rateLimitedOne()
            var response = CannedBodies.error(status: 429)
            if let retryAfter { response.headers["retry-after"] = retryAfter }
            return reply(response, to: fd, keepAlive: keepAlive, http10: http10, isHead: isHead)
        case .admitted(let delay) where delay > 0:
            sleepWhileRunning(delay)  // nginx holding a request in its burst
            guard isRunning else { return .abort }
        case .admitted:
            break
        }

        let plan = faults.plan(method: head.method, path: path)
        if plan.delay > 0 {
            sleepWhileRunning(plan.delay)
            guard isRunning else { return .abort }
        }
        switch plan.outcome {
        case .drop?:
            return .abort
        case .respond(let response)?:
            return reply(response, to: fd, keepAlive: keepAlive, http10: http10, isHead: isHead)
        case .hostile(let kind, let status)?:
            HostileWriter(kind: kind, status: status, isRunning: { [self] in isRunning }).write(to: fd)
            return .abort
        case .stream(let status, let headers, let bytes)?:
            return stream(
                status: status, headers: headers, bytes: bytes, to: fd, keepAlive: keepAlive, http10: http10, isHead: isHead)
        case nil:
            var response = handler(HTTPRequest(method: head.method, path: path, headers: headers, body: body))
            for (name, value) in plan.extraHeaders { response.headers[name.lowercased()] = value }
            return reply(response, to: fd, keepAlive: keepAlive, http10: http10, isHead: isHead)
        }
    }

    private func reply(_ response: HTTPResponse, to fd: Int32, keepAlive: Bool, http10: Bool, isHead: Bool) -> Outcome {
        let bytes = ResponseWriter.serialize(response, keepAlive: keepAlive, announceKeepAlive: http10, isHead: isHead)
        guard Socket.sendAll(fd, bytes) else { return .abort }
        return keepAlive ? .keepOpen : .close
    }

    /// A response with a `bytes`-long body written in pieces, never held whole: `{"padding":"xxx…"}`
    /// (just `x`s when too short for that).
    private func stream(
        status: Int, headers: [String: String], bytes: Int, to fd: Int32, keepAlive: Bool, http10: Bool, isHead: Bool
    ) -> Outcome {
        var out: [UInt8] = []
        ResponseWriter.head(
            status: status, headers: headers, contentLength: bytes, keepAlive: keepAlive, announceKeepAlive: http10, into: &out)
        guard !isHead else { return Socket.sendAll(fd, out) ? (keepAlive ? .keepOpen : .close) : .abort }
        let framed = bytes >= CannedBodies.paddingPrefix.count + CannedBodies.paddingSuffix.count
        var remaining = bytes
        if framed {
            out.append(contentsOf: CannedBodies.paddingPrefix)
            remaining -= CannedBodies.paddingPrefix.count + CannedBodies.paddingSuffix.count
        }
        guard Socket.sendAll(fd, out) else { return .abort }
        let sent = CannedBodies.filler.withUnsafeBytes { filler in
            while remaining > 0 {
                let piece = min(remaining, filler.count)
                guard isRunning, Socket.sendAll(fd, UnsafeRawBufferPointer(rebasing: filler[0..<piece])) else { return false }
                remaining -= piece
            }
            return true
        }
        guard sent, !framed || Socket.sendAll(fd, CannedBodies.paddingSuffix) else { return .abort }
        return keepAlive ? .keepOpen : .close
    }

    /// Sleeps in short slices so `stop()` is not held up by a long injected delay.
    private func sleepWhileRunning(_ seconds: Double) {
        var remaining = seconds
        while remaining > 0, isRunning {
            let slice = min(remaining, 0.05)
            Socket.sleep(seconds: slice)
            remaining -= slice
        }
    }

    // MARK: - Paths

    /// The path the handler sees: the target under the prefix with the prefix removed, `nil` outside it.
    func handlerPath(_ target: String) -> String? {
        var target = Substring(target)
        // Absolute form (`http://host/path`), as a proxy client sends it.
        if target.hasPrefix("http://") || target.hasPrefix("https://") {
            let afterScheme = target[target.index(target.firstIndex(of: ":")!, offsetBy: 3)...]
            if let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) {
                target = afterScheme[slash...]
            } else {
                target = "/"
            }
            if target.hasPrefix("?") { target = "/" + target }
        }
        guard target.hasPrefix("/") else { return nil }
        if pathPrefix.isEmpty { return String(target) }
        guard target.hasPrefix(pathPrefix) else { return nil }
        let rest = target.dropFirst(pathPrefix.count)
        if rest.isEmpty { return "/" }
        if rest.hasPrefix("/") { return String(rest) }
        if rest.hasPrefix("?") { return "/" + rest }
        return nil
    }

    func isControlTarget(_ target: String) -> Bool {
        guard target.hasPrefix("/__emulator") else { return false }
        let rest = target.utf8.dropFirst("/__emulator".utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: "/") || rest.first == UInt8(ascii: "?")
    }
}
