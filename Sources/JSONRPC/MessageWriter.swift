import Dispatch
import Foundation
import Synchronization

/// Writes protocol messages (answers and notifications alike) to one descriptor, each whole and
/// framed in the session's framing, from a thread of its own.
///
/// `write` never blocks: tasks on the concurrency pool call it. The writer thread waits for a
/// slow or full reader with `poll`, and `hasRoom` turns false while more than `roomBytes` wait,
/// so the reader of the input can stop instead of letting the queue grow. A closed stdout
/// (EPIPE) ends the process quietly with status 0; any other write error is reported on stderr
/// and ends it with status 1, since nothing can be answered any more.
///
/// Messages go out in chunks of whole messages; `abandonQueued` (at exit, when the client reads
/// too slowly) drops what is not started, so the last message written is still whole.
public final class MessageWriter: Sendable {
    private struct Queue {
        var messages: [[UInt8]] = []
        /// Queued or being written.
        var pendingBytes = 0
    }

    private let queue = Mutex(Queue())
    private let ready = DispatchSemaphore(value: 0)
    private let descriptor: Descriptor
    private let framing: Atomic<Framing>
    private let roomBytes: Int
    private let onProgress: @Sendable () -> Void
    private let abandoning = Atomic<Bool>(false)
    /// Small messages are written together, up to this many bytes a `write`.
    private static let chunkBytes = 16 << 10

    /// `onProgress` is called when room comes back and when everything has been written.
    public init(fd: Int32, framing: Framing = .line, roomBytes: Int = 1 << 20, onProgress: @escaping @Sendable () -> Void = {}) {
        descriptor = Descriptor(fd: fd)
        self.framing = Atomic(framing)
        self.roomBytes = roomBytes
        self.onProgress = onProgress
        let thread = Thread { [self] in writeForever() }
        thread.name = "stdout writer"
        thread.start()
    }

    /// Frames every message written from now on as `framing` (once the input shows its own).
    public func adopt(_ framing: Framing) { self.framing.store(framing, ordering: .sequentiallyConsistent) }

    /// Queues one message (compact JSON, unframed).
    public func write(_ message: [UInt8]) {
        guard !abandoning.load(ordering: .sequentiallyConsistent) else { return }
        let wasEmpty = queue.withLock { queue in
            queue.messages.append(message)
            queue.pendingBytes += message.count
            return queue.messages.count == 1
        }
        if wasEmpty { ready.signal() }
    }

    /// False while more than `roomBytes` wait to be written.
    public var hasRoom: Bool { queue.withLock { $0.pendingBytes < roomBytes } }

    /// True when everything written so far is out.
    public var isDrained: Bool { queue.withLock { $0.pendingBytes == 0 } }

    /// Drops every message not yet started, and any written from now on; the chunk being
    /// written is finished. `isDrained` then says when it is.
    public func abandonQueued() {
        abandoning.store(true, ordering: .sequentiallyConsistent)
        let dropped = queue.withLock { queue in
            defer { queue.messages = [] }
            return queue.messages.reduce(0) { $0 + $1.count }
        }
        written(dropped)
    }

    private func writeForever() -> Never {
        while true {
            ready.wait()
            while let batch = takeQueued() {
                var next = batch.startIndex
                while next < batch.endIndex {
                    let framing = framing.load(ordering: .sequentiallyConsistent)
                    var chunk: [UInt8] = []
                    let first = next
                    while next < batch.endIndex, chunk.count < Self.chunkBytes {
                        framing.append(batch[next], to: &chunk)
                        next += 1
                    }
                    writeOrExit(chunk)
                    let abandoned = abandoning.load(ordering: .sequentiallyConsistent) ? batch.endIndex : next
                    written(batch[first..<abandoned].reduce(0) { $0 + $1.count })
                    next = abandoned
                }
            }
        }
    }

    private func writeOrExit(_ bytes: [UInt8]) {
        do throws(Descriptor.WriteFailure) {
            try descriptor.writeAll(bytes)
        } catch {
            switch error {
            case .closed: _exit(0)  // nobody is listening any more
            case .failed(let reason):
                StdioLoop.report("cannot write to stdout (\(reason)): exiting")
                _exit(1)
            }
        }
    }

    private func takeQueued() -> [[UInt8]]? {
        queue.withLock { queue in
            guard !queue.messages.isEmpty else { return nil }
            defer { queue.messages = [] }
            return queue.messages
        }
    }

    private func written(_ count: Int) {
        let progressed = queue.withLock { queue in
            let hadRoom = queue.pendingBytes < roomBytes
            queue.pendingBytes -= count
            return (!hadRoom && queue.pendingBytes < roomBytes) || queue.pendingBytes == 0
        }
        if progressed { onProgress() }
    }
}

extension Framing: AtomicRepresentable {}
