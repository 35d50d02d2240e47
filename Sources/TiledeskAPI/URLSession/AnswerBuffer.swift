import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An answer's body as it arrives, in pages mapped for it alone and handed back to the system
/// the moment it is dropped.
///
/// Not in malloc's heap, on purpose. glibc gives each thread an arena and keeps what is freed
/// there for that arena's later use, and libcurl's chunks are allocated on whichever thread its
/// queue runs on. An oversized answer kept as those chunks left up to 16 MiB behind in one arena
/// when it was refused, while the next one filled another: four endless bodies at once peaked at
/// 46-81 MB. Copied in here, each chunk is freed as soon as it is read, and a refused answer's
/// memory leaves the process.
///
/// The whole `limit` is reserved as address space at the first byte (no memory behind it), and
/// made usable as the answer grows, so growing never copies. Used under its owner's lock; not
/// thread-safe itself.
final class AnswerBuffer {
    private let limit: Int
    private var base: UnsafeMutableRawPointer?
    /// Bytes made usable from `base`, a whole number of pages.
    private var usable = 0
    /// Bytes held.
    private(set) var count = 0

    /// - Parameter limit: the most it may hold.
    init(limit: Int) { self.limit = limit }

    deinit { release() }

    /// Adds `data`; false when that would pass the limit or no memory can be had (nothing is added).
    func append(_ data: Data) -> Bool {
        guard !data.isEmpty else { return true }
        guard count + data.count <= limit, makeUsable(count + data.count) else { return false }
        data.copyBytes(to: (base! + count).assumingMemoryBound(to: UInt8.self), count: data.count)
        count += data.count
        return true
    }

    /// A copy of the bytes held.
    var bytes: [UInt8] {
        guard let base else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Hands the memory back; the buffer is empty and usable again.
    func release() {
        if let base { munmap(base, Self.pages(limit)) }
        base = nil
        usable = 0
        count = 0
    }

    /// Growth steps double, from 64 KiB (Tiledesk's answers are mostly a few KiB).
    private static let firstStep = 64 << 10

    private func makeUsable(_ needed: Int) -> Bool {
        guard needed > usable else { return true }
        if base == nil {
            #if os(Linux)
            let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
            #else
            let flags = MAP_PRIVATE | MAP_ANON
            #endif
            let reserved = mmap(nil, Self.pages(limit), PROT_NONE, flags, -1, 0)
            guard let reserved, reserved != MAP_FAILED else { return false }
            base = reserved
        }
        var size = max(usable * 2, Self.firstStep)
        while size < needed { size *= 2 }
        size = min(Self.pages(size), Self.pages(limit))
        guard mprotect(base, size, PROT_READ | PROT_WRITE) == 0 else { return false }
        usable = size
        return true
    }

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    private static func pages(_ bytes: Int) -> Int { (bytes + pageSize - 1) / pageSize * pageSize }
}
