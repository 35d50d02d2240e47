import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ends transfers FoundationNetworking cannot stop in time.
///
/// While a socket stays readable, libcurl keeps reading it in one go, on the one queue every
/// URLSession in the process shares; `cancel()` waits for that queue. So an answer pouring in
/// faster than it is read (an endless body, a gzip bomb, on a fast link) goes on after the bridge
/// refused it, for seconds, and every other request waits behind it. This shuts down the
/// connection underneath instead: libcurl sees the stream end, the transfer ends, the queue is
/// free. Only a connection to the upstream's port that keeps receiving fast for two tenths of a
/// second right after an answer was refused or timed out is cut.
enum FloodCutter {
    /// Bytes a connection must receive in each of two `window`s in a row to count as flooding:
    /// far more than a busy connection carrying Tiledesk's small answers, and within reach of a
    /// gzip bomb, whose compressed bytes come slowly while libcurl inflates them.
    static let floodBytes: UInt64 = 64 << 10
    static let window: useconds_t = 100_000

    /// What a connection must receive within `quickWindow` to be cut without further watching.
    static let torrentBytes: UInt64 = 1 << 20
    static let quickWindow: useconds_t = 5_000

    /// Rounds of watching after a refusal: other floods may start once the first is cut.
    static let rounds = 8

    /// Cuts this process's connections to `port` that are flooding, watching for a moment.
    /// Returns at once.
    static func cut(port: Int) {
        #if os(Linux)
        Thread.detachNewThread {
            // A torrent is cut at once: megabytes within a few milliseconds.
            let start = received(port: port)
            usleep(quickWindow)
            for (fd, now) in received(port: port) where now >= (start[fd] ?? .max) &+ torrentBytes { shutdown(fd, Int32(SHUT_RDWR)) }
            for _ in 0..<rounds {
                let first = received(port: port)
                usleep(window)
                let second = received(port: port)
                usleep(window)
                var receiving = false
                for (fd, third) in received(port: port) {
                    guard let a = first[fd], let b = second[fd] else { continue }
                    receiving = receiving || third > a
                    if b >= a &+ floodBytes, third >= b &+ floodBytes { shutdown(fd, Int32(SHUT_RDWR)) }
                }
                if !receiving { return }
            }
        }
        #endif
    }

    #if os(Linux)
    /// Bytes received so far by each TCP connection of this process to `port`.
    private static func received(port: Int) -> [Int32: UInt64] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return [:] }
        var result: [Int32: UInt64] = [:]
        for entry in entries {
            guard let fd = Int32(entry), peerPort(fd) == port, let bytes = bytesReceived(fd) else { continue }
            result[fd] = bytes
        }
        return result
    }

    /// `tcpi_bytes_received` of Linux's `struct tcp_info` (offset 128 since Linux 4.1; Glibc's
    /// shorter copy of the struct leaves it out).
    private static func bytesReceived(_ fd: Int32) -> UInt64? {
        var buffer = [UInt8](repeating: 0, count: 256)
        var length = socklen_t(buffer.count)
        guard getsockopt(fd, Int32(IPPROTO_TCP), TCP_INFO, &buffer, &length) == 0, length >= 136 else { return nil }
        return buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 128, as: UInt64.self) }
    }

    private static func peerPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let connected = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) == 0 }
        }
        guard connected else { return nil }
        let family = Int32(storage.ss_family)
        return withUnsafeBytes(of: &storage) { raw -> Int? in
            switch family {
            case AF_INET: Int(UInt16(bigEndian: raw.load(fromByteOffset: MemoryLayout.offset(of: \sockaddr_in.sin_port)!, as: UInt16.self)))
            case AF_INET6: Int(UInt16(bigEndian: raw.load(fromByteOffset: MemoryLayout.offset(of: \sockaddr_in6.sin6_port)!, as: UInt16.self)))
            default: nil
            }
        }
    }
    #endif
}
