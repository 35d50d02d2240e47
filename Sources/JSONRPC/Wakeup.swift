#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Wakes the stdio loop's thread out of `poll`: a pipe any thread may poke (a signal handler,
/// the writer when it drains, the dispatcher when its queue frees up).
final class Wakeup: Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32
    /// Set from the first poke until the loop has seen it: one byte in the pipe at most.
    private let poked = Atomic<Bool>(false)

    init() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { fatalError("pipe: \(Descriptor.describe(errno))") }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    func poke() {
        guard !poked.exchange(true, ordering: .sequentiallyConsistent) else { return }
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Waits until poked, `fd` (when given) is readable, or `timeout` passes; returns whether
    /// `fd` is ready. The caller checks its conditions again after every return.
    func wait(orReadable fd: Int32? = nil, timeout: Duration? = nil) -> Bool {
        let ready = Descriptor.waitUntilReadable([readEnd] + (fd.map { [$0] } ?? []), timeout: timeout)
        if ready.contains(readEnd) {
            var sink = [UInt8](repeating: 0, count: 64)
            while sink.withUnsafeMutableBytes({ read(readEnd, $0.baseAddress, $0.count) }) > 0 {}
            poked.store(false, ordering: .sequentiallyConsistent)
        }
        return fd.map(ready.contains) ?? false
    }
}
