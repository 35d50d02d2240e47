import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the server could not start.
public struct EmulatorServerError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Thin wrappers over the POSIX socket calls the server needs, papering over Glibc/Darwin differences.
enum Socket {
    #if canImport(Glibc)
    /// Close-on-exec from the start: a process spawned meanwhile (the bridge under test) must not
    /// inherit the server's sockets.
    static let streamType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    static let noSignal = Int32(MSG_NOSIGNAL)
    #else
    static let streamType = SOCK_STREAM
    static let noSignal: Int32 = 0
    #endif

    #if canImport(Glibc)
    private typealias Accept4 =
        @convention(c) (
            Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32
        ) -> Int32
    /// glibc's `accept4`, which the Glibc module does not export (it is a `_GNU_SOURCE` function).
    private static let accept4: Accept4? = dlsym(nil, "accept4").map { unsafeBitCast($0, to: Accept4.self) }
    #endif

    /// Accepts a connection, close-on-exec atomically where the platform can.
    static func acceptConnection(_ listenFD: Int32) -> Int32 {
        #if canImport(Glibc)
        if let accept4 { return accept4(listenFD, nil, nil, Int32(SOCK_CLOEXEC.rawValue)) }
        #endif
        let fd = accept(listenFD, nil, nil)
        if fd >= 0 { setCloseOnExec(fd) }
        return fd
    }

    /// A connected pair of local sockets, both close-on-exec: the accept thread's wake-up channel.
    static func makeWakeChannel() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, streamType, 0, &fds) == 0 else { return nil }
        setCloseOnExec(fds[0])
        setCloseOnExec(fds[1])
        return (fds[0], fds[1])
    }

    static func errorText(_ what: String, _ code: Int32 = errno) -> String {
        "\(what): \(String(cString: strerror(code)))"
    }

    /// A listening TCP socket bound to `host:port` (an IPv4 or IPv6 literal, or `localhost`);
    /// returns it and the bound port.
    static func listen(host: String, port: UInt16, backlog: Int32 = 4096) throws(EmulatorServerError) -> (fd: Int32, port: UInt16)
    {
        let literal = host == "localhost" ? "127.0.0.1" : host
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV  // a literal: never a name lookup
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(literal, String(port), &hints, &found) == 0, let address = found?.pointee else {
            throw EmulatorServerError("not an IP address: \(host)")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(address.ai_family, streamType, 0)
        guard fd >= 0 else { throw EmulatorServerError(errorText("socket")) }
        setCloseOnExec(fd)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = bind(fd, address.ai_addr, address.ai_addrlen)
        guard bound == 0 else {
            let message = errorText("bind \(host):\(port)")
            close(fd)
            throw EmulatorServerError(message)
        }
        guard posixListen(fd, backlog) == 0 else {
            let message = errorText("listen")
            close(fd)
            throw EmulatorServerError(message)
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        guard named == 0 else {
            let message = errorText("getsockname")
            close(fd)
            throw EmulatorServerError(message)
        }
        // The port sits at the same offset in both address structures.
        let bigEndianPort = withUnsafeBytes(of: &actual) {
            $0.loadUnaligned(fromByteOffset: MemoryLayout.offset(of: \sockaddr_in.sin_port)!, as: UInt16.self)
        }
        return (fd, UInt16(bigEndian: bigEndianPort))
    }

    static func setCloseOnExec(_ fd: Int32) {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    /// Options for an accepted connection: no Nagle delay, no SIGPIPE (Darwin), an idle read timeout.
    static func configureConnection(_ fd: Int32, idleTimeout: Double) {
        // Darwin hands the listener's O_NONBLOCK down to accepted sockets; connections block.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        if idleTimeout > 0 {
            var timeout = timeval(
                tv_sec: Int(idleTimeout), tv_usec: .init((idleTimeout - idleTimeout.rounded(.down)) * 1_000_000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    /// Writes all of `bytes`; false when the peer has gone.
    static func sendAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard var pointer = bytes.baseAddress else { return true }
        var remaining = bytes.count
        while remaining > 0 {
            let sent = send(fd, pointer, remaining, noSignal)
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            pointer += sent
            remaining -= sent
        }
        return true
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { sendAll(fd, $0) }
    }

    /// Closes gracefully after a final response: stops sending, then reads and discards what the
    /// client still sends for a short while, so the response is not lost to a reset.
    static func lingeringClose(_ fd: Int32) {
        shutdown(fd, Int32(SHUT_WR))
        var scratch = [UInt8](repeating: 0, count: 4096)
        var pollfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        for _ in 0..<10 {
            guard poll(&pollfd, 1, 50) > 0 else { break }
            let read = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if read <= 0 { break }
        }
    }

    /// Starts a detached OS thread (not the Swift concurrency pool) running `body`. The stack is
    /// reserved, not committed: room for a debug build parsing JSON nested 512 deep.
    static func spawnThread(name: String, stackSize: Int = 4 << 20, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.stackSize = stackSize
        thread.start()
    }

    /// Sleeps for `seconds` (fractional).
    static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }
}

#if canImport(Glibc)
private func posixListen(_ fd: Int32, _ backlog: Int32) -> Int32 { Glibc.listen(fd, backlog) }
#else
private func posixListen(_ fd: Int32, _ backlog: Int32) -> Int32 { Darwin.listen(fd, backlog) }
#endif
