#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor as the stdio transport uses it. Reads and writes wait with `poll` when the
/// descriptor is non-blocking (a parent may hand over stdin or stdout with `O_NONBLOCK` set), so
/// "no data yet" is never taken for the end of input, nor a full pipe for a failure.
struct Descriptor: Sendable {
    let fd: Int32

    static let standardInput = Descriptor(fd: STDIN_FILENO)
    static let standardError = Descriptor(fd: STDERR_FILENO)

    enum ReadOutcome {
        case bytes(Int)
        case endOfInput
        /// Non-blocking and empty for now, or interrupted: poll and read again.
        case nothingYet
        case failed(String)
    }

    enum WriteFailure: Error {
        /// The reader has gone (EPIPE).
        case closed
        case failed(String)
    }

    /// Reads what is there, at most `buffer.count` bytes.
    func readSome(into buffer: inout [UInt8]) -> ReadOutcome {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n > 0 { return .bytes(n) }
        if n == 0 { return .endOfInput }
        switch errno {
        case EAGAIN, EWOULDBLOCK, EINTR: return .nothingYet
        case let code: return .failed(Self.describe(code))
        }
    }

    /// Writes every byte, waiting while the descriptor is full.
    func writeAll(_ bytes: [UInt8]) throws(WriteFailure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n >= 0 {
                offset += n
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: _ = Self.waitFor([(fd, Int16(POLLOUT))], timeout: nil)
            case EPIPE: throw .closed
            case let code: throw .failed(Self.describe(code))
            }
        }
    }

    /// Waits until one of `fds` is readable (or hung up, or in error), or `timeout` passes;
    /// returns the ready ones (none when interrupted).
    static func waitUntilReadable(_ fds: [Int32], timeout: Duration?) -> [Int32] {
        waitFor(fds.map { ($0, Int16(POLLIN)) }, timeout: timeout)
    }

    private static func waitFor(_ wanted: [(fd: Int32, events: Int16)], timeout: Duration?) -> [Int32] {
        var entries = wanted.map { pollfd(fd: $0.fd, events: $0.events, revents: 0) }
        let milliseconds: Int32 = timeout.map { duration in
            let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000 + 1
            return Int32(clamping: max(0, ms))
        } ?? -1
        guard entries.withUnsafeMutableBufferPointer({ poll($0.baseAddress, nfds_t($0.count), milliseconds) }) > 0 else { return [] }
        return entries.filter { $0.revents != 0 }.map(\.fd)
    }

    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}
