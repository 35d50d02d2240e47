import Foundation

/// A session's delegate queue that holds libcurl back while too many deliveries wait in it.
///
/// FoundationNetworking hands each chunk libcurl reads to the delegate as an operation on this
/// queue, from libcurl's own queue, however far behind the delegate is. An answer arriving faster
/// than it is read (an endless body on loopback) so piled up megabytes of chunks in malloc's
/// arenas, where they stayed after they were read. Here the chunk that finds the queue full waits
/// until the delegate catches up, which stalls libcurl's reading, so the sender waits on TCP. The
/// wait is short and bounded, so nothing can hang on it.
final class DeliveryQueue: OperationQueue, @unchecked Sendable {
    private let mostWaiting: Int
    private let longestHold: TimeInterval
    private let condition = NSCondition()
    private var waiting = 0

    /// - Parameters:
    ///   - mostWaiting: deliveries waiting at most; the default is a MiB of libcurl's 16 KiB chunks.
    ///   - longestHold: the longest one delivery is held back, in seconds.
    init(mostWaiting: Int = 64, longestHold: TimeInterval = 0.05) {
        self.mostWaiting = mostWaiting
        self.longestHold = longestHold
        super.init()
        maxConcurrentOperationCount = 1
    }

    /// Runs `block` after those queued before it, once fewer than `mostWaiting` wait (or the
    /// hold has lasted `longestHold`).
    override func addOperation(_ block: @Sendable @escaping () -> Void) {
        condition.lock()
        let deadline = Date(timeIntervalSinceNow: longestHold)
        while waiting >= mostWaiting, condition.wait(until: deadline) {}
        waiting += 1
        condition.unlock()
        super.addOperation { [self] in
            block()
            condition.lock()
            waiting -= 1
            condition.broadcast()
            condition.unlock()
        }
    }
}
